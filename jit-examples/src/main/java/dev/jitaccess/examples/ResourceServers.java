package dev.jitaccess.examples;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.JitException;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.spi.AuditEvent;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Scenario 4, resource servers. Two plain JDK {@link HttpServer}s on 127.0.0.1 (ephemeral ports) serve
 * {@code GET /reports} only to a caller presenting a valid grant token as {@code Authorization: Bearer}:
 *
 * <ul>
 *   <li>server A checks it with the broker's {@link GrantVerifier}: signature, issuer, audience, expiry,
 *       scope, and the broker's store, so a revoked grant is refused at once;
 *   <li>server B uses plain Nimbus JOSE+JWT against {@link GrantBroker#publicJwks()} only, as any
 *       standard RFC 9068 resource server would (the interoperability path). It knows nothing of the
 *       store, so it accepts a revoked token until the token expires: the reason grants are short-lived.
 * </ul>
 *
 * The billing service ({@value #CLIENT}) calls both with {@link HttpClient}: without a token, with its
 * grant, with a tampered token, after the grant is closed, and after it has expired.
 */
public final class ResourceServers {
  /** The calling service's SPIFFE ID. */
  public static final String CLIENT = "spiffe://prod.example.org/services/billing";
  /** The resource (the tokens' audience). */
  public static final String REPORTS = "https://reports.prod.example.org";
  /** How long a call may take before the client gives up. */
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private ResourceServers() {}

  /**
   * One HTTP call.
   *
   * @param situation what the caller presented
   * @param server "A (GrantVerifier)" or "B (plain Nimbus)"
   * @param status the HTTP status
   * @param body the response body
   */
  public record Call(String situation, String server, int status, String body) {}

  /**
   * What happened.
   *
   * @param calls every call, in order
   * @param audit every audit event
   */
  public record Result(List<Call> calls, List<AuditEvent> audit) {
    /** Copies the lists. */
    public Result {
      calls = List.copyOf(calls);
      audit = List.copyOf(audit);
    }

    /** The status of the call made in {@code situation} to the server whose name starts with {@code server}. */
    public int status(String situation, String server) {
      return calls.stream()
          .filter(c -> c.situation().equals(situation) && c.server().startsWith(server))
          .mapToInt(Call::status)
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no call " + situation + " to " + server));
    }
  }

  /** Runs the scenario, printing what happens to {@code out}. */
  public static Result run(PrintStream out) {
    Narrator n = new Narrator(out);
    n.title("4. Resource servers: JDK HttpServer checks the grant (GrantVerifier, and plain Nimbus + JWKS)");
    Scene scene = new Scene(out);
    List<Call> calls = new ArrayList<>();
    HttpServer serverA = null;
    HttpServer serverB = null;
    try (GrantBroker broker = scene.broker().build()) {
      GrantVerifier verifier = broker.verifier();
      serverA = start("/reports", exchange -> checkWithGrantVerifier(exchange, verifier));
      NimbusCheck nimbus = new NimbusCheck(broker.publicJwks(), scene.clock);
      serverB = start("/reports", nimbus::check);
      URI a = uri(serverA);
      URI b = uri(serverB);
      n.say("server A at " + a + ", server B at " + b + " (JWKS: " + JWKSet.parse(broker.publicJwks()).getKeys().size()
          + " key, kid " + JWKSet.parse(broker.publicJwks()).getKeys().get(0).getKeyID() + ")");
      HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

      call(n, client, calls, "no token", a, b, null);
      GrantRequest request = GrantRequest.builder()
          .credential(Credential.jwtSvid(scene.svid("/services/billing", "finance-team")))
          .taskId("invoice-run-2030-01")
          .purpose("invoicing")
          .resource(REPORTS)
          .actions("read")
          .environment("prod")
          .ttl(Duration.ofMinutes(10))
          .build();
      n.step("request", CLIENT + " wants [read] on " + REPORTS);
      Grant grant = broker.request(request);
      n.grant(grant);
      String token = grant.token();
      call(n, client, calls, "valid grant", a, b, token);
      call(n, client, calls, "tampered token", a, b, tamper(token));
      grant.close();
      n.step("close", "the invoice run is done; grant closed (revoked, COMPLETED)");
      call(n, client, calls, "after close", a, b, token);
      scene.clock.advance(Duration.ofMinutes(11));
      n.step("clock", "11 minutes later, " + scene.clock.instant());
      call(n, client, calls, "after expiry", a, b, token);
      n.say("B accepted the closed grant until it expired: share the store (GrantVerifier) where revocation matters,");
      n.say("and keep TTLs short where it cannot be shared.");
      return new Result(calls, scene.audit());
    } catch (ParseException e) {
      throw new JitException("the broker published a JWKS that does not parse", e);
    } finally {
      if (serverA != null) {
        serverA.stop(0);
      }
      if (serverB != null) {
        serverB.stop(0);
      }
    }
  }

  /** Server A: the broker's verifier, with the audience and the scope this endpoint needs. */
  private static void checkWithGrantVerifier(HttpExchange exchange, GrantVerifier verifier) throws IOException {
    Optional<String> token = bearer(exchange);
    if (token.isEmpty()) {
      respond(exchange, 401, "missing bearer token");
      return;
    }
    Verification v = verifier.verify(token.get(), VerificationRequest.builder(REPORTS).requiredActions("read").build());
    if (v instanceof Verification.Verified verified) {
      respond(exchange, 200, "report for " + verified.grant().subject());
    } else {
      respond(exchange, 401, "invalid_token: " + ((Verification.Rejected) v).reason());
    }
  }

  /** Server B: what any RFC 9068 resource server does, with Nimbus and the published JWK Set only. */
  static final class NimbusCheck {
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    NimbusCheck(String jwks, Clock clock) throws ParseException {
      processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
      processor.setJWSKeySelector(
          new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, new ImmutableJWKSet<>(JWKSet.parse(jwks))));
      DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
          Set.of(REPORTS),
          new JWTClaimsSet.Builder().issuer(Scene.ISSUER).build(),
          Set.of("sub", "exp", "iat", "jti", "client_id", "scope"),
          Set.of()) {
        @Override
        protected Date currentTime() {
          return Date.from(clock.instant()); // the injected clock, not the system's
        }
      };
      processor.setJWTClaimsSetVerifier(claims);
    }

    void check(HttpExchange exchange) throws IOException {
      Optional<String> token = bearer(exchange);
      if (token.isEmpty()) {
        respond(exchange, 401, "missing bearer token");
        return;
      }
      try {
        JWTClaimsSet claims = processor.process(token.get(), null);
        String scope = claims.getStringClaim("scope");
        if (scope == null || !List.of(scope.split(" ")).contains("read")) {
          respond(exchange, 403, "insufficient_scope");
          return;
        }
        respond(exchange, 200, "report for " + claims.getSubject());
      } catch (ParseException | BadJOSEException | com.nimbusds.jose.JOSEException e) {
        respond(exchange, 401, "invalid_token: " + e.getMessage());
      }
    }
  }

  @FunctionalInterface
  private interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  private static HttpServer start(String path, Handler handler) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(path, exchange -> {
        try (exchange) {
          handler.handle(exchange);
        }
      });
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static URI uri(HttpServer server) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/reports");
  }

  private static Optional<String> bearer(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    return Optional.of(header.substring(7).trim());
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    if (status == 401) {
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static void call(Narrator n, HttpClient client, List<Call> calls, String situation, URI a, URI b,
      @Nullable String token) {
    for (URI uri : List.of(a, b)) {
      String server = uri.equals(a) ? "A (GrantVerifier)" : "B (plain Nimbus)";
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET();
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      try {
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        calls.add(new Call(situation, server, response.statusCode(), response.body()));
        n.step("call", String.format("%-15s -> %-18s %d %s", situation, server, response.statusCode(),
            response.body()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new JitException("interrupted", e);
      }
    }
  }

  /** The token with one character of its signature changed. */
  private static String tamper(String token) {
    int i = token.length() - 5;
    char c = token.charAt(i) == 'A' ? 'B' : 'A';
    return token.substring(0, i) + c + token.substring(i + 1);
  }

  /** Runs the scenario on standard output. */
  public static void main(String[] args) {
    run(System.out);
  }
}
