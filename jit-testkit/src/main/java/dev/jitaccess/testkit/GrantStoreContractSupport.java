package dev.jitaccess.testkit;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * What the parts of the {@link GrantStore} contract share: the store under test, an optional peer sharing
 * its data, the manual clock it runs on, and records to put into it. Extend {@link GrantStoreContract},
 * which runs every part; this class has no tests.
 *
 * <p>A fresh instance of the test class, with a fresh {@link #clock}, runs each test.
 */
public abstract class GrantStoreContractSupport {
  /** A manual clock at {@link JitTestKit#DEFAULT_START}; also a scheduler. Build your store on it. */
  protected final ManualClock clock = ManualClock.at(JitTestKit.DEFAULT_START);

  /** The owner of the records {@link #record(String, String)} makes. */
  protected static final String OWNER = "team-contract";

  private int sequence;

  /** Creates this class; subclasses need a no-argument constructor for JUnit. */
  protected GrantStoreContractSupport() {}

  /** A fresh, empty store; called once per test. */
  protected abstract GrantStore newStore();

  /**
   * A second instance sharing {@code store}'s data, as another replica would, or null (the default) if
   * the store's data is never shared; the change-feed tests are then skipped.
   */
  protected @Nullable GrantStore peerOf(GrantStore store) {
    return null;
  }

  /**
   * A live record for a new grant of {@code identity} and {@code task}, expiring in 10 minutes, owned by
   * {@link #OWNER} (so records of several identities may share a task).
   */
  protected GrantRecord record(String identity, String task) {
    return record(identity, task, OWNER);
  }

  /**
   * A live record for a new grant of {@code identity} and {@code task} with this owner (null: none, so the
   * identity itself is the task owner), expiring in 10 minutes.
   */
  protected GrantRecord record(String identity, String task, @Nullable String owner) {
    Instant now = clock.instant();
    sequence++;
    GrantInfo info = GrantInfo.builder()
        .grantId("grant-" + sequence)
        .subject(identity)
        .issuer("https://jit.test")
        .resource("db://orders")
        .actions(Set.of("read"))
        .taskId(task)
        .purpose("contract")
        .environment("test")
        .issuedAt(now)
        .expiresAt(now.plus(Duration.ofMinutes(10)))
        .owner(owner)
        .build();
    return GrantRecord.live(info, null, Instant.MAX);
  }

  /** A live sub-grant of {@code parent} for {@code delegate}: same task, the parent's owner, its chain. */
  protected GrantRecord subGrant(GrantRecord parent, String delegate) {
    sequence++;
    java.util.List<String> chain = new java.util.ArrayList<>();
    chain.add(parent.info().subject());
    chain.addAll(parent.info().delegators());
    GrantInfo info = parent.info().toBuilder()
        .grantId("grant-" + sequence)
        .subject(delegate)
        .delegation(parent.grantId(), chain)
        .build();
    return GrantRecord.live(info, null, Instant.MAX);
  }

  /** The peer of {@code store}, or the test is skipped (aborted) when the store's data is not shared. */
  protected GrantStore peerOrSkip(GrantStore store) {
    GrantStore peer = peerOf(store);
    if (peer == null) {
      return Assumptions.abort("the store's data is not shared with another instance");
    }
    return peer;
  }

  /** Waits (at most 30 s per change heard, never sleeping) until the listener heard the grant in that state. */
  protected static GrantStore.Change awaitState(BlockingQueue<GrantStore.Change> heard, String grantId,
      GrantState state) throws InterruptedException {
    for (int i = 0; i < 10_000; i++) {
      GrantStore.Change c = heard.poll(30, TimeUnit.SECONDS);
      if (c == null) {
        throw new AssertionError("no change of " + grantId + " to " + state + " was heard within 30 s");
      }
      if (c.grantId().equals(grantId) && c.state() == state) {
        return c;
      }
    }
    throw new AssertionError("no change of " + grantId + " to " + state + " among 10,000 changes heard");
  }

  /**
   * Runs {@code action} for 0 to {@code n - 1} on four threads, all released at once, and returns the results
   * in index order (each waited for at most 30 s).
   */
  protected static <T> List<T> runConcurrently(int n, java.util.function.IntFunction<T> action) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        futures.add(pool.submit(() -> {
          start.await();
          return action.apply(index);
        }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
