package dev.jitaccess.store.postgres;

import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A {@link GrantStore} in PostgreSQL, shared by every replica of a service: revocation, renewal, single
 * use, quotas and one-time values hold across JVMs. Each method is one transaction on a connection of
 * the user's {@link DataSource} (a pool such as HikariCP).
 *
 * <ul>
 *   <li>{@link #insert}: takes transaction-level advisory locks on the identity and on the task (in a
 *       fixed order), then counts their live grants and inserts; two inserts for the same identity or
 *       task on any replicas serialise, so no quota is ever exceeded.
 *   <li>{@link #update}: reads the row {@code FOR UPDATE}, applies the change once, writes it only if it
 *       changed anything; concurrent updates of a grant on any replicas serialise on the row lock.
 *   <li>{@link #liveByTask}, {@link #liveByIdentity}: partial indexes over live grants.
 *   <li>{@link #markUsed}: a unique insert of the value's SHA-256; a value whose window ended may be
 *       recorded again.
 * </ul>
 *
 * <p>The schema must be at {@link PostgresSchema#latestVersion()}: {@link Builder#build()} checks it and
 * refuses a missing, older, newer or unknown schema (see {@link PostgresSchema#check()}).
 *
 * <p>Any database failure is thrown as {@link dev.jitaccess.JitException} with the driver's exception as
 * cause, so the broker fails closed; nothing half-done is committed.
 */
public final class PostgresGrantStore implements GrantStore {
  private final String schema;
  private final Clock clock;
  private final Duration retention;
  private final Transactions db;
  private final String grants;
  private final String insertSql;
  private final String updateSql;
  private final String findSql;
  private final String findForUpdateSql;
  private final String quotaSql;
  private final String markUsedSql;
  /** Parks inserts until their ISSUED record once a PostgresAuditSink is linked (pg-audit's hook). */
  private final IssuanceLink issuance;
  private volatile boolean issuanceLinked;

  private PostgresGrantStore(DataSource dataSource, String schema, Clock clock, Duration retention) {
    this.schema = schema;
    this.clock = clock;
    this.retention = retention;
    this.db = new Transactions(dataSource);
    this.issuance = new IssuanceLink(dataSource, clock);
    String s = SchemaName.quoted(schema);
    this.grants = s + ".jit_grant";
    this.insertSql = GrantRows.insertSql(grants);
    this.updateSql = GrantRows.updateSql(grants);
    this.findSql = "SELECT " + GrantRows.SELECT_LIST + " FROM " + grants + " WHERE grant_id = ?";
    this.findForUpdateSql = findSql + " FOR UPDATE";
    this.quotaSql = "SELECT EXISTS (SELECT 1 FROM " + grants + " WHERE grant_id = ?),"
        + " (SELECT count(*) FROM (SELECT 1 FROM " + grants + " WHERE identity_id = ? AND state = 'LIVE' LIMIT ?) i),"
        + " (SELECT count(*) FROM (SELECT 1 FROM " + grants + " WHERE task_id = ? AND state = 'LIVE' LIMIT ?) t)";
    this.markUsedSql = "INSERT INTO " + s + ".jit_used_value AS u (value_sha256, until_s, until_n) VALUES (?, ?, ?)"
        + " ON CONFLICT (value_sha256) DO UPDATE SET until_s = EXCLUDED.until_s, until_n = EXCLUDED.until_n"
        + " WHERE (u.until_s, u.until_n) <= (?, ?)";
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
  public InsertResult insert(GrantRecord record, int maxPerIdentity, int maxPerTask) {
    Objects.requireNonNull(record, "record");
    if (record.state() != GrantState.LIVE) {
      throw new IllegalArgumentException("only a LIVE record can be inserted, got " + record.state());
    }
    if (maxPerIdentity < 1) {
      throw new IllegalArgumentException("maxPerIdentity must be >= 1, got " + maxPerIdentity);
    }
    if (maxPerTask < 1) {
      throw new IllegalArgumentException("maxPerTask must be >= 1, got " + maxPerTask);
    }
    String identity = record.info().subject();
    String task = record.info().taskId();
    Transactions.Work<InsertResult> work = c -> {
      long a = Transactions.lockKey(schema + "\u0000identity\u0000" + identity);
      long b = Transactions.lockKey(schema + "\u0000task\u0000" + task);
      try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        lock.setLong(1, Math.min(a, b));
        lock.execute();
        if (a != b) {
          lock.setLong(1, Math.max(a, b));
          lock.execute();
        }
      }
      try (PreparedStatement q = c.prepareStatement(quotaSql)) {
        q.setString(1, record.grantId());
        q.setString(2, identity);
        q.setInt(3, maxPerIdentity);
        q.setString(4, task);
        q.setInt(5, maxPerTask);
        try (ResultSet rs = q.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            return InsertResult.DUPLICATE;
          }
          if (rs.getLong(2) >= maxPerIdentity) {
            return InsertResult.IDENTITY_QUOTA_EXCEEDED;
          }
          if (rs.getLong(3) >= maxPerTask) {
            return InsertResult.TASK_QUOTA_EXCEEDED;
          }
        }
      }
      try (PreparedStatement ins = c.prepareStatement(insertSql)) {
        GrantRows.bind(c, ins, record);
        return ins.executeUpdate() == 1 ? InsertResult.INSERTED : InsertResult.DUPLICATE;
      }
    };
    return issuanceLinked ? issuance.insert(record.grantId(), work)
        : db.inTransaction("insert grant " + record.grantId(), work);
  }

  /** Links the audit sink: from now on an insert commits only with its ISSUED record ({@link IssuanceLink}). */
  IssuanceLink linkIssuance() {
    issuanceLinked = true;
    return issuance;
  }

  @Override
  public Optional<GrantRecord> find(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    return db.autoCommit("read grant " + grantId, c -> select(c, findSql, grantId));
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
    return db.inTransaction("update grant " + grantId, c -> {
      Optional<GrantRecord> found = select(c, findForUpdateSql, grantId);
      if (found.isEmpty()) {
        return found;
      }
      GrantRecord old = found.get();
      GrantRecord next = Objects.requireNonNull(change.apply(old), "change returned null");
      old.checkChangeTo(next);
      if (!next.equals(old)) {
        try (PreparedStatement up = c.prepareStatement(updateSql)) {
          GrantRows.bind(c, up, next);
          up.setString(GrantRows.COLUMNS.size() + 1, grantId);
          up.executeUpdate();
        }
      }
      return Optional.of(next);
    });
  }

  @Override
  public void remove(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    if (issuance.rollback(grantId)) {
      return; // an aborted issuance: its row was never committed
    }
    db.autoCommit("remove grant " + grantId, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + grants + " WHERE grant_id = ?")) {
        ps.setString(1, grantId);
        return ps.executeUpdate();
      }
    });
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
    return db.autoCommit("list live grants by " + column, c -> {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT grant_id FROM " + grants + " WHERE " + column + " = ? AND state = 'LIVE'")) {
        ps.setString(1, value);
        List<String> ids = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
        return List.copyOf(ids);
      }
    });
  }

  @Override
  public int liveCount() {
    return db.autoCommit("count live grants", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + grants + " WHERE state = 'LIVE'");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return (int) Math.min(Integer.MAX_VALUE, rs.getLong(1));
      }
    });
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
    return db.autoCommit("record a one-time value", c -> {
      try (PreparedStatement ps = c.prepareStatement(markUsedSql)) {
        ps.setBytes(1, Transactions.sha256(value));
        ps.setLong(2, until.getEpochSecond());
        ps.setInt(3, until.getNano());
        ps.setLong(4, now.getEpochSecond());
        ps.setInt(5, now.getNano());
        return ps.executeUpdate() == 1;
      }
    });
  }

  private static Optional<GrantRecord> select(Connection c, String sql, String grantId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, grantId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(GrantRows.read(rs)) : Optional.empty();
      }
    }
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
    private @Nullable String schema;
    private @Nullable Clock clock;
    private @Nullable Duration retention;

    private Builder() {}

    /** The connections for every read and write: a pool (HikariCP, for example). Required. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Checks.setOnce(this.dataSource, dataSource, "dataSource");
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

    /** The clock deciding when one-time values and records may be dropped; defaults to the system clock. */
    public Builder clock(Clock clock) {
      this.clock = Checks.setOnce(this.clock, clock, "clock");
      return this;
    }

    /**
     * How long past its expiry a record is kept (at least the verifiers' clock skew); defaults to 5
     * minutes. Not negative.
     */
    public Builder retention(Duration retention) {
      Duration r = Checks.setOnce(this.retention, retention, "retention");
      if (r.isNegative()) {
        throw new IllegalArgumentException("retention must not be negative, got " + r);
      }
      this.retention = r;
      return this;
    }

    /**
     * Builds the store after checking the schema version ({@link PostgresSchema#check()}).
     *
     * @throws NullPointerException if no data source was set
     * @throws dev.jitaccess.JitException if the database cannot be reached or the schema is missing,
     *     older, newer or unknown
     */
    public PostgresGrantStore build() {
      DataSource ds = Objects.requireNonNull(dataSource, "dataSource");
      String s = schema != null ? schema : SchemaName.DEFAULT;
      PostgresSchema.of(ds, s).check();
      return new PostgresGrantStore(
          ds, s, clock != null ? clock : Clock.systemUTC(), retention != null ? retention : Duration.ofMinutes(5));
    }
  }
}
