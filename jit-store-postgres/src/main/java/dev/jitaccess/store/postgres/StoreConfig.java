package dev.jitaccess.store.postgres;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import javax.sql.DataSource;

/**
 * Every option of a {@link PostgresGrantStore}, resolved by its builder (each default is stated beside its
 * builder method), and checked against each other here.
 *
 * @param callbacks runs the change listeners; {@code Runnable::run} for the feed thread itself
 */
record StoreConfig(DataSource dataSource, DataSource listenerDataSource, String schema, Clock clock,
    Duration retention, Duration maxStaleness, Duration catchUpInterval, int cacheSize, ThreadFactory threads,
    Executor callbacks, Duration sweepInterval, int sweepBatch, Duration sweepGrace, Duration changeRetention) {

  /** @throws IllegalArgumentException if the catch-up interval is not shorter than maxStaleness */
  StoreConfig {
    if (catchUpInterval.compareTo(maxStaleness) >= 0) {
      throw new IllegalArgumentException(
          "catchUpInterval (" + catchUpInterval + ") must be shorter than maxStaleness (" + maxStaleness + ")");
    }
  }
}
