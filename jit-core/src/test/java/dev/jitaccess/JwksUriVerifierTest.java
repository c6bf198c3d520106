package dev.jitaccess;

import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.JwksFetcher;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 item 5: a stand-alone verifier that fetches the broker's JWKS from a URL, on the injected clock:
 * cached for the TTL, refreshed once for an unknown {@code kid} (rate-limited), the last good keys kept
 * through an outage up to the tolerance, then nothing verifies.
 */
class JwksUriVerifierTest {
  static final URI JWKS = URI.create("https://jit.example.org/.well-known/jwks.json");
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final AtomicInteger fetches = new AtomicInteger();
  final AtomicBoolean down = new AtomicBoolean();
  GrantBroker broker;

  @BeforeEach
  void setUp() {
    broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofHours(1))).clock(clock).scheduler(clock).auditSink(e -> {}).build();
  }

  @AfterEach
  void tearDown() {
    broker.close();
  }

  private final JwksFetcher fetcher = uri -> {
    fetches.incrementAndGet();
    assertThat(uri).isEqualTo(JWKS);
    if (down.get()) {
      throw new IOException("connection refused");
    }
    return broker.publicJwks();
  };

  private GrantVerifier verifier() {
    return GrantVerifier.builder().issuer(ISSUER).jwksUri(JWKS).jwksFetcher(fetcher).clock(clock)
        .jwksCacheTtl(Duration.ofMinutes(5)).jwksOutageTolerance(Duration.ofMinutes(30)).build();
  }

  private Grant grant(String task) {
    return broker.request(Fixtures.request(Fixtures.DEPLOYER).taskId(task).ttl(Duration.ofMinutes(50)).build());
  }

  private static Verification.RejectionReason reason(Verification v) {
    return ((Verification.Rejected) v).reason();
  }

  @Test
  void keysAreFetchedLazilyAndCachedForTheTtl() {
    GrantVerifier v = verifier();
    assertThat(fetches).hasValue(0);
    Grant g = grant("t-1");
    assertThat(v.verify(g.token(), "postgres://orders").isVerified()).isTrue();
    assertThat(v.verify(g.token(), "postgres://orders").isVerified()).isTrue();
    assertThat(fetches).hasValue(1);
    clock.advance(Duration.ofMinutes(5).minusNanos(1));
    assertThat(v.verify(g.token(), "postgres://orders").isVerified()).isTrue();
    assertThat(fetches).hasValue(1);
    clock.advance(Duration.ofNanos(1));
    assertThat(v.verify(g.token(), "postgres://orders").isVerified()).isTrue();
    assertThat(fetches).hasValue(2);
  }

  @Test
  void anUnknownKidTriggersOneRateLimitedRefresh() {
    GrantVerifier v = verifier();
    assertThat(v.verify(grant("t-1").token(), "postgres://orders").isVerified()).isTrue();
    clock.advance(Duration.ofSeconds(30));
    broker.rotateKeys();
    Grant rotated = grant("t-2");
    assertThat(v.verify(rotated.token(), "postgres://orders").isVerified()).as("refetched for the new kid").isTrue();
    assertThat(fetches).hasValue(2);

    broker.rotateKeys();
    Grant again = grant("t-3");
    assertThat(reason(v.verify(again.token(), "postgres://orders"))).as("within 30 s of the last fetch")
        .isEqualTo(Verification.RejectionReason.UNKNOWN_KEY);
    assertThat(reason(v.verify(again.token(), "postgres://orders"))).isEqualTo(Verification.RejectionReason.UNKNOWN_KEY);
    assertThat(fetches).as("no fetch inside the minimum interval").hasValue(2);
    clock.advance(Duration.ofSeconds(30));
    assertThat(v.verify(again.token(), "postgres://orders").isVerified()).isTrue();
    assertThat(fetches).hasValue(3);
  }

  @Test
  void theLastGoodKeysServeThroughAnOutageUpToTheTolerance() {
    GrantVerifier v = verifier();
    Grant g = grant("t-1");
    assertThat(v.verify(g.token(), "postgres://orders").isVerified()).isTrue();
    down.set(true);
    clock.advance(Duration.ofMinutes(30).minusNanos(1));
    assertThat(v.verify(g.token(), "postgres://orders").isVerified()).as("inside the tolerance").isTrue();
    clock.advance(Duration.ofNanos(1));
    assertThat(reason(v.verify(g.token(), "postgres://orders"))).as("past the tolerance: fail closed")
        .isEqualTo(Verification.RejectionReason.UNKNOWN_KEY);
    down.set(false);
    clock.advance(Duration.ofSeconds(30));
    assertThat(v.verify(g.token(), "postgres://orders").isVerified()).as("the endpoint is back").isTrue();
  }

  @Test
  void nothingVerifiesWhileTheFirstFetchFails() {
    down.set(true);
    GrantVerifier v = verifier();
    assertThat(reason(v.verify(grant("t-1").token(), "postgres://orders"))).isEqualTo(Verification.RejectionReason.UNKNOWN_KEY);
  }

  @Test
  void aJwksWithAPrivateKeyIsNotUsed() throws Exception {
    com.nimbusds.jose.jwk.ECKey priv = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256)
        .keyID("k").generate();
    GrantVerifier v = GrantVerifier.builder().issuer(ISSUER).jwksUri(JWKS).clock(clock)
        .jwksFetcher(uri -> "{\"keys\":[" + priv.toJSONString() + "]}").build();
    assertThat(reason(v.verify(grant("t-1").token(), "postgres://orders"))).isEqualTo(Verification.RejectionReason.UNKNOWN_KEY);
  }

  @Test
  void theBuilderRefusesWhatCannotWork() {
    assertThatThrownBy(() -> GrantVerifier.builder().issuer(ISSUER).jwks(broker.publicJwks()).jwksUri(JWKS).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("jwks");
    assertThatThrownBy(() -> GrantVerifier.builder().jwksUri(URI.create("http://jit.example.org/jwks")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://jit.example.org/jwks");
    assertThatThrownBy(() -> GrantVerifier.builder().jwksUri(URI.create("urn:jwks")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GrantVerifier.builder().jwksUri(URI.create("https://user@jit.example.org/jwks")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GrantVerifier.builder().jwksUri(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("jwksUri");
    assertThatThrownBy(() -> GrantVerifier.builder().issuer(ISSUER).jwks(broker.publicJwks()).jwksFetcher(fetcher).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("jwksFetcher");
    assertThatThrownBy(() -> GrantVerifier.builder().issuer(ISSUER).jwksUri(JWKS).jwksCacheTtl(Duration.ofMinutes(10))
        .jwksOutageTolerance(Duration.ofMinutes(5)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT5M");
    assertThatThrownBy(() -> GrantVerifier.builder().jwksCacheTtl(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GrantVerifier.builder().jwksUri(JWKS).jwksUri(JWKS)).isInstanceOf(IllegalStateException.class);
    GrantVerifier.builder().jwksUri(URI.create("http://127.0.0.1:8080/jwks"));
    GrantVerifier.builder().jwksUri(URI.create("http://[::1]:8080/jwks"));
  }
}
