package dev.jitaccess;

import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.JwksFetcher;
import dev.jitaccess.spi.KeyDirectory;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 item 5, the gaps of {@link JwksUriVerifierTest}: a flood of garbage kids, a bad JWKS response
 * during a refresh, a key removed from the JWKS (refused before its tokens expire), and the JWKS of brokers
 * sharing a {@link KeyDirectory} served to a stand-alone verifier.
 */
class JwksUriRefreshTest {
  static final URI JWKS = URI.create("https://jit.example.org/.well-known/jwks.json");
  static final String RESOURCE = "postgres://orders";
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final AtomicInteger fetches = new AtomicInteger();
  final AtomicReference<String> served = new AtomicReference<>();
  final JwksFetcher fetcher = uri -> {
    fetches.incrementAndGet();
    return served.get();
  };

  GrantBroker.Builder broker() {
    return GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofHours(1))).clock(clock).scheduler(clock).auditSink(e -> {});
  }

  GrantVerifier verifier() {
    return GrantVerifier.builder().issuer(ISSUER).jwksUri(JWKS).jwksFetcher(fetcher).clock(clock)
        .jwksCacheTtl(Duration.ofMinutes(5)).jwksOutageTolerance(Duration.ofMinutes(30)).build();
  }

  static Grant grant(GrantBroker b, String task) {
    return b.request(Fixtures.request(Fixtures.DEPLOYER).taskId(task).ttl(Duration.ofMinutes(50)).build());
  }

  static Verification.RejectionReason reason(Verification v) {
    return ((Verification.Rejected) v).reason();
  }

  @Test
  void aFloodOfGarbageKidsFetchesAtMostOncePerThirtySeconds() throws Exception {
    try (GrantBroker b = broker().build()) {
      served.set(b.publicJwks());
      GrantVerifier v = verifier();
      Grant g = grant(b, "t-1");
      assertThat(v.verify(g.token(), RESOURCE).isVerified()).isTrue();
      ECKey stranger = new ECKeyGenerator(Curve.P_256).generate();
      for (int i = 0; i < 200; i++) {
        String forged = KeyDirectoryBrokerTest.resign(g.token(), "garbage-" + i, stranger);
        assertThat(reason(v.verify(forged, RESOURCE))).isEqualTo(Verification.RejectionReason.UNKNOWN_KEY);
      }
      assertThat(fetches).as("the first fetch, and at most one for all the garbage").hasValueLessThanOrEqualTo(2);
      int before = fetches.get();
      clock.advance(Duration.ofSeconds(30));
      for (int i = 0; i < 200; i++) {
        v.verify(KeyDirectoryBrokerTest.resign(g.token(), "more-garbage-" + i, stranger), RESOURCE);
      }
      assertThat(fetches.get() - before).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void aBadJwksResponseKeepsTheLastGoodKeysWithinTheToleranceOfTheirFetch() {
    try (GrantBroker b = broker().build()) {
      served.set(b.publicJwks());
      GrantVerifier v = verifier();
      Grant g = grant(b, "t-1");
      assertThat(v.verify(g.token(), RESOURCE).isVerified()).isTrue();
      served.set("{\"keys\":[{\"kty\":\"EC\",\"d\":\"not a key\"}]}");
      clock.advance(Duration.ofMinutes(5));                       // the TTL is over: the refresh gets garbage
      assertThat(v.verify(g.token(), RESOURCE).isVerified()).isTrue();
      assertThat(fetches).hasValue(2);
      clock.advance(Duration.ofMinutes(25).minusNanos(1));       // 30 minutes after the last good fetch, minus 1 ns
      assertThat(v.verify(g.token(), RESOURCE).isVerified()).isTrue();
      clock.advance(Duration.ofNanos(1));
      assertThat(reason(v.verify(g.token(), RESOURCE))).isEqualTo(Verification.RejectionReason.UNKNOWN_KEY);
    }
  }

  @Test
  void aKeyRemovedFromTheJwksIsRefusedAfterTheNextRefreshBeforeItsTokensExpire() throws Exception {
    ECKey k1 = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    ECKey k2 = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
    try (GrantBroker b = broker().signingKeys(SigningKeys.builder().active(k1.toJSONString()).build()).build()) {
      served.set(b.publicJwks());
      GrantVerifier v = verifier();
      Grant g = grant(b, "t-1");
      assertThat(v.verify(g.token(), RESOURCE).isVerified()).isTrue();
      served.set(new JWKSet(k2.toPublicJWK()).toString());       // k1 withdrawn (say, leaked)
      clock.advance(Duration.ofMinutes(5).minusNanos(1));
      assertThat(v.verify(g.token(), RESOURCE).isVerified()).as("until the cache TTL").isTrue();
      clock.advance(Duration.ofNanos(1));
      assertThat(reason(v.verify(g.token(), RESOURCE))).isEqualTo(Verification.RejectionReason.UNKNOWN_KEY);
    }
  }

  @Test
  void theJwksOfBrokersSharingAKeyDirectoryServesAStandAloneVerifier() {
    KeyDirectory directory = KeyDirectory.inMemory();
    GrantStore store = GrantStore.inMemory(clock, clock, Duration.ofSeconds(30));
    try (GrantBroker a = broker().store(store).keyDirectory(directory).build();
        GrantBroker b = broker().store(store).keyDirectory(directory).build()) {
      served.set(a.publicJwks());
      GrantVerifier v = verifier();
      assertThat(v.verify(grant(a, "t-a").token(), RESOURCE).isVerified()).isTrue();
      assertThat(v.verify(grant(b, "t-b").token(), RESOURCE).isVerified()).isTrue();
      assertThat(fetches).hasValue(1);
    }
  }
}
