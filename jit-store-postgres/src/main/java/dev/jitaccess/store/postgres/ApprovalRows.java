package dev.jitaccess.store.postgres;

import dev.jitaccess.Approval;
import dev.jitaccess.JitException;
import dev.jitaccess.spi.ApprovalTicket;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The SQL of {@link PostgresApprovalHandler}: the rows of {@code jit_approval} and {@code jit_approval_vote}. */
final class ApprovalRows {
  private static final String COLUMNS = "approval_id, requester_id, requester_owner, task_id, resource, actions,"
      + " purpose, environment, approver_group, approvals_needed, rule_ids, requested_at_s, requested_at_n,"
      + " deadline_s, deadline_n";

  private ApprovalRows() {}

  /** The outcome of a decision transaction: approvals still needed, or the time-out to throw after commit. */
  record Decision(int remaining, @Nullable JitException timedOut) {}

  /** A pending ticket, locked. */
  record Pending(String approvalId, String requesterId, @Nullable String requesterOwner, String taskId,
      String resource, List<String> actions, String purpose, String environment, String group, int needed,
      List<String> ruleIds, Instant requestedAt, Instant deadline) {}

  /** A ticket's state and, once decided, what the waiting request needs. */
  record Outcome(String state, List<Approval> approvals, @Nullable String decidedBy, @Nullable String comment,
      List<String> ruleIds, Instant deadline) {}

  @SuppressWarnings("JavaInstantGetSecondsGetNano") // seconds and nanos are stored as two columns on purpose
  static void insert(Transactions tx, String table, ApprovalTicket t) {
    tx.inTransaction("record approval " + t.approvalId(), c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + COLUMNS
          + ", state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING')")) {
        ps.setString(1, t.approvalId());
        ps.setString(2, t.requester().id());
        ps.setString(3, t.requester().owner().orElse(null));
        ps.setString(4, t.request().taskId());
        ps.setString(5, t.request().resource());
        ps.setArray(6, c.createArrayOf("text", t.request().actions().toArray()));
        ps.setString(7, t.request().purpose());
        ps.setString(8, t.request().environment());
        ps.setString(9, t.requirement().approverGroup());
        ps.setInt(10, t.requirement().approvals());
        ps.setArray(11, c.createArrayOf("text", t.ruleIds().toArray()));
        ps.setLong(12, t.requestedAt().getEpochSecond());
        ps.setInt(13, t.requestedAt().getNano());
        ps.setLong(14, t.deadline().getEpochSecond());
        ps.setInt(15, t.deadline().getNano());
        ps.executeUpdate();
      }
      return Boolean.TRUE; // nothing to return; non-null for NullAway
    });
  }

  /**
   * Locks a ticket's row.
   *
   * @throws IllegalStateException if there is no such ticket or it is no longer pending
   */
  static Pending lockPending(Connection c, String table, String approvalId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", state FROM " + table
        + " WHERE approval_id = ? FOR UPDATE")) {
      ps.setString(1, approvalId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("no pending approval '" + approvalId + "'");
        }
        String state = rs.getString("state");
        if (!state.equals("PENDING")) {
          throw new IllegalStateException("no pending approval '" + approvalId + "': it was " + state.toLowerCase(java.util.Locale.ROOT));
        }
        return pending(rs);
      }
    }
  }

  /** Locks the pending tickets due at {@code now}, skipping those another replica is deciding. */
  static List<Pending> lockDue(Connection c, String table, Instant now) throws SQLException {
    List<Pending> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM " + table
        + " WHERE state = 'PENDING' AND (deadline_s < ? OR (deadline_s = ? AND deadline_n <= ?))"
        + " ORDER BY deadline_s, deadline_n FOR UPDATE SKIP LOCKED")) {
      ps.setLong(1, now.getEpochSecond());
      ps.setLong(2, now.getEpochSecond());
      ps.setInt(3, now.getNano());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(pending(rs));
        }
      }
    }
    return out;
  }

  private static Pending pending(ResultSet rs) throws SQLException {
    return new Pending(rs.getString("approval_id"), rs.getString("requester_id"), rs.getString("requester_owner"),
        rs.getString("task_id"), rs.getString("resource"), strings(rs.getArray("actions")), rs.getString("purpose"),
        rs.getString("environment"), rs.getString("approver_group"), rs.getInt("approvals_needed"),
        strings(rs.getArray("rule_ids")), instant(rs, "requested_at"), instant(rs, "deadline"));
  }

  /** Inserts a vote; false if this approver (case-folded) already voted. */
  static boolean insertVote(Connection c, String votes, String approvalId, String approver, Instant at, String comment)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + votes
        + " (approval_id, approver_key, approver, at_s, at_n, comment) VALUES (?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (approval_id, approver_key) DO NOTHING")) {
      ps.setString(1, approvalId);
      ps.setString(2, Approvers.fold(approver));
      ps.setString(3, approver);
      ps.setLong(4, at.getEpochSecond());
      ps.setInt(5, at.getNano());
      ps.setString(6, comment);
      return ps.executeUpdate() == 1;
    }
  }

  static int countVotes(Connection c, String votes, String approvalId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + votes + " WHERE approval_id = ?")) {
      ps.setString(1, approvalId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Moves a locked pending ticket to a decided state. */
  static void decide(Connection c, String table, String approvalId, String state, Instant at, @Nullable String by,
      @Nullable String comment) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET state = ?, decided_at_s = ?,"
        + " decided_at_n = ?, decided_by = ?, decision_comment = ? WHERE approval_id = ? AND state = 'PENDING'")) {
      ps.setString(1, state);
      ps.setLong(2, at.getEpochSecond());
      ps.setInt(3, at.getNano());
      ps.setString(4, by);
      ps.setString(5, comment);
      ps.setString(6, approvalId);
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("approval '" + approvalId + "' is no longer pending");
      }
    }
  }

  static void cancel(Connection c, String table, String approvalId, Instant at) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET state = 'CANCELLED', decided_at_s = ?,"
        + " decided_at_n = ? WHERE approval_id = ? AND state = 'PENDING'")) {
      ps.setLong(1, at.getEpochSecond());
      ps.setInt(2, at.getNano());
      ps.setString(3, approvalId);
      ps.executeUpdate();
    }
  }

  /** A ticket's state and decision, or empty if there is no such ticket. */
  static Optional<Outcome> outcome(Transactions tx, String table, String votes, String approvalId) {
    return tx.autoCommit("read approval " + approvalId, c -> {
      String state;
      String by;
      String comment;
      List<String> ruleIds;
      Instant deadline;
      try (PreparedStatement ps = c.prepareStatement("SELECT state, decided_by, decision_comment, rule_ids,"
          + " deadline_s, deadline_n FROM " + table + " WHERE approval_id = ?")) {
        ps.setString(1, approvalId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          state = rs.getString(1);
          by = rs.getString(2);
          comment = rs.getString(3);
          ruleIds = strings(rs.getArray(4));
          deadline = instant(rs, "deadline");
        }
      }
      List<Approval> approvals = state.equals("APPROVED") ? approvals(c, votes, List.of(approvalId)).getOrDefault(approvalId, List.of()) : List.of();
      return Optional.of(new Outcome(state, approvals, by, comment, ruleIds, deadline));
    });
  }

  /** Which of {@code ids} are no longer pending. */
  static List<String> decided(Transactions tx, String table, Set<String> ids) {
    return tx.autoCommit("poll for decisions", c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT approval_id FROM " + table
          + " WHERE approval_id = ANY (?) AND state <> 'PENDING'")) {
        ps.setArray(1, c.createArrayOf("text", ids.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return out;
    });
  }

  /** The pending tickets, oldest first, with the approvals given so far. */
  static List<PostgresApprovalHandler.PendingApproval> pending(Transactions tx, String table, String votes) {
    return tx.autoCommit("list pending approvals", c -> {
      List<Pending> rows = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM " + table
          + " WHERE state = 'PENDING' ORDER BY requested_at_s, requested_at_n, approval_id")) {
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(pending(rs));
          }
        }
      }
      List<String> ids = new ArrayList<>();
      rows.forEach(p -> ids.add(p.approvalId()));
      Map<String, List<Approval>> given = approvals(c, votes, ids);
      List<PostgresApprovalHandler.PendingApproval> out = new ArrayList<>();
      for (Pending p : rows) {
        out.add(new PostgresApprovalHandler.PendingApproval(p.approvalId(), p.requesterId(), p.requesterOwner(),
            p.taskId(), p.resource(), p.actions(), p.purpose(), p.environment(), p.group(), p.needed(), p.ruleIds(),
            p.requestedAt(), p.deadline(), given.getOrDefault(p.approvalId(), List.of())));
      }
      return out;
    });
  }

  private static Map<String, List<Approval>> approvals(Connection c, String votes, List<String> ids) throws SQLException {
    Map<String, List<Approval>> out = new LinkedHashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT approval_id, approver, at_s, at_n, comment FROM " + votes
        + " WHERE approval_id = ANY (?) ORDER BY at_s, at_n, approver")) {
      ps.setArray(1, c.createArrayOf("text", ids.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
              .add(new Approval(rs.getString(2), Instant.ofEpochSecond(rs.getLong(3), rs.getInt(4)), rs.getString(5)));
        }
      }
    }
    return out;
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return Instant.ofEpochSecond(rs.getLong(column + "_s"), rs.getInt(column + "_n"));
  }

  private static List<String> strings(Array array) throws SQLException {
    Object[] values = (Object[]) array.getArray();
    List<String> out = new ArrayList<>(values.length);
    Arrays.stream(values).forEach(v -> out.add((String) v));
    return out;
  }
}
