package dev.jitaccess.store.postgres;

import dev.jitaccess.Approval;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code EXPIRED} audit record the sweeper writes for a grant it ended: the same fields, in the same
 * order, as the broker's own {@code EXPIRED} record of that grant (grant id, task, identity, owner,
 * purpose, resource, actions, environment, rules, approval, approvers, expiry, break-glass), with the
 * reason {@code ttl} or {@code idle} followed by {@link #NOTE}. {@code SweptExpiryAuditTest} pins the
 * fields against a record the broker wrote, so the two cannot drift apart unnoticed.
 */
final class SweptExpiry {
  /** What the reason says after {@code ttl}/{@code idle}: no replica's broker ended the grant in time. */
  static final String NOTE = " (swept: no replica ended it within the sweep grace)";

  private SweptExpiry() {}

  /** The record of {@code ended} (state EXPIRED), at {@code at}. */
  static AuditEvent event(GrantRecord ended, Instant at) {
    GrantInfo g = ended.info();
    Map<String, String> f = new LinkedHashMap<>(32);
    f.put(AuditEvent.GRANT_ID, g.grantId());
    f.put(AuditEvent.TASK_ID, g.taskId());
    f.put(AuditEvent.IDENTITY, g.subject());
    g.owner().ifPresent(o -> f.put(AuditEvent.OWNER, o));
    f.put(AuditEvent.PURPOSE, g.purpose());
    f.put(AuditEvent.RESOURCE, g.resource());
    f.put(AuditEvent.ACTIONS, String.join(" ", g.actions()));
    f.put(AuditEvent.ENVIRONMENT, g.environment());
    if (!g.ruleIds().isEmpty()) {
      f.put(AuditEvent.RULES, String.join(",", g.ruleIds()));
    }
    g.approvalId().ifPresent(a -> f.put(AuditEvent.APPROVAL_ID, a));
    if (!g.approvals().isEmpty()) {
      List<String> by = new ArrayList<>();
      for (Approval a : g.approvals()) {
        by.add(a.approver());
      }
      f.put(AuditEvent.APPROVERS, String.join(",", by));
    }
    f.put(AuditEvent.EXPIRES_AT, g.expiresAt().toString());
    if (g.breakGlass()) {
      f.put(AuditEvent.BREAK_GLASS, "true");
    }
    f.put(AuditEvent.REASON, (ended.idleDeadline().isBefore(g.expiresAt()) ? "idle" : "ttl") + NOTE);
    return new AuditEvent(AuditEventType.EXPIRED, at, f);
  }
}
