package dev.jitaccess.store.postgres;

import dev.jitaccess.spi.GrantStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change feed of one store instance: a dedicated connection that LISTENs on the schema's channel
 * (the fast hint: one NOTIFY per statement, its payload the grant id when one grant changed) and runs a
 * catch-up query (the truth) after every (re)connect, every {@code catchUpInterval}, and at once on a
 * notification without payload (a statement that changed several grants, such as a revokeTask): a burst
 * of changes is then one catch-up (one query for the ids, every id invalidated at once, then one light
 * read of their states), not one notification and load per grant. The SQL is {@link ChangeReads}'s, the
 * listeners {@link FeedSubscribers}'.
 *
 * <h2>The watermark</h2>
 * A catch-up runs in a REPEATABLE READ transaction and remembers that transaction's snapshot
 * ({@code pg_current_snapshot()}). The next catch-up reads the change rows whose writing transaction
 * that snapshot did not see: {@code txid >= pg_snapshot_xmin(prev) AND NOT pg_visible_in_snapshot(txid,
 * prev)}. Transactions commit in any order relative to their ids, and a transaction still running at
 * the previous snapshot is found once it commits: no id gap is ever skipped (SPIRE's event-table bug).
 * If the newest pruned change row was not visible to the previous snapshot (an outage longer than the
 * change retention), the whole cache is dropped instead. (The check looks at the newest pruned
 * transaction only, not at the oldest running one: a transaction left open anywhere on the server holds
 * every snapshot's xmin back and must not make every catch-up drop the cache. A change in a transaction
 * that stays open longer than the change retention may therefore be missed by a catch-up;
 * jit-access's own transactions last milliseconds.)
 *
 * <h2>Freshness</h2>
 * {@link #isFresh} is true while the last successful catch-up began less than {@code maxStaleness} ago
 * (by the injected clock): every change committed before it has been applied, and later ones arrive by
 * NOTIFY on the live connection. When the connection is lost the feed stops advancing, and once
 * {@code maxStaleness} has passed the store reads the database instead of the cache.
 *
 * <p>Each catch-up also reads the bulk ends announced and not yet written (schema V10; the grant ids only of
 * those the cache does not know yet) and lays them over the cache ({@link RecordCache#announcementsAre}),
 * after the same snapshot's changed grants left it: an announced end is refused from the NOTIFY of its
 * announcement on, and its listeners hear of it from the change-log row of the UPDATE that writes it.
 *
 * <p>Changed grants leave the cache; then their id, state and revocation reason (never the whole record:
 * a replica that tracks none of 10,000 revoked grants must not read 10,000 records) are read in batches of
 * 10,000 and handed to the subscribers as {@link GrantStore.Change}s. The next {@code find} of a changed
 * grant reads the database.
 */
final class ChangeFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresGrantStore.class);
  private static final int POLL_MILLIS = 100;
  private static final int LOAD_BATCH = 10_000;
  /** The timeout of every query of the feed ({@link ChangeReads}). */
  static final int QUERY_TIMEOUT_SECONDS = 10;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  private final DataSource dataSource;
  private final String schema;
  private final String channel;
  private final Clock clock;
  private final Duration maxStaleness;
  private final Duration catchUpInterval;
  private final RecordCache cache;
  private final ChangeReads reads;
  private final Runnable periodic;
  private final FeedSubscribers subscribers;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch listening = new CountDownLatch(1);
  private final ReentrantLock progress = new ReentrantLock();
  private final Condition caughtUp = progress.newCondition();
  /** Signalled when the feed thread has closed its connection (under {@link #progress}). */
  private final Condition released = progress.newCondition();
  private final Thread thread;

  private volatile boolean closed;
  private volatile boolean paused;
  private volatile boolean ignoreNotifications;
  private volatile @Nullable Connection current;
  /** Clock time just before the last successful catch-up's snapshot; null before the first. */
  private volatile @Nullable Instant freshAsOf;
  /** How many catch-ups succeeded (and delivered); for tests. */
  private volatile long catchUps;

  // feed thread only
  private @Nullable String snapshot;
  private final Set<String> pending = new LinkedHashSet<>();
  /** A notification without payload (a statement changed several grants) asks for a catch-up now. */
  private boolean catchUpNow;

  ChangeFeed(DataSource dataSource, String schema, Clock clock, Duration maxStaleness, Duration catchUpInterval,
      RecordCache cache, Runnable periodic, Executor callbacks, ThreadFactory threads) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.channel = '"' + SchemaName.grantChannel(schema) + '"';
    this.reads = new ChangeReads(schema);
    this.clock = clock;
    this.maxStaleness = maxStaleness;
    this.catchUpInterval = catchUpInterval;
    this.cache = cache;
    this.periodic = periodic;
    this.subscribers = new FeedSubscribers(callbacks);
    this.thread = threads.newThread(this::run);
  }

  /** The default thread factory: daemon threads named {@code jit-pg-feed-<schema>}. */
  static ThreadFactory daemonThreads(String schema) {
    return r -> {
      Thread t = new Thread(r, "jit-pg-feed-" + schema);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Starts the feed thread and waits (at most {@code wait}) until it listens and has caught up once, so
   * that no change committed after this returns is missed.
   *
   * @return false if it did not within {@code wait} (the feed keeps trying; reads go to the database)
   */
  boolean start(Duration wait) {
    thread.start();
    try {
      return listening.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether the cache may answer at {@code now}: the feed caught up less than maxStaleness ago. */
  boolean isFresh(Instant now) {
    Instant f = freshAsOf;
    return f != null && !closed && now.isBefore(f.plus(maxStaleness));
  }

  GrantStore.Subscription subscribe(GrantStore.ChangeListener listener) {
    return subscribers.subscribe(listener);
  }

  /**
   * Drops the connection and stops listening until {@link #resume()}, as a lost listener would: the
   * cache keeps answering until maxStaleness has passed; for fault tests.
   */
  void pause() {
    progress.lock();
    try {
      paused = true;
    } finally {
      progress.unlock();
    }
    awaitReleased();
  }

  void resume() {
    paused = false;
  }

  /** Drops every NOTIFY from now on, as if they were lost: only catch-ups bring changes; for tests. */
  void ignoreNotifications() {
    ignoreNotifications = true;
  }

  long catchUps() {
    return catchUps;
  }

  /** Waits until more than {@code n} catch-ups succeeded; false on timeout. For tests. */
  boolean awaitCatchUpsAbove(long n, Duration wait) throws InterruptedException {
    progress.lock();
    try {
      long left = wait.toNanos();
      while (catchUps <= n) {
        if (left <= 0) {
          return false;
        }
        left = caughtUp.awaitNanos(left);
      }
      return true;
    } finally {
      progress.unlock();
    }
  }

  @Override
  public void close() {
    progress.lock();
    try {
      closed = true;
    } finally {
      progress.unlock();
    }
    stop.countDown();
    awaitReleased();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Waits until the feed thread has closed its connection itself. A connection is never closed from
   * another thread while the feed uses it: a pooled connection closed mid-catch-up could go back to the
   * pool inside the catch-up's read-only transaction. Only a feed thread stuck longer than a query's
   * timeout has its connection aborted ({@link Connection#abort}), which breaks it, so a pool evicts it.
   */
  private void awaitReleased() {
    if (Thread.currentThread() == thread) {
      return;
    }
    Connection stuck = null;
    progress.lock();
    try {
      long left = TimeUnit.SECONDS.toNanos(QUERY_TIMEOUT_SECONDS + 5L);
      while (current != null && thread.isAlive() && left > 0) {
        left = released.awaitNanos(left);
      }
      stuck = thread.isAlive() ? current : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stuck = current;
    } finally {
      progress.unlock();
    }
    if (stuck != null) {
      LOG.warn("change feed of schema {} did not release its connection in time; aborting it", schema);
      try {
        stuck.abort(Runnable::run);
      } catch (SQLException | RuntimeException ignored) {
        // already broken
      }
    }
  }

  /** Makes {@code c} the feed's connection unless the feed was paused or closed meanwhile. */
  private boolean hold(Connection c) {
    progress.lock();
    try {
      if (closed || paused) {
        return false;
      }
      current = c;
      return true;
    } finally {
      progress.unlock();
    }
  }

  private void release() {
    progress.lock();
    try {
      current = null;
      released.signalAll();
    } finally {
      progress.unlock();
    }
  }

  private void run() {
    Duration backoff = FIRST_BACKOFF;
    boolean lost = false;
    while (!closed) {
      if (paused) {
        await(FIRST_BACKOFF);
        continue;
      }
      try (Connection c = dataSource.getConnection()) {
        if (!hold(c)) {
          continue;
        }
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + channel);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        Instant nextCatchUp = catchUp(c).plus(catchUpInterval);
        if (lost) {
          LOG.info("change feed of schema {} reconnected and caught up", schema);
          lost = false;
        }
        backoff = FIRST_BACKOFF;
        while (!closed && !paused) {
          PGNotification[] ns = pg.getNotifications(POLL_MILLIS);
          if (ns != null && !ignoreNotifications) {
            for (PGNotification n : ns) {
              if (n.getParameter().isEmpty()) {
                catchUpNow = true;
              } else {
                pending.add(n.getParameter());
              }
            }
          }
          if (catchUpNow) {
            nextCatchUp = catchUp(c).plus(catchUpInterval);
          }
          if (!pending.isEmpty()) {
            deliver(c);
          }
          Instant now = clock.instant();
          if (!now.isBefore(nextCatchUp)) {
            nextCatchUp = catchUp(c).plus(catchUpInterval);
          }
          periodic.run();
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          break;
        }
        if (!lost && !paused) {
          LOG.warn("change feed of schema {} lost its connection ({}: {}); reconnecting; the cache answers for at most {}"
              + " after the last catch-up", schema, e.getClass().getSimpleName(), e.getMessage(), maxStaleness);
        }
        lost = true;
        await(backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      } finally {
        release(); // after try-with-resources closed the connection, on this thread
      }
    }
  }

  /**
   * Reads what changed since the last snapshot (or resets the cache), marks the feed fresh and delivers.
   *
   * @return the clock time it began at, from which the next one is due
   */
  @SuppressWarnings("NonAtomicVolatileUpdate") // catchUps is written only under the progress lock
  private Instant catchUp(Connection c) throws SQLException {
    Instant startedAt = clock.instant();
    String prev = snapshot;
    catchUpNow = false;
    ChangeReads.CatchUp found = reads.catchUp(c, prev, pending, cache.announcementIds());
    boolean reset = found.reset();
    if (reset) {
      if (prev != null) {
        LOG.warn("change feed of schema {}: changes it had not read were pruned meanwhile; the local cache is dropped",
            schema);
      }
      cache.reset();
    }
    // every changed grant leaves the cache before the feed counts as fresh; their states are read after.
    // Then the announced bulk ends of the same snapshot (V10) are laid over the cache: the live grants they
    // name read ended; an end written meanwhile is dropped only now, after its grants left the cache. Their
    // listeners hear of them once the end is written.
    for (String id : pending) {
      cache.invalidate(id);
    }
    cache.announcementsAre(found.announced());
    snapshot = found.snapshot();
    freshAsOf = startedAt;
    if (!pending.isEmpty()) {
      deliver(c);
    }
    progress.lock();
    try {
      catchUps++;
      caughtUp.signalAll();
    } finally {
      progress.unlock();
    }
    listening.countDown();
    return startedAt;
  }

  /**
   * Invalidates the pending grants, then reads their states (a light read, in batches) and hands them to
   * the subscribers.
   */
  private void deliver(Connection c) throws SQLException {
    List<String> ids = new ArrayList<>(pending);
    for (String id : ids) {
      cache.invalidate(id);
    }
    for (int from = 0; from < ids.size(); from += LOAD_BATCH) {
      List<String> batch = ids.subList(from, Math.min(ids.size(), from + LOAD_BATCH));
      List<GrantStore.Change> changes = subscribers.isEmpty() ? List.of() : reads.states(c, batch);
      batch.forEach(pending::remove);
      subscribers.deliver(changes);
    }
  }

  private void await(Duration d) {
    try {
      stop.await(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  @Override
  public String toString() {
    return "ChangeFeed[" + schema + ", fresh as of " + freshAsOf + "]";
  }
}
