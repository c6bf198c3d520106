package dev.jitaccess.oidc;

import static dev.jitaccess.oidc.Results.assertRejected;
import static dev.jitaccess.oidc.Results.assertVerified;
import static dev.jitaccess.oidc.Tokens.githubClaims;
import static dev.jitaccess.oidc.Tokens.githubHeader;
import static dev.jitaccess.oidc.Tokens.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.internal.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fetching, caching and refreshing the issuer's JWKS over loopback HTTP, on the injected clock. */
class JwksFetchTest {
  static final Instant IAT = Instant.parse("2026-03-01T12:00:00Z");

  final ManualClock clock = ManualClock.at(IAT);
  JwksServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  OidcIdentityVerifier verifier(String url) {
    return OidcIdentityVerifier.builder()
        .issuer(OidcIdentityVerifier.GITHUB_ACTIONS_ISSUER)
        .jwksUrl(url)
        .allowPlainHttpForLoopback()
        .audience(Tokens.AUDIENCE)
        .clock(clock)
        .refreshExecutor(Runnable::run)
        .httpTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** A token valid for a day, so that the tests can move the clock across cache lifetimes. */
  static String token(com.nimbusds.jose.jwk.RSAKey key) {
    return sign(githubHeader(key), Tokens.with(githubClaims(IAT), "exp", IAT.plus(Duration.ofDays(1)).getEpochSecond()),
        key);
  }

  @Test
  void issuerUnreachableAtFirstUseIsARejection() throws IOException {
    String dead = JwksServer.deadUrl();
    try (OidcIdentityVerifier verifier = verifier(dead)) {
      assertRejected(verifier, token(Tokens.RSA), "the issuer's JWKS could not be fetched from " + dead);
    }
  }

  @Test
  void issuerAnsweringWithAnErrorOrGarbageIsARejection() throws IOException {
    server = JwksServer.start(Tokens.jwks(Tokens.RSA));
    server.fail(500);
    try (OidcIdentityVerifier verifier = verifier(server.url())) {
      assertRejected(verifier, token(Tokens.RSA), "could not be fetched").contains("HTTP 500");
    }
    server.serve("<html>not a key set</html>");
    try (OidcIdentityVerifier verifier = verifier(server.url())) {
      assertRejected(verifier, token(Tokens.RSA), "could not be fetched").contains("Unable to parse JWK set");
    }
  }

  @Test
  void redirectsAreNotFollowed() throws IOException {
    try (JwksServer target = JwksServer.start(Tokens.jwks(Tokens.RSA))) {
      server = JwksServer.start("{}");
      server.redirectTo(target.url());
      try (OidcIdentityVerifier verifier = verifier(server.url())) {
        assertRejected(verifier, token(Tokens.RSA), "could not be fetched").contains("HTTP 302");
        assertThat(target.requests()).isZero();
      }
    }
  }

  @Test
  void keysAreCachedForTheirTimeToLiveOnTheInjectedClock() throws IOException {
    server = JwksServer.start(Tokens.jwks(Tokens.RSA));
    try (OidcIdentityVerifier verifier = verifier(server.url())) {
      String token = token(Tokens.RSA);
      assertVerified(verifier, token);
      assertVerified(verifier, token);
      clock.advance(Duration.ofMinutes(4));
      assertVerified(verifier, token);
      assertThat(server.requests()).isEqualTo(1);

      // within 30 s of expiry the set is refreshed ahead (on the test's Runnable::run executor)
      clock.advance(Duration.ofSeconds(40));
      assertVerified(verifier, token);
      assertThat(server.requests()).isEqualTo(2);
    }
  }

  @Test
  void lastGoodKeysAreKeptWhileTheIssuerIsUnreachable() throws IOException {
    server = JwksServer.start(Tokens.jwks(Tokens.RSA));
    String url = server.url();
    try (OidcIdentityVerifier verifier = verifier(url)) {
      String token = token(Tokens.RSA);
      assertVerified(verifier, token);
      server.close();
      server = null;

      clock.advance(Duration.ofMinutes(10)); // cache expired, issuer down: the outage cache answers
      assertVerified(verifier, token);
      clock.advanceTo(IAT.plus(Duration.ofMinutes(54))); // within tolerance (1 h) minus one TTL (5 min)
      assertVerified(verifier, token);
      clock.advanceTo(IAT.plus(Duration.ofMinutes(58))); // cached again at 54 min, for one more TTL
      assertVerified(verifier, token);

      clock.advanceTo(IAT.plus(Duration.ofMinutes(60))); // never beyond the tolerance after the last fetch
      assertRejected(verifier, token, "the issuer's JWKS could not be fetched from " + url);
    }
  }

  @Test
  void lastGoodKeysAreKeptWhenTheIssuerAnswersWithErrors() throws IOException {
    server = JwksServer.start(Tokens.jwks(Tokens.RSA));
    try (OidcIdentityVerifier verifier = verifier(server.url())) {
      String token = token(Tokens.RSA);
      assertVerified(verifier, token);
      server.fail(503);
      clock.advance(Duration.ofMinutes(6));
      assertVerified(verifier, token);
      assertThat(server.requests()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void outageToleranceZeroFailsClosedAsSoonAsTheCacheExpires() throws IOException {
    server = JwksServer.start(Tokens.jwks(Tokens.RSA));
    try (OidcIdentityVerifier verifier = OidcIdentityVerifier.builder()
        .issuer(OidcIdentityVerifier.GITHUB_ACTIONS_ISSUER).jwksUrl(server.url()).allowPlainHttpForLoopback()
        .audience(Tokens.AUDIENCE).clock(clock).refreshExecutor(Runnable::run)
        .jwksOutageTolerance(Duration.ZERO).build()) {
      String token = token(Tokens.RSA);
      assertVerified(verifier, token);
      server.fail(503);
      clock.advance(Duration.ofMinutes(6));
      assertRejected(verifier, token, "could not be fetched");
    }
  }

  @Test
  void keyRotationAtTheIssuerIsPickedUp() throws IOException {
    server = JwksServer.start(Tokens.jwks(Tokens.RSA));
    try (OidcIdentityVerifier verifier = verifier(server.url())) {
      assertVerified(verifier, token(Tokens.RSA));
      assertThat(server.requests()).isEqualTo(1);

      server.serve(Tokens.jwks(Tokens.RSA_2)); // the issuer rotates: only the new key is published
      clock.advance(Duration.ofSeconds(1));
      assertVerified(verifier, token(Tokens.RSA_2)); // unknown kid: one refresh, well before the TTL
      assertThat(server.requests()).isEqualTo(2);

      // the retired key is gone from the refreshed set
      assertRejected(verifier, token(Tokens.RSA), "no key in the issuer's JWKS matches kid \"gh-key-1\"");
    }
  }

  @Test
  void unknownKidRefreshesAreRateLimited() throws IOException {
    server = JwksServer.start(Tokens.jwks(Tokens.RSA));
    try (OidcIdentityVerifier verifier = verifier(server.url())) {
      assertVerified(verifier, token(Tokens.RSA));
      com.nimbusds.jose.jwk.RSAKey unknown = Tokens.rsa("unknown");
      assertRejected(verifier, token(unknown), "matches kid \"unknown\" for RS256 (JWKS refreshed)");
      assertRejected(verifier, token(unknown), "(JWKS refresh rate-limited)");
      assertRejected(verifier, token(unknown), "(JWKS refresh rate-limited)");
      assertThat(server.requests()).isEqualTo(2);

      clock.advance(Duration.ofSeconds(31));
      server.serve(Tokens.jwks(Tokens.RSA, unknown));
      assertVerified(verifier, token(unknown));
      assertThat(server.requests()).isEqualTo(3);
    }
  }

  @Test
  void plainHttpNeedsExplicitPermissionAndALoopbackHost() {
    OidcIdentityVerifier.Builder noPermission = OidcIdentityVerifier.builder()
        .issuer("https://issuer.example").jwksUrl("http://127.0.0.1:1/jwks").audience(Tokens.AUDIENCE);
    assertThatThrownBy(noPermission::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("jwksUrl uses plain http; call allowPlainHttpForLoopback()");
    for (String url : new String[] {"http://issuer.example/jwks", "http://10.0.0.1/jwks", "http://127.0.0.1.evil.example/jwks",
        "ftp://127.0.0.1/jwks", "file:///etc/jwks.json"}) {
      assertThatThrownBy(() -> OidcIdentityVerifier.builder().jwksUrl(url))
          .as(url)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("jwksUrl must");
    }
    for (String url : new String[] {"http://localhost:8080/jwks", "http://[::1]:8080/jwks", "http://127.0.0.2/jwks"}) {
      OidcIdentityVerifier.builder().jwksUrl(url);
    }
  }
}
