package dev.jitaccess.store.postgres;

import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link GrantStore} in PostgreSQL, shared by every replica of a service: revocation, renewal, single
 * use, quotas and one-time values hold across JVMs. Each method is one transaction on a connection of
 * the user's {@link DataSource} (a pool such as HikariCP).
 *
 * <ul>
 *   <li>{@link #insert}: one statement, the schema's function {@code jit_insert_grant}: it takes
 *       transaction-level advisory locks on the identity and then on the task, reads their live-grant
 *       counters (kept exact by triggers in every transaction that inserts, ends or deletes grants: V6)
 *       and inserts. Far from its quota an identity's lock is shared by up to 16 inserts in flight (one
 *       insert slot each, schema V7; one read of its counters, V11), so they do not wait for each other's
 *       commit; near it, inserts take the lock exclusively and serialise on any replicas, so no quota is
 *       ever exceeded and a task (whose lock is always exclusive) is never bound to two owners. The connection must run READ COMMITTED
 *       (the default); under another isolation level the function refuses and the insert fails closed.
 *   <li>{@link #update}: reads the row {@code FOR UPDATE}, applies the change once, writes it only if it
 *       changed anything; concurrent updates of a grant on any replicas serialise on the row lock.
 *   <li>{@link #endLive}: per 10,000 grants, first an announcement (schema V10, {@code jit_announce_end}:
 *       one short auto-commit statement; from its commit on every replica's {@link #find} shows the named
 *       live grants ended), then one UPDATE under an advisory lock that bulk ends take in turn, which also
 *       deletes the announcement; no index names the state, so ending a grant is a HOT update that writes no
 *       index entry. An announcement whose UPDATE never commits (the replica died, or the transaction
 *       failed) keeps its grants refused until a sweeper completes it.
 *   <li>{@link #liveByTask}, {@link #liveByIdentity}: indexes by task and by identity.
 *   <li>{@link #markUsed}: a unique insert of the value's SHA-256; a value whose window ended may be
 *       recorded again.
 * </ul>
 *
 * <h2>Change feed and local cache</h2>
 * Every update or deletion of grant rows (by any replica, or by hand) is logged by a statement-level
 * trigger and announced by one NOTIFY per statement: the grant id when one row changed, an empty payload
 * (catch up) when several did. Inserts are not announced: no replica can hold a stale copy of a grant
 * that did not exist, since the cache never records an absence. Each store instance has a change feed
 * ({@link Builder#listenerDataSource}: one dedicated connection) that LISTENs, and catches up from the
 * change log after every (re)connect and every
 * {@link Builder#catchUpInterval}, on a snapshot watermark that never skips a transaction committing
 * out of id order. Changed grants leave the local cache and reach the listeners of {@link #subscribe} as
 * {@link GrantStore.Change}s, id and state only (the broker reports ends made on other replicas from them).
 *
 * <p>{@link #find}, the verifier's hot path, answers from a bounded local cache while the feed is
 * fresh: its last catch-up began less than {@link Builder#maxStaleness} ago. When the feed has been down
 * longer, {@code find} reads the database, and fails (so the verifier refuses) if the database cannot
 * be reached: a stale "live" is never trusted beyond that bound. Every other method always goes to the
 * database.
 *
 * <h2>Sweeper</h2>
 * Each instance's feed thread runs {@link #sweep()} every {@link Builder#sweepInterval}. It completes the
 * bulk ends ({@link #endLive}) announced more than {@link Builder#sweepGrace} ago and never written (the
 * announcing replica died or failed), each exactly once across replicas, with {@code REVOKED} records as
 * below for expiries. It also ends expired grants, so a grant
 * whose issuing JVM died is still ended in the store (its in-process listeners died with that JVM). The
 * issuing replica's broker, if alive, competes for the same end: its timer's update locks the row
 * ({@code FOR UPDATE}) and changes it only while it is LIVE, the sweeper skips locked rows and re-checks
 * LIVE, so exactly one of them ends the grant and that one writes its {@code EXPIRED} audit record. When
 * a {@link PostgresAuditSink} is linked to this store ({@link PostgresAuditSink.Builder#grantStore}), the
 * sweeper appends the record in the transaction that ends the grant (claim, state and record commit
 * together or not at all); without one it only logs the grant ids at INFO. A broker hearing of an end
 * through the change feed calls its listeners but audits nothing, so the shared trail holds each end once.
 *
 * <p>The schema must be at {@link PostgresSchema#latestVersion()}: {@link Builder#build()} checks it and
 * refuses a missing, older, newer or unknown schema (see {@link PostgresSchema#check()}).
 *
 * <p>Any database failure is thrown as {@link dev.jitaccess.JitException} with the driver's exception as
 * cause, so the broker fails closed; nothing half-done is committed. {@link #close()} stops the feed
 * thread; the data source stays the caller's to close.
 */
public final class PostgresGrantStore implements GrantStore, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresGrantStore.class);
  private final String schema;
  private final Clock clock;
  private final Duration retention;
  private final Transactions db;
  private final GrantStatements sql;
  /** How many grants one {@link #endLive} transaction ends at most. */
  private static final int END_BATCH = 10_000;
  private final @Nullable RecordCache cache;
  private final ChangeFeed feed;
  private final GrantSweeper sweeper;
  /** Parks inserts until their ISSUED record once a PostgresAuditSink is linked. */
  private final IssuanceLink issuance;
  private volatile boolean issuanceLinked;
  /** Where the sweeper appends the EXPIRED record of each grant it ends, in the same transaction. */
  private volatile @Nullable PostgresAuditSink expiryAudit;

  private PostgresGrantStore(StoreConfig config) {
    this.schema = config.schema();
    this.clock = config.clock();
    this.retention = config.retention();
    this.db = new Transactions(config.dataSource());
    this.issuance = new IssuanceLink(config.dataSource(), config.clock());
    this.sql = new GrantStatements(schema);
    this.cache = config.cacheSize() > 0 ? new RecordCache(config.cacheSize()) : null;
    this.sweeper = new GrantSweeper(db, sql, schema, clock, config.sweepInterval(), config.sweepBatch(), config.sweepGrace(),
        retention, config.changeRetention());
    RecordCache feedCache = cache != null ? cache : new RecordCache(1);
    this.feed = new ChangeFeed(config.listenerDataSource(), schema, clock, config.maxStaleness(),
        config.catchUpInterval(), feedCache, () -> sweeper.sweepIfDue(expiryAudit), config.callbacks(),
        config.threads());
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The schema this store works in. */
  public String schema() {
    return schema;
  }

  @Override
  public InsertResult insert(GrantRecord record, int maxPerIdentity, int maxPerTask, boolean sharedTask) {
    Objects.requireNonNull(record, "record");
    if (record.state() != GrantState.LIVE) {
      throw new IllegalArgumentException("only a LIVE record can be inserted, got " + record.state());
    }
    Checks.range(maxPerIdentity, 1, Integer.MAX_VALUE, "maxPerIdentity");
    Checks.range(maxPerTask, 1, Integer.MAX_VALUE, "maxPerTask");
    boolean checkOwner = !sharedTask && record.info().parentGrantId().isEmpty();
    Transactions.Work<InsertResult> work = c -> sql.insert(c, record, maxPerIdentity, maxPerTask, checkOwner);
    if (issuanceLinked) {
      return issuance.insert(record.grantId(), work);
    }
    // one statement in auto-commit (its locks end with it); the committed record is cached, so the broker's
    // expiry timer and this replica's verifier find it without a read
    RecordCache c = cache;
    long stamp = c == null ? 0 : c.stamp(record.grantId());
    InsertResult result = db.autoCommit("insert grant " + record.grantId(), work);
    if (c != null && result == InsertResult.INSERTED) {
      c.putIfUnchanged(record, stamp);
    }
    return result;
  }

  /**
   * Links the audit sink: from now on an insert commits only with its ISSUED record ({@link IssuanceLink}),
   * and the sweeper appends the EXPIRED record of each grant it ends in the transaction that ends it.
   */
  void link(PostgresAuditSink sink) {
    expiryAudit = sink;
    issuanceLinked = true;
  }

  /** The issuance link the audit sink commits ISSUED records through ({@link #link}). */
  IssuanceLink issuanceLink() {
    return issuance;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Answers from the local cache while the change feed is fresh (see the class description);
   * otherwise, and on a miss, from the database.
   */
  @Override
  public Optional<GrantRecord> find(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    RecordCache c = cache;
    if (c == null || !feed.isFresh(clock.instant())) {
      return db.autoCommit("read grant " + grantId, conn -> sql.find(conn, grantId));
    }
    GrantRecord hit = c.get(grantId);
    if (hit != null) {
      return Optional.of(hit);
    }
    long stamp = c.stamp(grantId);
    Optional<GrantRecord> read = db.autoCommit("read grant " + grantId, conn -> sql.find(conn, grantId));
    read.ifPresent(r -> c.putIfUnchanged(r, stamp));
    return read.map(c::overlay); // a read that began before an announcement this replica knows of
  }

  /**
   * {@inheritDoc}
   *
   * <p>The row is locked ({@code SELECT ... FOR UPDATE}) while {@code change} runs, so concurrent updates
   * on every replica serialise and each applies exactly once; an unchanged result writes nothing.
   *
   * @throws IllegalArgumentException if {@code change} breaks {@link GrantRecord#checkChangeTo}; nothing
   *     is written then
   */
  @Override
  public Optional<GrantRecord> update(String grantId, UnaryOperator<GrantRecord> change) {
    Objects.requireNonNull(grantId, "grantId");
    Objects.requireNonNull(change, "change");
    Optional<GrantRecord> updated = db.inTransaction("update grant " + grantId, c -> {
      Optional<GrantRecord> found = sql.findForUpdate(c, grantId);
      if (found.isEmpty()) {
        return found;
      }
      GrantRecord old = found.get();
      GrantRecord next = Objects.requireNonNull(change.apply(old), "change returned null");
      old.checkChangeTo(next);
      if (!next.equals(old)) {
        sql.write(c, next);
      }
      return Optional.of(next);
    });
    invalidate(grantId); // harmless when there was no record; nothing is invalidated when it threw
    return updated;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Per 10,000 grants: an announcement committed first (every replica's reads show the live grants among
   * them ended from then on, and their cached copies are dropped), then one transaction in which the live
   * rows are ended by one {@code UPDATE ... RETURNING} under a transaction-level advisory lock that
   * concurrent bulk ends on any replica take in turn (so they never deadlock on each other's rows) and the
   * announcement is deleted; every replica's listeners hear of the ends through its change feed. If that
   * transaction fails, the exception is thrown and the grants stay refused: the sweeper of any replica
   * completes the announced end once it is older than {@link Builder#sweepGrace}, exactly once, auditing
   * each end it makes.
   */
  @Override
  public List<GrantRecord> endLive(
      Collection<String> grantIds, GrantState state, dev.jitaccess.@Nullable RevocationReason reason) {
    GrantStore.checkEnd(grantIds, state, reason);
    List<String> ids = List.copyOf(grantIds);
    List<GrantRecord> ended = new ArrayList<>();
    List<Long> announcements = new ArrayList<>();
    RecordCache local = cache;
    for (int from = 0; from < ids.size(); from += END_BATCH) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + END_BATCH));
      long announcement = db.autoCommit("announce the end of " + chunk.size() + " grants",
          c -> sql.announce(c, chunk, state, reason));
      announcements.add(announcement);
      if (local != null) {
        local.announced(announcement, chunk, state, reason); // this replica's verifier refuses them at once
      }
      // if this throws, the announcement stays: the grants stay refused until a sweeper completes the end
      ended.addAll(db.inTransaction("end " + chunk.size() + " grants",
          c -> sql.end(c, chunk, state, reason, announcement)));
    }
    for (GrantRecord r : ended) {
      invalidate(r.grantId());
    }
    if (local != null) {
      announcements.forEach(local::endWritten);
    }
    return List.copyOf(ended);
  }

  @Override
  public void remove(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    if (issuance.rollback(grantId)) {
      return; // an aborted issuance: its row was never committed
    }
    db.autoCommit("remove grant " + grantId, c -> sql.delete(c, grantId));
    invalidate(grantId);
  }

  /** A change made through this instance: the cache forgets the grant at once (the feed will too). */
  private void invalidate(String grantId) {
    RecordCache c = cache;
    if (c != null) {
      c.invalidate(grantId);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The listener runs on the feed thread, or on the {@link Builder#callbackExecutor} if one was set.
   * After an outage longer than {@link Builder#changeRetention}, changes made during it may not be
   * delivered (the cache is dropped instead).
   */
  @Override
  public Subscription subscribe(ChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    return feed.subscribe(listener);
  }

  /**
   * Runs one sweep now (the feed thread also runs it every {@link Builder#sweepInterval}): claims up to
   * {@link Builder#sweepBatch} live grants whose deadline passed more than {@link Builder#sweepGrace}
   * ago, with {@code FOR UPDATE SKIP LOCKED}, and marks them EXPIRED, each exactly once across replicas,
   * with its {@code EXPIRED} audit record in the same transaction when an audit sink is linked; deletes up
   * to that many ended grants past expiry plus retention, live-grant counters at zero, one-time values past
   * their window, and change-log rows older than the change retention.
   *
   * @return how many grants this call marked EXPIRED
   * @throws dev.jitaccess.JitException if the database fails (nothing of the failed step is committed)
   */
  public int sweep() {
    return sweeper.sweep(expiryAudit);
  }

  /** The change feed; for tests. */
  ChangeFeed feed() {
    return feed;
  }

  /** The local cache, null if disabled; for tests. */
  @Nullable RecordCache cache() {
    return cache;
  }

  /** Stops the change feed's thread and closes its connection. Idempotent. */
  @Override
  public void close() {
    feed.close();
  }

  @Override
  public Collection<String> liveByTask(String taskId) {
    Objects.requireNonNull(taskId, "taskId");
    return ids("task_id", taskId);
  }

  @Override
  public Collection<String> liveByIdentity(String identityId) {
    Objects.requireNonNull(identityId, "identityId");
    return ids("identity_id", identityId);
  }

  private List<String> ids(String column, String value) {
    return db.autoCommit("list live grants by " + column, c -> sql.liveIds(c, column, value));
  }

  @Override
  public int liveCount() {
    return db.autoCommit("count live grants", sql::liveCount);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Records the value's SHA-256 (never the value) in {@code jit_used_value}; a value recorded before
   * whose window ended by now (injected clock) may be recorded again.
   */
  @Override
  public boolean markUsed(String value, Instant until) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(until, "until");
    Instant now = clock.instant();
    return db.autoCommit("record a one-time value", c -> sql.markUsed(c, value, until, now));
  }

  @Override
  public String toString() {
    return "PostgresGrantStore[schema=" + schema + ", retention=" + retention + "]";
  }

  /**
   * Builds a {@link PostgresGrantStore}. Each option may be set once; {@link #dataSource} is required.
   * Not thread-safe.
   */
  public static final class Builder {
    private @Nullable DataSource dataSource;
    private @Nullable DataSource listenerDataSource;
    private @Nullable String schema;
    private @Nullable Clock clock;
    private @Nullable Duration retention;
    private @Nullable Duration maxStaleness;
    private @Nullable Duration catchUpInterval;
    private @Nullable Integer cacheSize;
    private @Nullable ThreadFactory threadFactory;
    private @Nullable Executor callbackExecutor;
    private @Nullable Duration sweepInterval;
    private @Nullable Integer sweepBatch;
    private @Nullable Duration sweepGrace;
    private @Nullable Duration changeRetention;

    private Builder() {}

    /** The connections for every read and write: a pool (HikariCP, for example). Required. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Checks.setOnce(this.dataSource, dataSource, "dataSource");
      return this;
    }

    /**
     * Where the change feed gets its one dedicated, long-lived connection: best an unpooled data source
     * (for example {@code PGSimpleDataSource}) with the same server and credentials. Defaults to
     * {@link #dataSource}, of which the feed then holds one connection for good.
     */
    public Builder listenerDataSource(DataSource listenerDataSource) {
      this.listenerDataSource = Checks.setOnce(this.listenerDataSource, listenerDataSource, "listenerDataSource");
      return this;
    }

    /**
     * The schema holding the tables; defaults to {@code jit}. Lower-case ASCII letters, digits and
     * underscores, starting with a letter or underscore, at most 40 characters.
     */
    public Builder schema(String schema) {
      this.schema = SchemaName.check(Checks.setOnce(this.schema, schema, "schema"));
      return this;
    }

    /**
     * The clock deciding staleness, sweeps and when one-time values and records may be dropped; defaults
     * to the system clock.
     */
    public Builder clock(Clock clock) {
      this.clock = Checks.setOnce(this.clock, clock, "clock");
      return this;
    }

    /**
     * How long past its expiry an ended record is kept (at least the verifiers' clock skew); defaults to
     * 5 minutes. Not negative.
     */
    public Builder retention(Duration retention) {
      this.retention = Checks.notNegative(Checks.setOnce(this.retention, retention, "retention"), "retention");
      return this;
    }

    /**
     * The bound on how old the local cache's knowledge may be: {@link #find} answers from the cache only
     * while the change feed's last catch-up began less than this long ago, and reads the database
     * otherwise. Defaults to 5 seconds; positive, at most one hour, and longer than the catch-up interval.
     */
    public Builder maxStaleness(Duration maxStaleness) {
      Duration d = Checks.positive(Checks.setOnce(this.maxStaleness, maxStaleness, "maxStaleness"), "maxStaleness");
      this.maxStaleness = Checks.range(d, Duration.ZERO, Duration.ofHours(1), "maxStaleness");
      return this;
    }

    /** How often the feed runs its catch-up query besides after every (re)connect; defaults to 1 second. */
    public Builder catchUpInterval(Duration catchUpInterval) {
      this.catchUpInterval =
          Checks.positive(Checks.setOnce(this.catchUpInterval, catchUpInterval, "catchUpInterval"), "catchUpInterval");
      return this;
    }

    /** How many records the local cache holds at most; 0 turns it off. Defaults to 100,000. */
    public Builder cacheSize(int cacheSize) {
      Checks.setOnce(this.cacheSize, cacheSize, "cacheSize");
      this.cacheSize = Checks.range(cacheSize, 0, 100_000_000, "cacheSize");
      return this;
    }

    /**
     * Makes the change feed's thread; defaults to a daemon thread named
     * {@code jit-pg-feed-<schema>}.
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = Checks.setOnce(this.threadFactory, threadFactory, "threadFactory");
      return this;
    }

    /** Runs the {@link #subscribe} listeners; defaults to the feed thread itself. */
    public Builder callbackExecutor(Executor callbackExecutor) {
      this.callbackExecutor = Checks.setOnce(this.callbackExecutor, callbackExecutor, "callbackExecutor");
      return this;
    }

    /** How often the feed thread runs {@link #sweep()}; defaults to 10 seconds. */
    public Builder sweepInterval(Duration sweepInterval) {
      this.sweepInterval = Checks.positive(Checks.setOnce(this.sweepInterval, sweepInterval, "sweepInterval"), "sweepInterval");
      return this;
    }

    /** How many rows one sweep step handles at most; 1 to 100,000, defaults to 1,000. */
    public Builder sweepBatch(int sweepBatch) {
      Checks.setOnce(this.sweepBatch, sweepBatch, "sweepBatch");
      this.sweepBatch = Checks.range(sweepBatch, 1, 100_000, "sweepBatch");
      return this;
    }

    /**
     * How long past its deadline a live grant is left to the replica that issued it (whose own timer
     * ends it, with its listeners) before any replica's sweeper ends it; defaults to 30 seconds. Not
     * negative.
     */
    public Builder sweepGrace(Duration sweepGrace) {
      this.sweepGrace = Checks.notNegative(Checks.setOnce(this.sweepGrace, sweepGrace, "sweepGrace"), "sweepGrace");
      return this;
    }

    /**
     * How long change-log rows are kept (by the database's clock); a feed down longer than this drops
     * its whole cache on reconnect. Defaults to 1 hour; at least 1 minute.
     */
    public Builder changeRetention(Duration changeRetention) {
      Checks.setOnce(this.changeRetention, changeRetention, "changeRetention");
      this.changeRetention = Checks.range(changeRetention, Duration.ofMinutes(1), null, "changeRetention");
      return this;
    }

    /**
     * Checks the schema version ({@link PostgresSchema#check()}), builds the store and starts its change
     * feed, waiting up to 10 seconds until the feed listens (so no later change is missed); if it does not
     * by then, it keeps trying in the background and reads go to the database meanwhile.
     *
     * @throws NullPointerException if no data source was set
     * @throws IllegalArgumentException if the catch-up interval is not shorter than maxStaleness
     * @throws dev.jitaccess.JitException if the database cannot be reached or the schema is missing,
     *     older, newer or unknown
     */
    public PostgresGrantStore build() {
      DataSource ds = Objects.requireNonNull(dataSource, "dataSource");
      String s = schema != null ? schema : SchemaName.DEFAULT;
      Duration staleness = maxStaleness != null ? maxStaleness : Duration.ofSeconds(5);
      Duration catchUp = catchUpInterval != null ? catchUpInterval : Duration.ofSeconds(1);
      StoreConfig config = new StoreConfig(ds, listenerDataSource != null ? listenerDataSource : ds, s,
          clock != null ? clock : Clock.systemUTC(), retention != null ? retention : Duration.ofMinutes(5),
          staleness, catchUp, cacheSize != null ? cacheSize : 100_000,
          threadFactory != null ? threadFactory : ChangeFeed.daemonThreads(s),
          callbackExecutor != null ? callbackExecutor : Runnable::run,
          sweepInterval != null ? sweepInterval : Duration.ofSeconds(10), sweepBatch != null ? sweepBatch : 1_000,
          sweepGrace != null ? sweepGrace : Duration.ofSeconds(30),
          changeRetention != null ? changeRetention : Duration.ofHours(1));
      PostgresSchema.of(ds, s).check();
      PostgresGrantStore store = new PostgresGrantStore(config);
      if (!store.feed.start(Duration.ofSeconds(10))) {
        LOG.warn("change feed of schema {} is not listening yet; reads go to the database until it is", s);
      }
      return store;
    }
  }
}
