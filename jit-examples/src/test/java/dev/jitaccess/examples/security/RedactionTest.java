package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.oauth.TokenExchange;
import dev.jitaccess.oauth.HttpRequest;
import dev.jitaccess.oauth.HttpResponse;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.examples.AgentToolChain;
import dev.jitaccess.examples.BreakGlass;
import dev.jitaccess.examples.CiDeployment;
import dev.jitaccess.examples.Demo;
import dev.jitaccess.examples.Lifecycle;
import dev.jitaccess.examples.NightlyBackup;
import dev.jitaccess.examples.QuickStart;
import dev.jitaccess.examples.ResourceServers;
import dev.jitaccess.examples.security.IdentityTokenAttacks.Flavor;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.TestTrustDomain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs every scenario, the demo and a sample of the attack cases with a capturing logging backend, and fails
 * if a token, a private key or a raw credential appears in a log line, an exception message (with causes and
 * stack trace text), the {@code toString()} of any public value touched, a scenario's printed output or an
 * audit event. A token's SHA-256 and a public JWK are fine.
 */
class RedactionTest {
  /** A JWT-shaped string: base64url JSON header, a dot, more base64url. */
  private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{2,}");
  /** A JWK private member: "d" (EC/RSA/OKP), or the RSA CRT parts, or a symmetric "k". */
  private static final Pattern PRIVATE_JWK = Pattern.compile("\"(d|p|q|dp|dq|qi|k)\"\\s*:\\s*\"");
  private static final List<String> SECRETS = new ArrayList<>();
  /** Record components that are the secret itself (their owners' toString() is checked, not their value). */
  private static final Set<String> CARRIERS = Set.of("Token.value", "X509Svid.privateKey", "HttpResponse.body");

  private final List<String> texts = new ArrayList<>();

  @AfterAll
  static void stop() {
    Attacks.report();
  }

  @Test
  void noSecretAnywhere() throws Exception {
    assertThat(LoggerFactory.getILoggerFactory()).as("the capturing SLF4J provider is in charge")
        .isInstanceOf(CapturingSlf4jProvider.Factory.class);
    CapturingSlf4jProvider.start();
    try {
      scenarios();
      brokerWithSlf4jAudit();
      attackSample();
    } finally {
      texts.addAll(CapturingSlf4jProvider.stop());
    }
    assertThat(texts).as("captured texts").hasSizeGreaterThan(100);
    assertThat(texts).as("the broker's SLF4J audit lines were captured").anyMatch(x -> x.contains("dev.jitaccess.audit"));
    List<String> leaks = new ArrayList<>();
    for (String text : texts) {
      String leak = leak(text);
      if (leak != null) {
        leaks.add(leak + " in: " + abbreviate(text));
      }
    }
    assertThat(leaks).as("secrets in logs, messages, toString() or audit events").isEmpty();
  }

  @Test
  void detectorIsNotBlind() {
    ManualClock clock = ManualClock.at(Target.START);
    TestTrustDomain td = TestTrustDomain.create("example.org", clock);
    String token = td.jwtSvid("spiffe://example.org/a", "x");
    assertThat(leak("token " + token)).isNotNull();
    assertThat(leak("{\"kty\":\"EC\",\"d\":\"abc\"}")).isNotNull();
    assertThat(leak("-----BEGIN PRIVATE KEY-----")).isNotNull();
    assertThat(leak("-----BEGIN EC PRIVATE KEY-----")).isNotNull();
    assertThat(leak("sha256 " + GrantVerifierAttackTest.sha256(token))).isNull();
    ECKey k = GrantVerifierAttackTest.newKey();
    assertThat(leak(k.toPublicJWK().toJSONString())).isNull();
    assertThat(leak(k.toJSONString())).isNotNull();
  }

  static String leak(String text) {
    Matcher m = JWT.matcher(text);
    if (m.find()) {
      return "a JWT (" + m.group().substring(0, 12) + "...)";
    }
    if (text.contains("PRIVATE KEY")) {
      return "a PEM private key";
    }
    Matcher d = PRIVATE_JWK.matcher(text);
    if (d.find()) {
      return "a private JWK member " + d.group();
    }
    synchronized (SECRETS) {
      for (String s : SECRETS) {
        if (text.contains(s)) {
          return "a raw credential (" + s.substring(0, 6) + "...)";
        }
      }
    }
    return null;
  }

  static void secret(String s) {
    if (s != null && s.length() >= 12) {
      synchronized (SECRETS) {
        SECRETS.add(s.length() > 40 ? s.substring(0, 40) : s);
      }
    }
  }

  static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  // ------------------------------------------------------------------ what gets inspected

  /** Records {@code toString()} of the value and, for records, lists, maps and optionals, of everything inside. */
  void inspect(Object value) {
    inspect(value, new IdentityHashMap<>(), 0);
  }

  private void inspect(Object value, Map<Object, Boolean> seen, int depth) {
    if (value == null || depth > 8 || seen.put(value, Boolean.TRUE) != null) {
      return;
    }
    texts.add(String.valueOf(value));
    if (value instanceof Throwable) {
      StringWriter w = new StringWriter();
      ((Throwable) value).printStackTrace(new PrintWriter(w));
      texts.add(w.toString());
      for (Throwable c = (Throwable) value; c != null; c = c.getCause()) {
        texts.add(String.valueOf(c.getMessage()));
      }
    }
    if (value instanceof AccessDeniedException) {
      inspect(((AccessDeniedException) value).decision(), seen, depth + 1);
    }
    if (value instanceof Grant) {
      secret(((Grant) value).token());
      inspect(((Grant) value).info(), seen, depth + 1);
    }
    if (value instanceof Record) {
      for (RecordComponent rc : value.getClass().getRecordComponents()) {
        if (CARRIERS.contains(value.getClass().getSimpleName() + "." + rc.getName())) {
          continue; // the component that holds the secret by design; only the record's toString() must hide it
        }
        try {
          inspect(rc.getAccessor().invoke(value), seen, depth + 1);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    if (value instanceof Collection) {
      for (Object o : (Collection<?>) value) {
        inspect(o, seen, depth + 1);
      }
    }
    if (value instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        inspect(e.getKey(), seen, depth + 1);
        inspect(e.getValue(), seen, depth + 1);
      }
    }
    if (value instanceof Optional) {
      ((Optional<?>) value).ifPresent(o -> inspect(o, seen, depth + 1));
    }
  }

  private String printed(java.util.function.Consumer<PrintStream> run) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      run.accept(out);
    }
    String s = bytes.toString(StandardCharsets.UTF_8);
    texts.add(s);
    return s;
  }

  private void scenarios() {
    printed(out -> inspect(CiDeployment.run(out)));
    printed(out -> inspect(NightlyBackup.run(out)));
    printed(out -> inspect(AgentToolChain.run(out)));
    printed(out -> inspect(ResourceServers.run(out)));
    printed(out -> inspect(BreakGlass.run(out)));
    printed(out -> inspect(Lifecycle.run(out)));
    printed(Demo::run);
    TestTrustDomain spire = TestTrustDomain.create("prod.example.org", Clock.systemUTC());
    String svid = spire.jwtSvid("spiffe://prod.example.org/ci/build", "jit-broker");
    secret(svid);
    printed(out -> QuickStart.run(out, spire.bundleSource(), svid));
    String refused = spire.jwtSvid("spiffe://prod.example.org/agents/bot", "jit-broker");
    secret(refused);
    try {
      printed(out -> QuickStart.run(out, spire.bundleSource(), refused));
    } catch (RuntimeException e) {
      inspect(e);
    }
    inspect(spire);
    inspect(spire.x509Svid("spiffe://prod.example.org/ci/build"));
    secret(Base64.getEncoder().encodeToString(spire.x509Svid("spiffe://prod.example.org/ci/x").privateKey().getEncoded()).substring(40));
  }

  private void brokerWithSlf4jAudit() throws Exception {
    ManualClock clock = ManualClock.at(Target.START);
    TestTrustDomain td = TestTrustDomain.create("example.org", clock);
    ECKey signing = GrantVerifierAttackTest.newKey();
    secret(signing.getD().toString());
    try (GrantBroker broker = GrantBroker.builder().issuer(Target.ISSUER)
        .identityVerifier(td.jwtSvidVerifier(Target.AUDIENCE)).identityVerifier(td.x509SvidVerifier())
        .policy(RulePolicy.of(Target.policy())).auditSink(AuditSink.slf4j()).clock(clock).scheduler(clock)
        .callbackExecutor(Runnable::run).signingKey(signing.toJSONString()).build()) {
      inspect(broker);
      String svid = td.jwtSvid(Target.WORKLOAD, Target.AUDIENCE);
      secret(svid);
      Credential c = Credential.jwtSvid(svid);
      inspect(c);
      ECKey holder = GrantVerifierAttackTest.newKey();
      secret(holder.getD().toString());
      GrantRequest r = GrantRequest.builder().credential(c).taskId("red-1").purpose("agent").resource(Target.RESOURCE)
          .actions("read").environment("prod").ttl(Duration.ofMinutes(5)).dpopKey(holder.toPublicJWK().toJSONString()).build();
      inspect(r);
      inspect(broker.evaluate(r));
      Grant g = broker.request(r);
      inspect(g);
      String proof = GrantVerifierAttackTest.dpopProof(holder, "GET", "https://db.example.org/q", g.token(), clock.instant().getEpochSecond(), "j", "ES256");
      secret(proof);
      VerificationRequest vr = VerificationRequest.builder(Target.RESOURCE).dpop(proof, "GET", "https://db.example.org/q").build();
      inspect(vr);
      inspect(broker.verifier().verify(g.token(), vr));
      inspect(broker.verifier().verify(g.token(), vr)); // replay
      inspect(broker.verifier().verify(g.token(), Target.RESOURCE)); // bearer use of a bound token
      TestTrustDomain.X509Svid x509 = td.x509Svid("spiffe://example.org/tools/lookup");
      inspect(x509);
      inspect(x509.credential());
      DelegationRequest dr = DelegationRequest.builder(g).credential(x509.credential()).actions("read")
          .ttl(Duration.ofMinutes(1)).build();
      inspect(dr);
      try {
        inspect(broker.delegate(dr));
      } catch (AccessDeniedException e) {
        inspect(e);
      }
      inspect(broker.find(g.id()));
      TokenExchange x = TokenExchange.builder(broker).clock(clock).defaultPurpose("deploy").defaultEnvironment("prod")
          .tokenEndpoint(java.net.URI.create("https://jit.test/token")).build();
      HttpRequest hr = TokenExchangeAttackTest.form(TokenExchangeAttackTest.direct(svid, TokenExchange.JWT_TYPE))
          .header("DPoP", GrantVerifierAttackTest.dpopProof(holder, "POST", "https://jit.test/token", null,
              clock.instant().getEpochSecond(), "k", "ES256")).build();
      inspect(hr);
      HttpResponse ok = x.exchange(hr);
      inspect(ok.toString());
      inspect(ok.headers());
      texts.add(ok.toString());
      inspect(x.introspect(TokenExchangeAttackTest.form(Map.of("token", g.token())).build()));
      inspect(x.exchange(TokenExchangeAttackTest.form(TokenExchangeAttackTest.direct("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", TokenExchange.JWT_TYPE)).build()));
      broker.revoke(g.id());
      inspect(broker.verifier().verify(g.token(), Target.RESOURCE));
      inspect(broker.publicJwks());
      clock.advance(Duration.ofHours(2));
    }
  }

  private void attackSample() {
    try (Target t = new Target()) {
      secret(t.brokerSigningKey.getD().toString());
      Grant g = t.broker.request(t.request(Credential.jwtSvid(t.svid()), "sample").build());
      inspect(g);
      int i = 0;
      for (Flavor f : Flavor.values()) {
        for (IdentityTokenAttacks.Case c : IdentityTokenAttacks.all(t, f, "http://127.0.0.1:9")) {
          if (i++ % 5 != 0 || c.token().length() > 100_000) {
            continue;
          }
          secret(c.token().split("\\.")[0]);
          Credential cred = f == Flavor.SVID ? Credential.jwtSvid(c.token()) : Credential.oidcToken(c.token());
          GrantRequest r = t.request(cred, "sample-" + i).build();
          inspect(r);
          Decision d = t.broker.evaluate(r);
          inspect(d);
          assertThatThrownBy(() -> t.broker.request(r)).satisfies(this::inspect);
          IdentityResult ir = f == Flavor.SVID ? t.jwtSvidVerifier.verify(cred) : t.oidcVerifier.verify(cred);
          inspect(ir);
          Verification v = t.broker.verifier().verify(c.token(), Target.RESOURCE);
          inspect(v);
          Attacks.tried("redaction sample");
        }
      }
      for (AuditEvent e : t.audit.events()) {
        inspect(e);
      }
      inspect(t.audit);
    }
  }
}
