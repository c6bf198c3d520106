package dev.jitaccess.store.postgres;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sweeper of a {@link PostgresGrantStore} (see its class description): completes bulk ends announced
 * more than the grace ago and never written; ends live grants past their
 * deadline plus the grace, exactly once across replicas ({@code FOR UPDATE SKIP LOCKED}), with their
 * {@code EXPIRED} records in the same transaction when an audit sink is linked; deletes ended grants past
 * expiry plus retention, live-grant counters at zero (V6), one-time values past their window and old
 * change-log rows, in bounded batches.
 */
final class GrantSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresGrantStore.class);

  private final Transactions db;
  private final String schema;
  private final String s;
  private final String grants;
  private final String expireSql;
  private final String staleEndsSql;
  private final GrantStatements statements;
  private final Clock clock;
  private final Duration interval;
  private final int batch;
  private final Duration grace;
  private final Duration retention;
  private final Duration changeRetention;
  private volatile Instant nextSweep;

  GrantSweeper(Transactions db, GrantStatements statements, String schema, Clock clock, Duration interval,
      int batch, Duration grace, Duration retention, Duration changeRetention) {
    this.db = db;
    this.statements = statements;
    this.schema = schema;
    this.s = SchemaName.quoted(schema);
    this.grants = s + ".jit_grant";
    this.clock = clock;
    this.interval = interval;
    this.batch = batch;
    this.grace = grace;
    this.retention = retention;
    this.changeRetention = changeRetention;
    this.nextSweep = clock.instant().plus(interval);
    this.expireSql = "WITH due AS (SELECT grant_id FROM " + grants
        + " WHERE state = 'LIVE' AND (deadline_s, deadline_n) <= (?, ?) ORDER BY deadline_s, deadline_n LIMIT ?"
        + " FOR UPDATE SKIP LOCKED) UPDATE " + grants + " g SET state = 'EXPIRED', version = g.version + 1"
        + " FROM due WHERE g.grant_id = due.grant_id AND g.state = 'LIVE' RETURNING " + GrantRows.columnsOf("g");
    // announced bulk ends (V10) older than the grace: their replica failed or died between announcing and
    // writing; the one that is still writing holds its row, which SKIP LOCKED leaves alone
    this.staleEndsSql = "SELECT ending_id, grant_ids, state, revocation_reason FROM " + s + ".jit_grant_ending"
        + " WHERE announced_at < now() - make_interval(secs => ?) ORDER BY ending_id LIMIT ? FOR UPDATE SKIP LOCKED";
  }

  /** An announced bulk end, as the sweeper claimed it. */
  private record Announced(long id, List<String> grantIds, GrantState state, @Nullable RevocationReason reason) {}

  /**
   * Completes the bulk ends announced more than the grace ago and never written: the same end as
   * {@link GrantStatements#end}, each exactly once across replicas (the announcement's row is claimed with
   * SKIP LOCKED and deleted in the ending transaction), with the audit records in that transaction.
   *
   * @return how many grants it ended
   */
  private int completeAnnouncedEnds(@Nullable PostgresAuditSink audit, Instant now) {
    return db.inTransaction("complete announced bulk ends", c -> {
      List<Announced> due = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(staleEndsSql)) {
        ps.setDouble(1, grace.toMillis() / 1000.0);
        ps.setInt(2, batch);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            GrantStore.Change kind = ChangeReads.change("announced end " + rs.getLong(1), rs.getString(3),
                rs.getString(4));
            due.add(new Announced(rs.getLong(1), List.of((String[]) rs.getArray(2).getArray()), kind.state(),
                kind.revocationReason()));
          }
        }
      }
      int n = 0;
      for (Announced a : due) {
        List<GrantRecord> ended = statements.end(c, a.grantIds(), a.state(), a.reason(), a.id());
        n += ended.size();
        if (audit != null) {
          for (GrantRecord r : ended) {
            audit.append(c, SweptExpiry.completed(r, now));
          }
        }
        LOG.warn("sweeper of schema {} completed bulk end {} ({} of its {} grants were still live){}", schema, a.id(),
            ended.size(), a.grantIds().size(), audit != null ? "" : "; no PostgresAuditSink is linked to this store,"
                + " so no audit record was written for them");
      }
      return n;
    });
  }

  /**
   * One sweep ({@link PostgresGrantStore#sweep()}).
   *
   * @param audit where the EXPIRED records go, in the ending transaction; null: the ids are logged at INFO
   * @return how many grants this call marked EXPIRED
   */
  int sweep(@Nullable PostgresAuditSink audit) {
    Instant now = clock.instant();
    Instant due = now.minus(grace);
    Instant dropBefore = now.minus(retention);
    completeAnnouncedEnds(audit, now);
    int expired = db.inTransaction("expire grants past their deadline", c -> {
      List<GrantRecord> ended = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(expireSql)) {
        ps.setLong(1, due.getEpochSecond());
        ps.setInt(2, due.getNano());
        ps.setInt(3, batch);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ended.add(GrantRows.read(rs));
          }
        }
      }
      if (audit != null) {
        // the claim, the state change and the records commit together: each end is audited exactly once
        for (GrantRecord r : ended) {
          audit.append(c, SweptExpiry.event(r, now));
        }
      } else if (!ended.isEmpty()) {
        LOG.info("sweeper of schema {} expired grants {} (no PostgresAuditSink is linked to this store, so no"
            + " EXPIRED record was written for them)", schema, ended.stream().map(GrantRecord::grantId).toList());
      }
      return ended.size();
    });
    db.inTransaction("delete ended grants past retention", c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + grants + " WHERE grant_id IN (SELECT grant_id FROM "
          + grants + " WHERE expires_at_s < ? AND state <> 'LIVE' LIMIT ? FOR UPDATE SKIP LOCKED)")) {
        ps.setLong(1, dropBefore.getEpochSecond());
        ps.setInt(2, batch);
        return ps.executeUpdate();
      }
    });
    db.inTransaction("delete live-grant counters at zero", c -> {
      int n = 0;
      // FOR UPDATE re-reads a row that an insert has counted up meanwhile, and then leaves it
      for (String sql : List.of(
          "DELETE FROM " + s + ".jit_live_by_identity_slot WHERE (identity_id, slot) IN (SELECT identity_id, slot FROM "
              + s + ".jit_live_by_identity_slot WHERE live = 0 LIMIT ? FOR UPDATE SKIP LOCKED) AND live = 0",
          "DELETE FROM " + s + ".jit_live_by_task WHERE (task_id, owner) IN (SELECT task_id, owner FROM " + s
              + ".jit_live_by_task WHERE live = 0 LIMIT ? FOR UPDATE SKIP LOCKED) AND live = 0")) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setInt(1, batch);
          n += ps.executeUpdate();
        }
      }
      return n;
    });
    db.inTransaction("delete one-time values past their window", c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + s + ".jit_used_value WHERE value_sha256 IN"
          + " (SELECT value_sha256 FROM " + s + ".jit_used_value WHERE until_s < ? LIMIT ? FOR UPDATE SKIP LOCKED)")) {
        ps.setLong(1, now.getEpochSecond());
        ps.setInt(2, batch);
        return ps.executeUpdate();
      }
    });
    db.inTransaction("prune the change log", c -> {
      try (PreparedStatement ps = c.prepareStatement("WITH gone AS (DELETE FROM " + s + ".jit_grant_change WHERE change_id IN"
          + " (SELECT change_id FROM " + s + ".jit_grant_change WHERE changed_at < now() - make_interval(secs => ?)"
          + " LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING txid)"
          + " UPDATE " + s + ".jit_grant_change_pruned SET upto_txid = greatest(upto_txid, (SELECT max(txid) FROM gone))"
          + " WHERE EXISTS (SELECT 1 FROM gone)")) {
        ps.setDouble(1, changeRetention.toMillis() / 1000.0);
        ps.setInt(2, batch);
        return ps.executeUpdate();
      }
    });
    return expired;
  }

  /** Called by the feed thread on every turn: sweeps when the interval has passed. */
  void sweepIfDue(@Nullable PostgresAuditSink audit) {
    Instant now = clock.instant();
    if (now.isBefore(nextSweep)) {
      return;
    }
    nextSweep = now.plus(interval);
    try {
      int n = sweep(audit);
      if (n > 0) {
        LOG.debug("sweeper of schema {} expired {} grants", schema, n);
      }
    } catch (RuntimeException e) {
      LOG.warn("sweeper of schema {} failed ({}); it runs again in {}", schema, e.getMessage(), interval);
    }
  }

}
