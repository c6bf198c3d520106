package dev.jitaccess.store.postgres;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.internal.GrantAuditFields;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantRecord;
import java.time.Instant;
import java.util.Map;

/**
 * The {@code EXPIRED} audit record the sweeper writes for a grant it ended: the grant's fields from the
 * one implementation the broker uses too ({@link GrantAuditFields#of}), with the reason {@code ttl} or
 * {@code idle} followed by {@link #NOTE}. A test pins the fields against a record the broker wrote.
 */
final class SweptExpiry {
  /** What the reason says after {@code ttl}/{@code idle}: no replica's broker ended the grant in time. */
  static final String NOTE = " (swept: no replica ended it within the sweep grace)";

  private SweptExpiry() {}

  /** The record of {@code ended} (state EXPIRED), at {@code at}. */
  static AuditEvent event(GrantRecord ended, Instant at) {
    GrantInfo g = ended.info();
    Map<String, String> f = GrantAuditFields.of(g);
    f.put(AuditEvent.REASON, (ended.idleDeadline().isBefore(g.expiresAt()) ? "idle" : "ttl") + NOTE);
    return new AuditEvent(AuditEventType.EXPIRED, at, f);
  }
}
