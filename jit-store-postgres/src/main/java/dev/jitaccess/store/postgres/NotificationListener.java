package dev.jitaccess.store.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that holds a connection of its own, {@code LISTEN}s on one channel and hands each payload
 * to a callback; NOTIFY is only a hint, so it also runs a catch-up callback, which must read the truth
 * from the tables, after every (re)connect, whenever a poll interval passes without a notification, and
 * after every {@value #CATCH_UP_EVERY_BATCHES} batches of notifications. It reads no clock: the waits are
 * the driver's {@code getNotifications(timeout)} and a latch. A lost connection is retried after
 * the poll interval, for ever, until {@link #close()}. Callback exceptions are logged and ignored.
 */
final class NotificationListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationListener.class);

  private final DataSource dataSource;
  private final String channel;
  private final long pollMillis;
  private final Consumer<String> onNotification;
  private final Runnable catchUp;
  private final Thread thread;
  /** Under a steady stream of notifications, the catch-up still runs after this many batches. */
  static final int CATCH_UP_EVERY_BATCHES = 100;

  private final CountDownLatch stop = new CountDownLatch(1);
  private volatile boolean connected;

  /**
   * @param dataSource where the listening connection comes from; it is held until close
   * @param channel the channel, a valid unquoted identifier
   * @param pollInterval how often {@code catchUp} runs and how long a lost connection waits to retry
   * @param threads makes the listening thread
   */
  NotificationListener(DataSource dataSource, String channel, Duration pollInterval, ThreadFactory threads,
      Consumer<String> onNotification, Runnable catchUp) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.channel = Objects.requireNonNull(channel, "channel");
    this.pollMillis = Math.max(1, pollInterval.toMillis());
    this.onNotification = Objects.requireNonNull(onNotification, "onNotification");
    this.catchUp = Objects.requireNonNull(catchUp, "catchUp");
    this.thread = threads.newThread(this::run);
  }

  void start() {
    thread.start();
  }

  /** Whether the listening connection is up (LISTEN issued) right now. */
  boolean connected() {
    return connected;
  }

  private void run() {
    while (stop.getCount() > 0) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + channel);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        connected = true;
        runQuietly(catchUp);
        int batches = 0;
        while (stop.getCount() > 0) {
          PGNotification[] notifications = pg.getNotifications((int) Math.min(Integer.MAX_VALUE, pollMillis));
          if (notifications == null || notifications.length == 0 || ++batches >= CATCH_UP_EVERY_BATCHES) {
            runQuietly(catchUp); // a quiet poll interval, or a long busy run: read the truth
            batches = 0;
          }
          if (notifications != null) {
            for (PGNotification n : notifications) {
              String payload = n.getParameter();
              try {
                onNotification.accept(payload);
              } catch (RuntimeException e) {
                LOG.warn("listener on {}: handling a notification failed with {}; the next catch-up retries",
                    channel, e.toString());
              }
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        connected = false;
        if (stop.getCount() > 0) {
          LOG.warn("listener on {} lost its connection ({}); retrying in {} ms", channel, e.toString(), pollMillis);
        }
      } finally {
        connected = false;
      }
      try {
        stop.await(pollMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void runQuietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("listener on {}: catch-up failed with {}; retrying at the next poll", channel, e.toString());
    }
  }

  /** Stops the thread (within about one poll interval) and releases its connection. Idempotent. */
  @Override
  public void close() {
    stop.countDown();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(pollMillis * 2 + 1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
