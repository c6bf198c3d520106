package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.VerifiedTokenCacheTest.AUD;
import static dev.jitaccess.VerifiedTokenCacheTest.dpop;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The verified-token cache under concurrent callers (issue 17): what a hit refuses single-threaded it
 * refuses when threads race it. Threads are lined up with a barrier; the only waits are bounded guards
 * against a hang, never timing. The fixture is {@link VerifiedTokenCacheTest}'s (a counting key lookup the
 * tests can swap, a cached and an uncached {@code TokenVerifier} over one in-memory store).
 */
class VerifiedTokenCacheRaceTest {
  private static final int THREADS = 8;

  private final VerifiedTokenCacheTest f = new VerifiedTokenCacheTest();
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);

  @BeforeEach
  void setUp() throws Exception {
    f.setUp();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    f.tearDown();
  }

  private <T> List<T> all(List<Callable<T>> tasks) throws Exception {
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> t : tasks) {
      futures.add(pool.submit(t));
    }
    List<T> out = new ArrayList<>();
    for (Future<T> fu : futures) {
      out.add(fu.get(60, TimeUnit.SECONDS));
    }
    return out;
  }

  /**
   * Threads verify a cached token in a loop while another thread revokes its grant: no verification that
   * began after {@code revoke} returned is accepted, on any thread.
   */
  @RepeatedTest(5)
  void noVerificationBegunAfterTheRevocationReturnedIsAccepted() throws Exception {
    Grant g = f.grant("t1");
    f.warm(g.token());
    AtomicBoolean revoked = new AtomicBoolean();
    AtomicInteger acceptedAfter = new AtomicInteger();
    AtomicInteger refusedAfter = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(THREADS + 1);
    List<Callable<Integer>> tasks = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      tasks.add(() -> {
        start.await(30, TimeUnit.SECONDS);
        int calls = 0;
        while (refusedAfter.get() + acceptedAfter.get() < 1000) {
          boolean after = revoked.get(); // read before the call begins
          boolean ok = f.cached.verify(g.token(), AUD).isVerified();
          if (after) {
            (ok ? acceptedAfter : refusedAfter).incrementAndGet();
          }
          calls++;
        }
        return calls;
      });
    }
    tasks.add(() -> {
      start.await(30, TimeUnit.SECONDS);
      Thread.yield();
      assertThat(f.broker.revoke(g.id())).isTrue();
      revoked.set(true);
      return 0;
    });
    all(tasks);
    assertThat(acceptedAfter.get()).as("verifications begun after revoke() returned and accepted").isZero();
    assertThat(VerifiedTokenCacheTest.reason(f.cached.verify(g.token(), AUD)))
        .isEqualTo(Verification.RejectionReason.REVOKED);
  }

  /** A single-use token presented by 8 threads at once, on a hit or on a first presentation: one acceptance. */
  @RepeatedTest(5)
  void aSingleUseTokenIsAcceptedExactlyOnceAcrossThreads() throws Exception {
    for (boolean cachedFirst : new boolean[] {true, false}) {
      Grant g = f.broker.request(Fixtures.request(DEPLOYER).taskId("once-" + cachedFirst)
          .ttl(Duration.ofMinutes(5)).build());
      assertThat(g.info().singleUse()).isTrue();
      if (cachedFirst) {
        // an inspection fills the cache without spending the use
        assertThat(f.cached.verify(g.token(), VerificationRequest.builder(AUD).inspectOnly().build()).isVerified())
            .isTrue();
      }
      CyclicBarrier start = new CyclicBarrier(THREADS);
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        tasks.add(() -> {
          start.await(30, TimeUnit.SECONDS);
          return f.cached.verify(g.token(), AUD).isVerified();
        });
      }
      assertThat(all(tasks).stream().filter(ok -> ok).count()).as("acceptances, cached first: " + cachedFirst)
          .isEqualTo(1);
    }
  }

  /**
   * The signing key leaves the trusted set while threads verify tokens it signed, some of them first
   * presentations filling the cache at that moment: once the key is gone, no verification that begins
   * afterwards accepts any of them, on a hit or a miss.
   */
  @RepeatedTest(5)
  void noTokenOfARetiredKeyIsAcceptedAfterItsRetirementThoughAFillRaced() throws Exception {
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      tokens.add(f.grant("t" + i).token());
    }
    for (int i = 0; i < 32; i++) {
      f.warm(tokens.get(i)); // half cached, half first presentations during the race
    }
    AtomicBoolean retired = new AtomicBoolean();
    AtomicInteger acceptedAfter = new AtomicInteger();
    AtomicInteger refusedAfter = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(THREADS + 1);
    List<Callable<Integer>> tasks = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      int offset = i;
      tasks.add(() -> {
        start.await(30, TimeUnit.SECONDS);
        int k = offset;
        while (refusedAfter.get() + acceptedAfter.get() < 2000) {
          String t = tokens.get(k++ % tokens.size());
          boolean after = retired.get();
          boolean ok = f.cached.verify(t, AUD).isVerified();
          if (after) {
            (ok ? acceptedAfter : refusedAfter).incrementAndGet();
          }
        }
        return k;
      });
    }
    tasks.add(() -> {
      start.await(30, TimeUnit.SECONDS);
      Thread.yield();
      f.trusted.set(Optional.empty());
      retired.set(true);
      return 0;
    });
    all(tasks);
    assertThat(acceptedAfter.get()).as("verifications begun after the key left the trusted set and accepted").isZero();
    for (String t : tokens) {
      assertThat(VerifiedTokenCacheTest.reason(f.cached.verify(t, AUD)))
          .isEqualTo(Verification.RejectionReason.UNKNOWN_KEY);
    }
  }

  /** One DPoP proof presented with a cached token by 8 threads at once: one acceptance, the rest replays. */
  @RepeatedTest(5)
  void oneDpopProofIsAcceptedOnceThoughThreadsPresentItTogetherOnAHit() throws Exception {
    ECKey holder = new ECKeyGenerator(Curve.P_256).generate();
    Grant g = f.broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5))
        .dpopKey(holder.toPublicJWK().toJSONString()).build());
    String t = g.token();
    assertThat(f.cached.verify(t, dpop(f.proof(holder, t, "warm"))).isVerified()).isTrue();
    for (int round = 0; round < 3; round++) {
      String proof = f.proof(holder, t, "j" + round);
      CyclicBarrier start = new CyclicBarrier(THREADS);
      List<Callable<Verification>> tasks = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        tasks.add(() -> {
          start.await(30, TimeUnit.SECONDS);
          return f.cached.verify(t, dpop(proof));
        });
      }
      List<Verification> results = all(tasks);
      assertThat(results.stream().filter(Verification::isVerified).count()).as("round " + round).isEqualTo(1);
      assertThat(results.stream().filter(v -> !v.isVerified()).map(VerifiedTokenCacheTest::reason))
          .containsOnly(Verification.RejectionReason.REPLAYED);
    }
  }
}
