package dev.jitaccess.internal;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.Verification;
import dev.jitaccess.Verification.RejectionReason;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The audit record of a grant-token verification ({@link TokenVerifier}), one shape for every outcome. */
final class VerificationAudit {
  private static final Logger LOG = LoggerFactory.getLogger(VerificationAudit.class);

  private VerificationAudit() {}

  /**
   * Records a verification: VERIFIED, REPLAY_BLOCKED (a replay), REUSE_BLOCKED (a wrong task) or
   * VERIFY_REJECTED, with the token's SHA-256 and never the token; a failing sink is logged and ignored.
   *
   * @param token the token as presented, possibly null or over the size limit (then not hashed)
   * @param tokenHash the token's SHA-256 when the caller has it, or null to compute it here
   */
  static void record(AuditSink audit, Clock clock, int maxTokenBytes, Verification result, @Nullable String token,
      String audience, @Nullable String grantId, @Nullable String tokenHash) {
    AuditEventType type;
    Map<String, String> fields = new LinkedHashMap<>();
    if (grantId != null) {
      fields.put(AuditEvent.GRANT_ID, grantId);
    }
    if (result instanceof Verification.Verified verified) {
      GrantInfo g = verified.grant();
      type = AuditEventType.VERIFIED;
      fields.put(AuditEvent.TASK_ID, g.taskId());
      fields.put(AuditEvent.IDENTITY, g.subject());
    } else {
      Verification.Rejected r = (Verification.Rejected) result;
      type = r.reason() == RejectionReason.REPLAYED ? AuditEventType.REPLAY_BLOCKED
          : r.reason() == RejectionReason.WRONG_TASK ? AuditEventType.REUSE_BLOCKED
          : AuditEventType.VERIFY_REJECTED;
      fields.put(AuditEvent.REASON, r.reason() + ": " + r.detail());
    }
    fields.put(AuditEvent.RESOURCE, audience);
    if (tokenHash != null) {
      fields.put(AuditEvent.TOKEN_SHA256, tokenHash);
    } else if (token != null && token.length() <= maxTokenBytes) {
      fields.put(AuditEvent.TOKEN_SHA256, GrantTokens.sha256(token));
    }
    try {
      audit.record(new AuditEvent(type, clock.instant(), fields));
    } catch (RuntimeException e) {
      LOG.error("audit sink failed to record {} for grant {}: {}", type, grantId, e.getClass().getName());
    }
  }
}
