package dev.jitaccess.internal;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.spi.AuditEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit fields of a grant, in their one order: grant id, task, identity, owner, purpose, resource,
 * actions, environment, rules, approval, approvers, expiry, break-glass. Every record about a grant uses
 * them, whether the broker writes it or a shared store's sweeper does, so the two cannot drift apart.
 */
public final class GrantAuditFields {
  private GrantAuditFields() {}

  /** A new, modifiable map of the fields of {@code g}, sized so that callers can add a few without rehashing. */
  public static Map<String, String> of(GrantInfo g) {
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
      g.approvals().forEach(a -> by.add(a.approver()));
      f.put(AuditEvent.APPROVERS, String.join(",", by));
    }
    f.put(AuditEvent.EXPIRES_AT, IsoInstants.format(g.expiresAt()));
    if (g.breakGlass()) {
      f.put(AuditEvent.BREAK_GLASS, "true");
    }
    return f;
  }
}
