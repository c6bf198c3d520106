package dev.jitaccess.store.postgres;

import dev.jitaccess.JitException;
import dev.jitaccess.spi.KeyDirectory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public signing keys of every replica in PostgreSQL (table {@code jit_signing_key}, schema version
 * 4), for {@code GrantBroker.builder().keyDirectory(directory)}: each replica generates its own key, which
 * never leaves its JVM, registers the public JWK here before signing with it, and trusts the keys every
 * replica registered. Only public keys are stored; the table's triggers keep a key's material and start
 * fixed and let its {@code retireAfter} move only earlier.
 *
 * <p>Each method is one transaction. {@link #publish} also deletes keys retired more than a day before
 * the new key's {@code notBefore} (they can never be trusted again). {@link #subscribe} starts, on first
 * use, one listener thread with a connection of its own that {@code LISTEN}s on {@code jit_key_<schema>}
 * (a trigger announces every published or retired key) and also calls subscribers every poll interval
 * and after every reconnect, in case a notification was lost; {@link #close()} stops it.
 *
 * <p>Thread-safe. Errors of the database are thrown as {@link JitException} with the driver's exception as
 * cause (a broker then signs nothing with a key it could not register, and its verifier keeps its last
 * good set only within its bound). Requires the schema at version 4 or later ({@link PostgresSchema#migrate()}).
 */
public final class PostgresKeyDirectory implements KeyDirectory, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresKeyDirectory.class);
  /** Default {@link Builder#pollInterval}. */
  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
  /** How long after its retireAfter a key row is kept before {@link #publish} deletes it. */
  static final Duration KEEP_RETIRED = Duration.ofDays(1);

  private final Transactions tx;
  private final DataSource listenerDataSource;
  private final String schema;
  private final String table;
  private final Duration pollInterval;
  private final ThreadFactory threads;
  private final List<Runnable> subscribers = new CopyOnWriteArrayList<>();
  private @Nullable NotificationListener listener;
  private boolean closed;

  private PostgresKeyDirectory(DataSource dataSource, DataSource listenerDataSource, String schema,
      Duration pollInterval, ThreadFactory threads) {
    this.tx = new Transactions(dataSource);
    this.listenerDataSource = listenerDataSource;
    this.schema = SchemaName.check(schema);
    this.table = SchemaName.quoted(schema) + ".jit_signing_key";
    this.pollInterval = pollInterval;
    this.threads = threads;
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers a public key in one transaction; the same kid with the same JWK and window again is a no-op.
   *
   * @throws IllegalStateException if the kid is registered with another JWK or window
   * @throws JitException if the database fails (nothing was registered)
   */
  @Override
  public void publish(PublishedKey key) {
    Objects.requireNonNull(key, "key");
    int outcome = tx.inTransaction("publish key " + key.kid(), c -> {
      Instant horizon = key.notBefore().minus(KEEP_RETIRED);
      try (PreparedStatement del = c.prepareStatement("DELETE FROM " + table
          + " WHERE (retire_after_s, retire_after_n) < (?, ?) AND kid <> ?")) {
        setInstant(del, 1, horizon);
        del.setString(3, key.kid());
        del.executeUpdate();
      }
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + table
          + " (kid, jwk, not_before_s, not_before_n, retire_after_s, retire_after_n) VALUES (?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (kid) DO NOTHING")) {
        ins.setString(1, key.kid());
        ins.setString(2, key.publicJwk());
        setInstant(ins, 3, key.notBefore());
        setInstant(ins, 5, key.retireAfter());
        if (ins.executeUpdate() == 1) {
          return 1;
        }
      }
      PublishedKey existing = find(c, key.kid());
      return existing != null && existing.equals(key) ? 0 : -1;
    });
    if (outcome < 0) {
      throw new IllegalStateException("key " + key.kid() + " is already registered with other material or window");
    }
  }

  /**
   * Brings a key's {@code retireAfter} forward, in one transaction under the key's row lock.
   *
   * @throws IllegalArgumentException if {@code retireAfter} is not after the key's {@code notBefore}
   * @throws JitException if the database fails (nothing changed)
   */
  @Override
  public boolean retire(String kid, Instant retireAfter) {
    Objects.requireNonNull(kid, "kid");
    Objects.requireNonNull(retireAfter, "retireAfter");
    int result = tx.inTransaction("retire key " + kid, c -> {
      PublishedKey existing;
      try (PreparedStatement ps = c.prepareStatement("SELECT kid, jwk, not_before_s, not_before_n, retire_after_s,"
          + " retire_after_n FROM " + table + " WHERE kid = ? FOR UPDATE")) {
        ps.setString(1, kid);
        try (ResultSet rs = ps.executeQuery()) {
          existing = rs.next() ? row(rs) : null;
        }
      }
      if (existing == null || !retireAfter.isBefore(existing.retireAfter())) {
        return 0;
      }
      if (!retireAfter.isAfter(existing.notBefore())) {
        return -1;
      }
      try (PreparedStatement up = c.prepareStatement(
          "UPDATE " + table + " SET retire_after_s = ?, retire_after_n = ? WHERE kid = ?")) {
        setInstant(up, 1, retireAfter);
        up.setString(3, kid);
        up.executeUpdate();
      }
      return 1;
    });
    if (result < 0) {
      throw new IllegalArgumentException("retireAfter (" + retireAfter + ") of key " + kid
          + " must be after its notBefore");
    }
    return result == 1;
  }

  /**
   * The keys whose {@code retireAfter} is after {@code at}, ordered by kid, in one read.
   *
   * @throws JitException if the database fails
   */
  @Override
  public List<PublishedKey> keys(Instant at) {
    Objects.requireNonNull(at, "at");
    return tx.autoCommit("read the signing keys", c -> {
      List<PublishedKey> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT kid, jwk, not_before_s, not_before_n, retire_after_s,"
          + " retire_after_n FROM " + table + " WHERE (retire_after_s, retire_after_n) > (?, ?) ORDER BY kid")) {
        setInstant(ps, 1, at);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            PublishedKey k = rowOrNull(rs);
            if (k != null) {
              out.add(k);
            }
          }
        }
      }
      return List.copyOf(out);
    });
  }

  /**
   * Calls {@code onChange} on the listener thread after any replica published or retired a key, and at
   * every poll interval; starts the listener on first use.
   *
   * @throws IllegalStateException if this directory was closed
   */
  @Override
  public Subscription subscribe(Runnable onChange) {
    Objects.requireNonNull(onChange, "onChange");
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the key directory is closed");
      }
      subscribers.add(onChange);
      if (listener == null) {
        NotificationListener l = new NotificationListener(listenerDataSource, "jit_key_" + schema, pollInterval,
            threads, kid -> changed(), this::changed);
        listener = l;
        l.start();
      }
    }
    return () -> subscribers.remove(onChange);
  }

  private void changed() {
    for (Runnable r : subscribers) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("a key directory subscriber failed with {}; ignored", e.getClass().getName());
      }
    }
  }

  /** Whether the listener's connection is up right now (false before the first {@link #subscribe}). */
  public synchronized boolean listening() {
    return listener != null && listener.connected();
  }

  /** Stops the listener thread, if one was started. Idempotent; the keys stay registered. */
  @Override
  public void close() {
    NotificationListener l;
    synchronized (this) {
      closed = true;
      l = listener;
      listener = null;
    }
    subscribers.clear();
    if (l != null) {
      l.close();
    }
  }

  /** The schema name. */
  String schema() {
    return schema;
  }

  @Override
  public String toString() {
    return "PostgresKeyDirectory[schema=" + schema + "]";
  }

  private @Nullable PublishedKey find(Connection c, String kid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT kid, jwk, not_before_s, not_before_n, retire_after_s,"
        + " retire_after_n FROM " + table + " WHERE kid = ?")) {
      ps.setString(1, kid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? row(rs) : null;
      }
    }
  }

  /** Sets parameters {@code i} (epoch seconds) and {@code i + 1} (nanoseconds) to an instant. */
  @SuppressWarnings("JavaInstantGetSecondsGetNano") // both parts are stored: that is the exact encoding
  private static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
    ps.setLong(i, t.getEpochSecond());
    ps.setInt(i + 1, t.getNano());
  }

  private static PublishedKey row(ResultSet rs) throws SQLException {
    return new PublishedKey(rs.getString(1), rs.getString(2),
        Instant.ofEpochSecond(rs.getLong(3), rs.getInt(4)), Instant.ofEpochSecond(rs.getLong(5), rs.getInt(6)));
  }

  /** A row as a key, or null (logged by kid, without the JWK) when its values are not a valid key. */
  private static @Nullable PublishedKey rowOrNull(ResultSet rs) throws SQLException {
    try {
      return row(rs);
    } catch (RuntimeException e) {
      LOG.warn("the signing key row {} is not a valid key ({}); skipped", escaped(rs.getString(1)), e.getClass().getSimpleName());
      return null;
    }
  }

  private static String escaped(@Nullable String kid) {
    if (kid == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < kid.length() && i < 64; i++) {
      char ch = kid.charAt(i);
      b.append(ch < 0x20 || ch >= 0x7f ? '?' : ch);
    }
    return b.toString();
  }

  /** Builds a {@link PostgresKeyDirectory}. Not thread-safe. */
  public static final class Builder {
    private @Nullable DataSource dataSource;
    private @Nullable DataSource listenerDataSource;
    private @Nullable String schema;
    private @Nullable Duration pollInterval;
    private @Nullable ThreadFactory threads;

    private Builder() {}

    /** The database, usually a connection pool. Required. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Checks.setOnce(this.dataSource, dataSource, "dataSource");
      return this;
    }

    /**
     * Where the listener's own long-lived connection comes from; default: one connection of {@link
     * #dataSource} (held while the directory is open).
     */
    public Builder listenerDataSource(DataSource listenerDataSource) {
      this.listenerDataSource = Checks.setOnce(this.listenerDataSource, listenerDataSource, "listenerDataSource");
      return this;
    }

    /**
     * The schema holding the jit-access tables; default {@code jit}.
     *
     * @throws IllegalArgumentException if it is not lower-case ASCII letters, digits and underscores,
     *     starting with a letter or underscore, at most 40 characters
     */
    public Builder schema(String schema) {
      this.schema = SchemaName.check(Checks.setOnce(this.schema, schema, "schema"));
      return this;
    }

    /** How often subscribers are called without a notification, and how long a lost listener waits (and {@link #close()} may take); default 1 s. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = Checks.positive(Checks.setOnce(this.pollInterval, pollInterval, "pollInterval"), "pollInterval");
      return this;
    }

    /** Makes the listener thread; default a daemon thread named {@code jit-keys-<schema>}. */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threads = Checks.setOnce(this.threads, threadFactory, "threadFactory");
      return this;
    }

    /**
     * Builds the directory after checking the schema's version ({@link PostgresSchema#check()}).
     *
     * @throws IllegalStateException if no data source was given
     * @throws JitException if the database is unreachable or the schema is missing, older or newer than
     *     this library
     */
    public PostgresKeyDirectory build() {
      if (dataSource == null) {
        throw new IllegalStateException("dataSource is required");
      }
      String name = schema == null ? SchemaName.DEFAULT : schema;
      PostgresSchema.of(dataSource, name).check();
      ThreadFactory t = threads != null ? threads : r -> {
        Thread th = new Thread(r, "jit-keys-" + name);
        th.setDaemon(true);
        return th;
      };
      return new PostgresKeyDirectory(dataSource, listenerDataSource != null ? listenerDataSource : dataSource, name,
          pollInterval != null ? pollInterval : DEFAULT_POLL_INTERVAL, t);
    }
  }
}
