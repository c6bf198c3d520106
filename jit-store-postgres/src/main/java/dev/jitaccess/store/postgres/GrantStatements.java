package dev.jitaccess.store.postgres;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.GrantStore.InsertResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGStatement;

/**
 * The SQL of {@link PostgresGrantStore}, one method a statement, each on a connection the store's
 * transaction gives it: the store decides transactions, caching and the change feed, this class only
 * what is read and written.
 */
final class GrantStatements {
  private final String schema;
  private final String grants;
  private final String insertSql;
  private final String updateSql;
  private final String findSql;
  private final String findForUpdateSql;
  private final String endSql;
  private final String announceSql;
  private final String unannounceSql;
  private final long endLock;
  private final String markUsedSql;

  GrantStatements(String schema) {
    this.schema = schema;
    String s = SchemaName.quoted(schema);
    this.grants = s + ".jit_grant";
    this.insertSql = GrantRows.insertCallSql(s);
    this.updateSql = GrantRows.updateSql(grants);
    String plainFind = "SELECT " + GrantRows.columnsOf("g") + " FROM " + grants + " g WHERE g.grant_id = ?";
    // a LIVE grant named by an announced bulk end (V10) reads in that end's state; the table of pending
    // ends is empty but for the milliseconds of a bulk end, so the lateral scan costs nothing otherwise
    this.findSql = "SELECT " + GrantRows.columnsOf("g") + ", e.state, e.revocation_reason FROM " + grants + " g"
        + " LEFT JOIN LATERAL (SELECT x.state, x.revocation_reason FROM " + s + ".jit_grant_ending x"
        + " WHERE g.state = 'LIVE' AND g.grant_id = ANY (x.grant_ids) ORDER BY x.ending_id LIMIT 1) e ON true"
        + " WHERE g.grant_id = ?";
    this.findForUpdateSql = plainFind + " FOR UPDATE";
    this.endLock = Transactions.lockKey(schema + "\u0000end live grants");
    // one plain UPDATE: its rows are locked in the scan's order, not by grant id; the advisory lock taken
    // first makes concurrent bulk ends take turns, so they never deadlock on each other's rows
    this.endSql = "UPDATE " + grants + " g SET state = ?, revocation_reason = ?, version = g.version + 1"
        + " WHERE g.grant_id = ANY (?) AND g.state = 'LIVE' RETURNING " + GrantRows.columnsOf("g");
    this.announceSql = "SELECT " + s + ".jit_announce_end(?, ?, ?)";
    this.unannounceSql = "DELETE FROM " + s + ".jit_grant_ending WHERE ending_id = ?";
    this.markUsedSql = "INSERT INTO " + s + ".jit_used_value AS u (value_sha256, until_s, until_n) VALUES (?, ?, ?)"
        + " ON CONFLICT (value_sha256) DO UPDATE SET until_s = EXCLUDED.until_s, until_n = EXCLUDED.until_n"
        + " WHERE (u.until_s, u.until_n) <= (?, ?)";
  }

  /**
   * {@code jit_insert_grant} (V7, cheaper since V11): the quota checks on the live-grant counters and the
   * insert, one statement.
   */
  InsertResult insert(Connection c, GrantRecord record, int maxPerIdentity, int maxPerTask, boolean checkOwner)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(insertSql)) {
      GrantRows.bind(c, ps, record);
      int p = GrantRows.COLUMNS.size();
      ps.setInt(p + 1, maxPerIdentity);
      ps.setInt(p + 2, maxPerTask);
      ps.setBoolean(p + 3, checkOwner);
      ps.setString(p + 4, record.taskOwner());
      ps.setLong(p + 5, Transactions.lockKey(schema + "\u0000identity\u0000" + record.info().subject()));
      ps.setLong(p + 6, Transactions.lockKey(schema + "\u0000task\u0000" + record.info().taskId()));
      try (ResultSet rs = ps.executeQuery()) {
        return insertResult(rs.next() ? rs.getString(1) : null);
      }
    }
  }

  /** The result {@code jit_insert_grant} returned; anything else is a failure (fail closed). */
  private static InsertResult insertResult(@Nullable String name) throws SQLException {
    if (name != null) {
      for (InsertResult r : InsertResult.values()) {
        if (r.name().equals(name)) {
          return r;
        }
      }
    }
    throw new SQLException("jit_insert_grant returned an unknown result: " + name);
  }

  /**
   * The record of a grant as every reader must see it: a LIVE grant named by an announced bulk end
   * ({@link #announce}) in that end's state and reason, although its row is not written yet.
   */
  Optional<GrantRecord> find(Connection c, String grantId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(findSql)) {
      ps.setString(1, grantId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        GrantRecord row = GrantRows.read(rs);
        String pending = rs.getString(GrantRows.COLUMNS.size() + 1);
        if (pending == null) {
          return Optional.of(row);
        }
        GrantStore.Change end = ChangeReads.change(grantId, pending, rs.getString(GrantRows.COLUMNS.size() + 2));
        return Optional.of(row.withState(end.state(), end.revocationReason()));
      }
    }
  }

  /**
   * The record of a grant as its row holds it (an announced end not applied), the row locked until the
   * transaction ends.
   */
  Optional<GrantRecord> findForUpdate(Connection c, String grantId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(findForUpdateSql)) {
      ps.setString(1, grantId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(GrantRows.read(rs)) : Optional.empty();
      }
    }
  }

  /**
   * Announces that the live grants among {@code ids} are about to end ({@code jit_announce_end}, V10), in
   * the caller's auto-commit statement: from its commit on, {@link #find} on any replica shows them ended
   * and every change feed forgets their cached records.
   *
   * @return the announcement's id, for {@link #end}
   */
  long announce(Connection c, List<String> ids, GrantState state, @Nullable RevocationReason reason)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(announceSql)) {
      ps.setArray(1, c.createArrayOf("text", ids.toArray(new String[0])));
      ps.setString(2, state.name());
      ps.setString(3, GrantRows.nameOrNull(reason));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("jit_announce_end returned no id");
        }
        return rs.getLong(1);
      }
    }
  }

  /** Writes every column of a record over its row. */
  void write(Connection c, GrantRecord record) throws SQLException {
    try (PreparedStatement up = c.prepareStatement(updateSql)) {
      GrantRows.bind(c, up, record);
      up.setString(GrantRows.COLUMNS.size() + 1, record.grantId());
      up.executeUpdate();
    }
  }

  /**
   * Ends the live grants among {@code ids}, in a transaction: deletes their announcement ({@link #announce});
   * under the schema's transaction-level advisory lock for bulk ends, one UPDATE (a HOT update since V6: no index names the state); their records after,
   * in the driver's binary format.
   */
  List<GrantRecord> end(Connection c, List<String> ids, GrantState state, @Nullable RevocationReason reason,
      long announcement) throws SQLException {
    // the announcement's row first: a sweeper completing it holds that row (SKIP LOCKED) before the advisory
    // lock too, so the two never wait for each other in opposite orders
    try (PreparedStatement del = c.prepareStatement(unannounceSql)) {
      del.setLong(1, announcement);
      del.executeUpdate();
    }
    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      lock.setLong(1, endLock);
      lock.executeQuery().close();
    }
    List<GrantRecord> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(endSql)) {
      // binary results from the first run (a bulk end is rare, so the driver's threshold of 5 runs is never
      // reached): 10,000 rows decode in about half the time of their text form
      ps.unwrap(PGStatement.class).setPrepareThreshold(-1);
      ps.setString(1, state.name());
      ps.setString(2, GrantRows.nameOrNull(reason));
      ps.setArray(3, c.createArrayOf("text", ids.toArray(new String[0])));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(GrantRows.read(rs));
        }
      }
    }
    return out;
  }

  /** Deletes a grant's row. */
  int delete(Connection c, String grantId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + grants + " WHERE grant_id = ?")) {
      ps.setString(1, grantId);
      return ps.executeUpdate();
    }
  }

  /** The ids of the live grants whose {@code column} (task_id or identity_id) is {@code value}. */
  List<String> liveIds(Connection c, String column, String value) throws SQLException {
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
  }

  /** How many grants are live. */
  int liveCount(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + grants + " WHERE state = 'LIVE'");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return (int) Math.min(Integer.MAX_VALUE, rs.getLong(1));
    }
  }

  /** Records a one-time value's SHA-256 until {@code until}, unless recorded with a window open at {@code now}. */
  @SuppressWarnings("JavaInstantGetSecondsGetNano") // both parts are stored: that is the exact encoding
  boolean markUsed(Connection c, String value, Instant until, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(markUsedSql)) {
      ps.setBytes(1, Transactions.sha256(value));
      ps.setLong(2, until.getEpochSecond());
      ps.setInt(3, until.getNano());
      ps.setLong(4, now.getEpochSecond());
      ps.setInt(5, now.getNano());
      return ps.executeUpdate() == 1;
    }
  }
}
