package dev.jitaccess.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
import dev.jitaccess.DenialCategory;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityVerifier;
import dev.jitaccess.spi.PolicyEvaluator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A broker behind a {@link TokenExchange} served by the JDK HTTP server on 127.0.0.1 (ephemeral port),
 * an identity provider whose JWTs the broker accepts, a manual clock, and an allow-some policy. A test
 * class holds one per test as {@code @RegisterExtension final ExchangeFixture f = new ExchangeFixture();}
 * (closed after each test), with {@link #client()} the standard OAuth client; a test that needs another
 * one uses try-with-resources.
 */
final class ExchangeFixture implements AutoCloseable, AfterEachCallback {
  static final String ISSUER = "https://jit.example.org";
  static final String IDP = "https://idp.example.org";
  static final String DEPLOYER = "spiffe://example.org/ci/deploy";
  static final String TOOL = "spiffe://example.org/agent/tool";
  static final String INTRUDER = "spiffe://example.org/intruder";
  static final String RESOURCE = "https://db.example.org/orders";
  /** A resource the policy refuses while it would grant the same request elsewhere (the resource alone). */
  static final String REFUSED_RESOURCE = "https://payroll.example.org/";
  static final Set<String> ALLOWED_ACTIONS = Set.of("read", "write", "deploy", "admin");
  static final String RS_ID = "resource-server-1";
  static final String RS_SECRET = "correct horse battery staple";

  final ManualClock clock = ManualClock.at("2030-01-01T00:00:00Z");
  final ECKey idpKey = newKey("idp-1");
  final java.util.List<dev.jitaccess.spi.AuditEvent> audit = new java.util.concurrent.CopyOnWriteArrayList<>();
  final GrantBroker broker;
  final TokenExchange exchange;
  final HttpServer server;
  final URI tokenUri;
  final URI introspectionUri;
  final URI revocationUri;
  private final OAuthClient client;

  ExchangeFixture() {
    this(b -> b);
  }

  ExchangeFixture(Function<TokenExchange.Builder, TokenExchange.Builder> customize) {
    this(b -> b, customize);
  }

  /** A fixture whose adapter sits in front of {@code wrap(broker)}, for example a decorated broker. */
  ExchangeFixture(Function<GrantBroker, GrantBroker> wrap, Function<TokenExchange.Builder, TokenExchange.Builder> customize) {
    broker = GrantBroker.builder()
        .issuer(ISSUER)
        .identityVerifier(new IdpVerifier(idpKey))
        .policy(allowSome())
        .clock(clock)
        .scheduler(clock)
        .maxGrantsPerTask(100)
        .auditSink(audit::add)
        .build();
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    tokenUri = URI.create(base + "/token");
    introspectionUri = URI.create(base + "/introspect");
    revocationUri = URI.create(base + "/revoke");
    exchange = customize.apply(TokenExchange.builder(wrap.apply(broker))
            .clock(clock)
            .defaultPurpose("deploy")
            .defaultEnvironment("prod")
            .defaultTtl(Duration.ofMinutes(10))
            .tokenEndpoint(tokenUri)
            .callerAuthorizer(ExchangeFixture::resourceServerOnly))
        .build();
    server.createContext("/token", h -> serve(h, exchange::exchange));
    server.createContext("/introspect", h -> serve(h, exchange::introspect));
    server.createContext("/revoke", h -> serve(h, exchange::revoke));
    server.start();
    client = new OAuthClient(this);
  }

  /** The Nimbus OAuth client of this fixture's endpoints. */
  OAuthClient client() {
    return client;
  }

  /** Closes the fixture after each test of a class that registers it as an extension. */
  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }

  /**
   * Allows known example.org workloads the read/write/deploy/admin actions; denies the intruder; refuses
   * only the resource under {@link #REFUSED_RESOURCE}.
   */
  static PolicyEvaluator allowSome() {
    return ctx -> {
      String id = ctx.identity().id();
      if (id.equals(INTRUDER)) {
        return new Decision.Deny(List.of("deny-intruder"), List.of("rule deny-intruder: " + id + " is blocked"), "v1");
      }
      if (ctx.request().resource().startsWith(REFUSED_RESOURCE)) {
        return new Decision.Deny(List.of(), List.of("rule allow-example covers " + RESOURCE + ", not "
            + ctx.request().resource()), "v1", DenialCategory.POLICY, Decision.Deny.Facet.RESOURCE);
      }
      if (!ALLOWED_ACTIONS.containsAll(ctx.request().actions())) {
        return new Decision.Deny(List.of("actions"), List.of("rule actions: only read, write, deploy, admin"), "v1");
      }
      GrantTerms terms = GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(30)).withMaxDelegationDepth(5);
      if ("single".equals(ctx.request().purpose())) {
        terms = terms.withSingleUse(true);
      }
      return new Decision.Allow(terms, List.of("allow-example"), List.of("rule allow-example"), "v1");
    };
  }

  /** The caller authorizer: HTTP Basic with the resource server's client id and secret. */
  static boolean resourceServerOnly(CallerAuthorizer.Endpoint endpoint, HttpRequest request) {
    String header = request.header("Authorization").orElse(null);
    if (header == null) {
      return false;
    }
    try {
      ClientSecretBasic basic = ClientSecretBasic.parse(header);
      return basic.getClientID().getValue().equals(RS_ID) && MessageDigest.isEqual(
          basic.getClientSecret().getValueBytes(), RS_SECRET.getBytes(StandardCharsets.UTF_8));
    } catch (com.nimbusds.oauth2.sdk.ParseException e) {
      return false;
    }
  }

  static ClientSecretBasic resourceServer() {
    return new ClientSecretBasic(new ClientID(RS_ID), new Secret(RS_SECRET));
  }

  /** A JWT from the identity provider for {@code subject}, valid for 10 minutes from the clock. */
  String identity(String subject) {
    return mint(idpKey, IDP, subject, clock.instant().plus(Duration.ofMinutes(10)));
  }

  /**
   * A JWT for {@code subject} that also names the client certificate of its mTLS connection, as a verifier
   * that saw the connection would: grants for it are certificate-bound ({@code cnf.x5t#S256}).
   */
  String identityOnConnection(String subject, String certificateThumbprint) {
    return mint(idpKey, IDP, subject, clock.instant().plus(Duration.ofMinutes(10)), certificateThumbprint);
  }

  static String mint(ECKey key, String issuer, String subject, Instant expiry) {
    return mint(key, issuer, subject, expiry, null);
  }

  static String mint(ECKey key, String issuer, String subject, Instant expiry, String certificateThumbprint) {
    try {
      JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).subject(subject).audience("jit-access")
          .issueTime(Date.from(expiry.minus(Duration.ofMinutes(10)))).expirationTime(Date.from(expiry));
      if (certificateThumbprint != null) {
        claims.claim("connection_x5t", certificateThumbprint);
      }
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
          claims.build());
      jwt.sign(new ECDSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static ECKey newKey(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Accepts ES256 JWTs of the test identity provider; the subject is the workload id. */
  final class IdpVerifier implements IdentityVerifier {
    private final ECKey key;

    IdpVerifier(ECKey key) {
      this.key = key.toPublicJWK();
    }

    @Override
    public boolean supports(Credential credential) {
      return credential instanceof Credential.Token;
    }

    @Override
    public IdentityResult verify(Credential credential) {
      Credential.Token token = (Credential.Token) credential;
      try {
        SignedJWT jwt = SignedJWT.parse(token.value());
        if (!jwt.verify(new ECDSAVerifier(key))) {
          return IdentityResult.rejected("signature does not verify");
        }
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        if (!IDP.equals(c.getIssuer())) {
          return IdentityResult.rejected("unknown issuer");
        }
        if (c.getExpirationTime() == null || !clock.instant().isBefore(c.getExpirationTime().toInstant())) {
          return IdentityResult.rejected("credential expired");
        }
        WorkloadIdentity.Builder identity = WorkloadIdentity.builder(c.getSubject(), IDP)
            .kind(token.type() == Credential.TokenType.OIDC ? "oidc" : "jwt-svid")
            .expiresAt(c.getExpirationTime().toInstant());
        String x5t = c.getStringClaim("connection_x5t");
        if (x5t != null) {
          identity.certificateThumbprint(x5t);
        }
        return IdentityResult.verified(identity.build());
      } catch (ParseException | JOSEException | RuntimeException e) {
        return IdentityResult.rejected("not a JWT of the test identity provider");
      }
    }
  }

  /** Wraps one endpoint: the HTTP exchange becomes a {@link HttpRequest} and back. */
  private static void serve(HttpExchange h, Function<HttpRequest, HttpResponse> endpoint)
      throws IOException {
    try (h) {
      byte[] body;
      try (InputStream in = h.getRequestBody()) {
        body = in.readNBytes(HttpRequest.MAX_FORM_BYTES + 1);
      }
      HttpRequest.Builder b = HttpRequest.builder(h.getRequestMethod())
          .formBody(new String(body, StandardCharsets.ISO_8859_1));
      for (Map.Entry<String, List<String>> e : h.getRequestHeaders().entrySet()) {
        e.getValue().forEach(v -> b.header(e.getKey(), v));
      }
      HttpResponse response = endpoint.apply(b.build());
      response.headers().forEach((k, v) -> h.getResponseHeaders().add(k, v));
      byte[] out = response.body().getBytes(StandardCharsets.UTF_8);
      h.sendResponseHeaders(response.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream os = h.getResponseBody()) {
          os.write(out);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    broker.close();
  }
}
