package dev.jitaccess.store.postgres;

import dev.jitaccess.Approval;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The mapping between a {@link GrantRecord} and a row of {@code jit_grant}, exact both ways: instants
 * are epoch seconds plus nanoseconds, lists keep their order, and nothing is added or lost.
 */
final class GrantRows {
  /** Every column of jit_grant written from a record, in bind order. */
  static final List<String> COLUMNS = List.of(
      "grant_id", "identity_id", "task_id", "state", "revocation_reason", "issuer", "resource", "actions",
      "purpose", "environment", "owner", "issued_at_s", "issued_at_n", "expires_at_s", "expires_at_n",
      "approval_id", "approvers", "approved_at_s", "approved_at_n", "approval_comments", "break_glass",
      "single_use", "rule_ids", "parent_grant_id", "delegators", "delegations_left", "certificate_thumbprint",
      "key_thumbprint", "idle_timeout_s", "idle_timeout_n", "idle_deadline_s", "idle_deadline_n", "deadline_s",
      "deadline_n", "uses");

  /** The column list, for writing every column ({@link #updateSql}). */
  static final String SELECT_LIST = String.join(", ", COLUMNS);

  /**
   * The array columns: read as {@code NULLIF(column, '{}')} ({@link #columnsOf}), so an empty array (most
   * of them, in most grants) comes back as SQL NULL and costs the reader no array decoding; the columns are
   * NOT NULL, so NULL read back means exactly "empty".
   */
  private static final Set<String> ARRAYS = Set.of(
      "actions", "approvers", "approved_at_s", "approved_at_n", "approval_comments", "rule_ids", "delegators");

  private GrantRows() {}

  // result positions (1-based) of the columns read back, as SELECT_LIST and columnsOf order them
  private static final int C_ACTIONS = column("actions");
  private static final int C_APPROVAL_COMMENTS = column("approval_comments");
  private static final int C_APPROVAL_ID = column("approval_id");
  private static final int C_APPROVED_AT_N = column("approved_at_n");
  private static final int C_APPROVED_AT_S = column("approved_at_s");
  private static final int C_APPROVERS = column("approvers");
  private static final int C_BREAK_GLASS = column("break_glass");
  private static final int C_CERTIFICATE_THUMBPRINT = column("certificate_thumbprint");
  private static final int C_DELEGATIONS_LEFT = column("delegations_left");
  private static final int C_DELEGATORS = column("delegators");
  private static final int C_ENVIRONMENT = column("environment");
  private static final int C_EXPIRES_AT_S = column("expires_at_s");
  private static final int C_GRANT_ID = column("grant_id");
  private static final int C_IDENTITY_ID = column("identity_id");
  private static final int C_IDLE_DEADLINE_S = column("idle_deadline_s");
  private static final int C_IDLE_TIMEOUT_N = column("idle_timeout_n");
  private static final int C_IDLE_TIMEOUT_S = column("idle_timeout_s");
  private static final int C_ISSUED_AT_S = column("issued_at_s");
  private static final int C_ISSUER = column("issuer");
  private static final int C_KEY_THUMBPRINT = column("key_thumbprint");
  private static final int C_OWNER = column("owner");
  private static final int C_PARENT_GRANT_ID = column("parent_grant_id");
  private static final int C_PURPOSE = column("purpose");
  private static final int C_RESOURCE = column("resource");
  private static final int C_REVOCATION_REASON = column("revocation_reason");
  private static final int C_RULE_IDS = column("rule_ids");
  private static final int C_SINGLE_USE = column("single_use");
  private static final int C_STATE = column("state");
  private static final int C_TASK_ID = column("task_id");
  private static final int C_USES = column("uses");

  private static int column(String name) {
    int i = COLUMNS.indexOf(name);
    if (i < 0) {
      throw new IllegalStateException("no column " + name);
    }
    return i + 1;
  }

  /**
   * Every column of {@link #COLUMNS}, qualified by a table alias, for SELECT or RETURNING and {@link #read}:
   * the array columns as {@code NULLIF(alias.column, '{}')}.
   */
  static String columnsOf(String alias) {
    return String.join(", ", COLUMNS.stream()
        .map(col -> ARRAYS.contains(col) ? "NULLIF(" + alias + "." + col + ", '{}') AS " + col : alias + "." + col)
        .toList());
  }

  /**
   * The call of {@code jit_insert_grant} (V5) in a quoted schema: the record as parameters
   * 1..{@link #COLUMNS}.size() ({@link #bind}), then max per identity, max per task, whether to check the
   * task's owner, the task owner, the identity's and the task's advisory-lock keys. Returns the
   * {@code GrantStore.InsertResult} name.
   */
  static String insertCallSql(String quotedSchema) {
    int n = COLUMNS.size();
    return "SELECT " + quotedSchema + ".jit_insert_grant(ROW(" + placeholders(n) + ")::" + quotedSchema
        + ".jit_grant_row, ?, ?, ?, ?, ?, ?)";
  }

  /** UPDATE of every column of one record by grant id (bound last), bumping its version. */
  static String updateSql(String table) {
    return "UPDATE " + table + " SET (" + SELECT_LIST + ") = (" + placeholders(COLUMNS.size())
        + "), version = version + 1 WHERE grant_id = ?";
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  /** Binds a record to parameters 1..{@link #COLUMNS}.size(); instants as epoch seconds + nano-of-second. */
  @SuppressWarnings("JavaInstantGetSecondsGetNano") // both parts are stored: that is the exact encoding
  static void bind(Connection c, PreparedStatement ps, GrantRecord r) throws SQLException {
    GrantInfo i = r.info();
    int p = 1;
    ps.setString(p++, i.grantId());
    ps.setString(p++, i.subject());
    ps.setString(p++, i.taskId());
    ps.setString(p++, r.state().name());
    ps.setString(p++, nameOrNull(r.revocationReason()));
    ps.setString(p++, i.issuer());
    ps.setString(p++, i.resource());
    String[] actions = i.actions().toArray(new String[0]);
    Arrays.sort(actions);
    ps.setArray(p++, c.createArrayOf("text", actions));
    ps.setString(p++, i.purpose());
    ps.setString(p++, i.environment());
    ps.setString(p++, i.owner().orElse(null));
    p = instant(ps, p, i.issuedAt());
    p = instant(ps, p, i.expiresAt());
    ps.setString(p++, i.approvalId().orElse(null));
    List<Approval> approvals = i.approvals();
    String[] approvers = new String[approvals.size()];
    Long[] atS = new Long[approvals.size()];
    Integer[] atN = new Integer[approvals.size()];
    String[] comments = new String[approvals.size()];
    for (int k = 0; k < approvals.size(); k++) {
      Approval a = approvals.get(k);
      approvers[k] = a.approver();
      atS[k] = a.at().getEpochSecond();
      atN[k] = a.at().getNano();
      comments[k] = a.comment();
    }
    ps.setArray(p++, c.createArrayOf("text", approvers));
    ps.setArray(p++, c.createArrayOf("bigint", atS));
    ps.setArray(p++, c.createArrayOf("integer", atN));
    ps.setArray(p++, c.createArrayOf("text", comments));
    ps.setBoolean(p++, i.breakGlass());
    ps.setBoolean(p++, i.singleUse());
    ps.setArray(p++, c.createArrayOf("text", i.ruleIds().toArray(new String[0])));
    ps.setString(p++, i.parentGrantId().orElse(null));
    ps.setArray(p++, c.createArrayOf("text", i.delegators().toArray(new String[0])));
    ps.setInt(p++, i.delegationsLeft());
    ps.setString(p++, i.certificateThumbprint().orElse(null));
    ps.setString(p++, i.keyThumbprint().orElse(null));
    Duration d = r.idleTimeout();
    if (d != null) {
      ps.setLong(p++, d.getSeconds());
      ps.setInt(p++, d.getNano());
    } else {
      ps.setNull(p++, Types.BIGINT);
      ps.setNull(p++, Types.INTEGER);
    }
    p = instant(ps, p, r.idleDeadline());
    p = instant(ps, p, r.deadline());
    ps.setInt(p, r.uses());
  }

  private static int instant(PreparedStatement ps, int p, Instant t) throws SQLException {
    ps.setLong(p, t.getEpochSecond());
    ps.setInt(p + 1, t.getNano());
    return p + 2;
  }

  /**
   * Reads the record at the current row of a result of {@code SELECT } {@link #columnsOf}: by position, in
   * the order of {@link #COLUMNS}, which every reader selects; an array column read as NULL is empty.
   */
  static GrantRecord read(ResultSet rs) throws SQLException {
    String[] approvers = strings(rs.getArray(C_APPROVERS));
    Array s = rs.getArray(C_APPROVED_AT_S);
    Long[] atS = s == null ? new Long[0] : (Long[]) s.getArray();
    Array n = rs.getArray(C_APPROVED_AT_N);
    Integer[] atN = n == null ? new Integer[0] : (Integer[]) n.getArray();
    String[] comments = strings(rs.getArray(C_APPROVAL_COMMENTS));
    if (atS.length != approvers.length || atN.length != approvers.length || comments.length != approvers.length) {
      throw new SQLException("grant " + rs.getString(C_GRANT_ID) + ": approval arrays differ in length");
    }
    List<Approval> approvals = new ArrayList<>();
    for (int k = 0; k < approvers.length; k++) {
      approvals.add(new Approval(approvers[k], Instant.ofEpochSecond(atS[k], atN[k]), comments[k]));
    }
    GrantInfo info = GrantInfo.builder()
        .grantId(rs.getString(C_GRANT_ID))
        .subject(rs.getString(C_IDENTITY_ID))
        .taskId(rs.getString(C_TASK_ID))
        .issuer(rs.getString(C_ISSUER))
        .resource(rs.getString(C_RESOURCE))
        .actions(Set.of(strings(rs.getArray(C_ACTIONS))))
        .purpose(rs.getString(C_PURPOSE))
        .environment(rs.getString(C_ENVIRONMENT))
        .owner(rs.getString(C_OWNER))
        .issuedAt(instant(rs, C_ISSUED_AT_S))
        .expiresAt(instant(rs, C_EXPIRES_AT_S))
        .approvalId(rs.getString(C_APPROVAL_ID))
        .approvals(approvals)
        .breakGlass(rs.getBoolean(C_BREAK_GLASS))
        .singleUse(rs.getBoolean(C_SINGLE_USE))
        .ruleIds(List.of(strings(rs.getArray(C_RULE_IDS))))
        .delegation(rs.getString(C_PARENT_GRANT_ID), List.of(strings(rs.getArray(C_DELEGATORS))))
        .delegationsLeft(rs.getInt(C_DELEGATIONS_LEFT))
        .certificateThumbprint(rs.getString(C_CERTIFICATE_THUMBPRINT))
        .keyThumbprint(rs.getString(C_KEY_THUMBPRINT))
        .build();
    long idleS = rs.getLong(C_IDLE_TIMEOUT_S);
    Duration idle = rs.wasNull() ? null : Duration.ofSeconds(idleS, rs.getInt(C_IDLE_TIMEOUT_N));
    String reason = rs.getString(C_REVOCATION_REASON);
    return new GrantRecord(
        info,
        GrantState.valueOf(rs.getString(C_STATE)),
        reason == null ? null : RevocationReason.valueOf(reason),
        idle,
        instant(rs, C_IDLE_DEADLINE_S),
        rs.getInt(C_USES));
  }

  /** The instant in the seconds column at {@code seconds} and the nanoseconds column after it. */
  private static Instant instant(ResultSet rs, int seconds) throws SQLException {
    return Instant.ofEpochSecond(rs.getLong(seconds), rs.getInt(seconds + 1));
  }

  /** The stored text of a revocation reason: its name, or SQL NULL for none. */
  static @Nullable String nameOrNull(@Nullable RevocationReason reason) {
    return reason == null ? null : reason.name();
  }

  /** The elements of a text array column read through {@link #columnsOf}: NULL there means empty. */
  private static String[] strings(@Nullable Array a) throws SQLException {
    return a == null ? new String[0] : (String[]) a.getArray();
  }
}
