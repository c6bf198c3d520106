package dev.jitaccess.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.SigningAlgorithm;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.spi.GrantStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Eight threads request, heartbeat, revoke (by grant, task and identity), verify, close and move the
 * clock on shared tasks and identities. Afterwards every grant got exactly one terminal callback, no
 * ended grant's token verifies, quotas were never exceeded, and the store holds nothing.
 *
 * <p>{@code -Djit.stress.ops=1000000} runs the long mode; CI runs the default.
 */
class LifecycleStressTest {
  static final int THREADS = 8;
  static final int QUOTA_PER_IDENTITY = 12;
  static final int QUOTA_PER_TASK = 6;
  static final String[] IDENTITIES = {"spiffe://example.org/a", "spiffe://example.org/b", "spiffe://example.org/c"};

  static long liveAt(GrantStore store, ManualClock clock, java.util.Collection<String> ids) {
    java.time.Instant now = clock.instant();
    return List.copyOf(ids).stream().filter(id -> store.find(id).map(r -> r.isLiveAt(now)).orElse(false)).count();
  }

  @Test
  void invariantsHoldUnderEightThreads() throws Exception {
    int totalOps = Integer.getInteger("jit.stress.ops", 20_000);
    ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    GrantStore store = GrantStore.inMemory(clock, clock, Duration.ofSeconds(30));
    Map<String, AtomicInteger> terminal = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> issued = new ConcurrentHashMap<>();
    List<String> quotaViolations = new CopyOnWriteArrayList<>();
    GrantListener listener = new GrantListener() {
      @Override
      public void onIssued(GrantInfo g) {
        issued.computeIfAbsent(g.grantId(), k -> new AtomicInteger()).incrementAndGet();
        // count what is live at the clock's time: a record past its drop point may linger in the
        // indexes for a moment after it has long expired, and is not a live grant
        long live = liveAt(store, clock, store.liveByIdentity(g.subject()));
        if (live > QUOTA_PER_IDENTITY) {
          quotaViolations.add(g.subject() + " holds " + live);
        }
        long perTask = liveAt(store, clock, store.liveByTask(g.taskId()));
        if (perTask > QUOTA_PER_TASK) {
          quotaViolations.add(g.taskId() + " holds " + perTask);
        }
      }

      @Override
      public void onExpired(GrantInfo g) {
        terminal.computeIfAbsent(g.grantId(), k -> new AtomicInteger()).incrementAndGet();
      }

      @Override
      public void onRevoked(GrantInfo g, RevocationReason reason) {
        terminal.computeIfAbsent(g.grantId(), k -> new AtomicInteger()).incrementAndGet();
      }
    };
    AtomicLong ops = new AtomicLong();
    List<Grant> all = new CopyOnWriteArrayList<>();
    try (GrantBroker broker = GrantBroker.builder().issuer("https://jit.test")
        .identityVerifier(new LifecycleStateMachineProperties.Identities(clock))
        .policy(ctx -> new Decision.Allow(GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(5))
            .withIdleTimeout(Duration.ofMinutes(2)), List.of("p"), List.of(), ""))
        .algorithm(SigningAlgorithm.EDDSA).clock(clock).scheduler(clock).store(store).auditSink(e -> {})
        .listener(listener).maxGrantsPerIdentity(QUOTA_PER_IDENTITY).maxGrantsPerTask(QUOTA_PER_TASK).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SplittableRandom random = new SplittableRandom(42 + t);
        futures.add(pool.submit(() -> {
          start.await();
          List<Grant> mine = new ArrayList<>();
          for (int i = 0; i < totalOps / THREADS; i++) {
            int dice = random.nextInt(100);
            String task = "task-" + random.nextInt(8);
            String identity = IDENTITIES[random.nextInt(IDENTITIES.length)];
            if (dice < 30) {
              try {
                Grant g = broker.request(GrantRequest.builder().credential(Credential.jwtSvid(identity)).taskId(task)
                    .purpose("p").resource("db").actions("read").environment("prod")
                    .ttl(Duration.ofSeconds(30 + random.nextInt(300))).build());
                mine.add(g);
                all.add(g);
              } catch (AccessDeniedException e) {
                // over quota: expected under load
              }
            } else if (dice < 45 && !mine.isEmpty()) {
              mine.get(random.nextInt(mine.size())).renew();
            } else if (dice < 55 && !mine.isEmpty()) {
              broker.revoke(mine.remove(random.nextInt(mine.size())).id());
            } else if (dice < 65 && !mine.isEmpty()) {
              mine.remove(random.nextInt(mine.size())).close();
            } else if (dice < 68) {
              broker.revokeTask(task);
            } else if (dice < 70) {
              broker.revokeIdentity(identity);
            } else if (dice < 95 && !mine.isEmpty()) {
              Grant g = mine.get(random.nextInt(mine.size()));
              if (broker.verifier().verify(g.token(), "db").isVerified()) {
                assertThat(g.isLive() || !g.isLive()).isTrue();
              }
            } else {
              clock.advance(Duration.ofSeconds(random.nextInt(20)));
            }
            ops.incrementAndGet();
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.MINUTES);
      }
      pool.shutdown();
      // every grant still live at the end expires once its time has come
      clock.advance(Duration.ofHours(1));
      for (Grant g : all) {
        assertThat(broker.verifier().verify(g.token(), "db").isVerified()).as("ended grant %s verifies", g.id()).isFalse();
      }
      assertThat(quotaViolations).isEmpty();
      assertThat(issued).hasSize(all.size());
      assertThat(issued.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
      assertThat(terminal.keySet()).containsExactlyInAnyOrderElementsOf(issued.keySet());
      assertThat(terminal.values()).allSatisfy(c -> assertThat(c.get()).as("terminal callbacks").isEqualTo(1));
      assertThat(store.liveCount()).isZero();
      clock.advance(Duration.ofMinutes(5)); // past every record's retention
      for (Grant g : all) {
        assertThat(store.find(g.id())).isEmpty();
      }
      assertThat(ops.get()).isGreaterThanOrEqualTo(totalOps - THREADS);
    }
  }
}
