package dev.jitaccess.store.postgres;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import java.sql.Array;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of the {@link ChangeFeed}, one method a read, each on the feed's connection: the catch-up (the
 * change-log rows a snapshot did not see) and the light read of what changed (grant id, state, reason;
 * never the whole record, so a burst of 10,000 changes is a small read on every replica).
 */
final class ChangeReads {
  private static final int QUERY_TIMEOUT_SECONDS = ChangeFeed.QUERY_TIMEOUT_SECONDS;

  private final String pruned;
  private final String snapshotSql;
  private final String changedSql;
  private final String announcedSql;
  private final String statesSql;

  /**
   * What a catch-up found: the new snapshot, whether the changes since the previous one were pruned, and
   * every bulk end announced and not yet written in that snapshot.
   */
  record CatchUp(String snapshot, boolean reset, List<Announced> announced) {}

  /**
   * An announced bulk end as a catch-up read it.
   *
   * @param grantIds the grants it names; null if the caller said it knew this announcement
   */
  record Announced(long id, @Nullable List<String> grantIds, GrantState state, @Nullable RevocationReason reason) {}

  ChangeReads(String schema) {
    String s = SchemaName.quoted(schema);
    this.pruned = s + ".jit_grant_change_pruned";
    this.snapshotSql = "SELECT pg_current_snapshot()::text,"
        + " NOT pg_visible_in_snapshot(upto_txid, coalesce(?::pg_snapshot, pg_current_snapshot())) FROM " + pruned;
    // the change-log rows written since a snapshot (V1 logged one id a row, V5 an array a statement); the
    // arrays are taken apart here, not by the server (unnesting and grouping 10,000 ids cost the server about
    // 25 ms of every replica's catch-up)
    this.changedSql = "SELECT grant_id, grant_ids FROM " + s + ".jit_grant_change"
        + " WHERE txid >= pg_snapshot_xmin(?::pg_snapshot) AND NOT pg_visible_in_snapshot(txid, ?::pg_snapshot)";
    // every announced bulk end (V10), with its ids only when the caller does not know it yet
    this.announcedSql = "SELECT ending_id, CASE WHEN ending_id = ANY (?) THEN NULL ELSE grant_ids END, state,"
        + " revocation_reason FROM " + s + ".jit_grant_ending";
    this.statesSql = "SELECT grant_id, state, revocation_reason FROM " + s + ".jit_grant WHERE grant_id = ANY (?)";
  }

  /**
   * In one REPEATABLE READ, READ ONLY transaction: takes the current snapshot and, unless the changes since
   * {@code prev} may have been pruned (or there is no {@code prev}), adds the ids of every grant changed
   * in a transaction {@code prev} did not see to {@code into}; reads every announced bulk end of that snapshot
   * (the ids of those not in {@code known}).
   */
  CatchUp catchUp(Connection c, @Nullable String prev, Collection<String> into, Set<Long> known)
      throws SQLException {
    c.setAutoCommit(false);
    try {
      try (Statement s = c.createStatement()) {
        s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      }
      String next;
      boolean reset;
      try (PreparedStatement ps = c.prepareStatement(snapshotSql)) {
        ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
        ps.setString(1, prev);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("table " + pruned + " is empty: the schema was changed by hand");
          }
          next = rs.getString(1);
          reset = prev == null || rs.getBoolean(2);
        }
      }
      if (!reset) {
        try (PreparedStatement ps = c.prepareStatement(changedSql)) {
          ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
          ps.setString(1, prev);
          ps.setString(2, prev);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Array many = rs.getArray(2);
              if (many == null) {
                into.add(rs.getString(1));
              } else {
                into.addAll(Arrays.asList((String[]) many.getArray()));
              }
            }
          }
        }
      }
      List<Announced> announced = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(announcedSql)) {
        ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
        ps.setArray(1, c.createArrayOf("bigint", known.toArray(new Long[0])));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long id = rs.getLong(1);
            Array ids = rs.getArray(2);
            GrantStore.Change kind = change("announced end " + id, rs.getString(3), rs.getString(4));
            announced.add(new Announced(id, ids == null ? null : List.of((String[]) ids.getArray()), kind.state(),
                kind.revocationReason()));
          }
        }
      }
      c.commit();
      return new CatchUp(next, reset, List.copyOf(announced));
    } catch (SQLException | RuntimeException e) {
      PostgresSchema.rollbackQuietly(c, e);
      throw e;
    } finally {
      if (!c.isClosed()) {
        c.setAutoCommit(true);
      }
    }
  }

  /**
   * The current state of some grants, as light changes; a grant whose row is gone is left out. A row that
   * breaks the schema's rules (an unknown state, a reason that does not fit it) fails the read.
   */
  List<GrantStore.Change> states(Connection c, List<String> grantIds) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statesSql)) {
      ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      ps.setArray(1, c.createArrayOf("text", grantIds.toArray(new String[0])));
      List<GrantStore.Change> out = new ArrayList<>(grantIds.size());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(change(rs.getString(1), rs.getString(2), rs.getString(3)));
        }
      }
      return out;
    }
  }

  /** A change from a row's text; anything the schema would not hold fails as an SQLException. */
  static GrantStore.Change change(String grantId, String state, @Nullable String reason) throws SQLException {
    try {
      return new GrantStore.Change(grantId, GrantState.valueOf(state),
          reason == null ? null : RevocationReason.valueOf(reason));
    } catch (IllegalArgumentException e) {
      throw new SQLException("grant " + grantId + " has an invalid state or revocation reason", e);
    }
  }
}
