package dev.jitaccess.store.postgres;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.internal.GrantAuditFields;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantRecord;
import java.time.Instant;
import java.util.Map;

/**
 * The audit records the sweeper writes for grants it ended: the grant's fields from the one implementation
 * the broker uses too ({@link GrantAuditFields#of}). An {@code EXPIRED} record says {@code ttl} or
 * {@code idle} followed by {@link #NOTE}; a bulk end that its replica announced but did not finish
 * ({@link #completed}) is recorded in its own state, a {@code REVOKED} record with the revocation reason
 * followed by {@link #COMPLETED}. A test pins the fields against a record the broker wrote.
 */
final class SweptExpiry {
  /** What the reason says after {@code ttl}/{@code idle}: no replica's broker ended the grant in time. */
  static final String NOTE = " (swept: no replica ended it within the sweep grace)";

  /** What the reason says after a bulk end's: the replica that announced it did not finish it. */
  static final String COMPLETED = " (swept: the announced bulk end was not finished within the sweep grace)";

  private SweptExpiry() {}

  /** The record of {@code ended} (state EXPIRED), at {@code at}. */
  static AuditEvent event(GrantRecord ended, Instant at) {
    return expired(ended, at, NOTE);
  }

  /** The record of a grant the sweeper ended by completing an announced bulk end, at {@code at}. */
  static AuditEvent completed(GrantRecord ended, Instant at) {
    RevocationReason reason = ended.revocationReason();
    if (reason == null) {
      return expired(ended, at, COMPLETED);
    }
    Map<String, String> f = GrantAuditFields.of(ended.info());
    f.put(AuditEvent.REASON, reason.name() + COMPLETED);
    return new AuditEvent(AuditEventType.REVOKED, at, f);
  }

  private static AuditEvent expired(GrantRecord ended, Instant at, String note) {
    GrantInfo g = ended.info();
    Map<String, String> f = GrantAuditFields.of(g);
    f.put(AuditEvent.REASON, (ended.idleDeadline().isBefore(g.expiresAt()) ? "idle" : "ttl") + note);
    return new AuditEvent(AuditEventType.EXPIRED, at, f);
  }
}
