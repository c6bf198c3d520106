package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The guard that a known kid in a fresh set is looked up without RemoteJwks's lock (issue 17): while one
 * thread is inside a slow fetch (holding the lock), another still gets a known key at once; an unknown kid
 * and a stale set still go through the locked fetch path.
 */
class RemoteJwksLockFreeLookupTest {
  final ManualClock clock = ManualClock.at("2026-12-04T10:00:00Z");

  @Test
  void aKnownKidInAFreshSetIsFoundWhileAFetchHoldsTheLock() throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    String jwks = new JWKSet(key.toPublicJWK()).toString();
    AtomicInteger fetches = new AtomicInteger();
    CountDownLatch inFetch = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RemoteJwks remote = new RemoteJwks(URI.create("https://broker.example/jwks"), uri -> {
      if (fetches.incrementAndGet() > 1) {
        inFetch.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return jwks;
    }, clock, Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofSeconds(30));
    assertThat(remote.apply("k1")).isPresent();
    assertThat(fetches.get()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1)); // still fresh; past the minimum interval, so an unknown kid fetches
    CompletableFuture<Boolean> unknown = CompletableFuture.supplyAsync(() -> remote.apply("rotated").isPresent());
    try {
      assertThat(inFetch.await(30, TimeUnit.SECONDS)).as("the unknown kid fetches again, under the lock").isTrue();
      // this thread would block on the lock until release if the look-up took it
      assertThat(CompletableFuture.supplyAsync(() -> remote.apply("k1").isPresent()).get(30, TimeUnit.SECONDS))
          .isTrue();
    } finally {
      release.countDown();
    }
    assertThat(unknown.get(30, TimeUnit.SECONDS)).isFalse();
    assertThat(fetches.get()).isEqualTo(2);
  }

  @Test
  void aStaleSetIsFetchedAgainAndAFailedFetchKeepsItUntilTheOutageTolerance() throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    String jwks = new JWKSet(key.toPublicJWK()).toString();
    AtomicInteger fetches = new AtomicInteger();
    RemoteJwks remote = new RemoteJwks(URI.create("https://broker.example/jwks"), uri -> {
      if (fetches.incrementAndGet() > 1) {
        throw new java.io.IOException("down");
      }
      return jwks;
    }, clock, Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofSeconds(30));
    assertThat(remote.apply("k1")).isPresent();
    clock.advance(Duration.ofMinutes(5)); // exactly at the TTL: stale, fetched again (and fails)
    assertThat(remote.apply("k1")).isPresent();
    assertThat(fetches.get()).isEqualTo(2);
    clock.advance(Duration.ofMinutes(25)); // exactly at the outage tolerance: no key any more (fail closed)
    assertThat(remote.apply("k1")).isEmpty();
    assertThat(fetches.get()).isEqualTo(3);
  }
}
