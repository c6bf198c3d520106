package dev.jitaccess.spi;

/** The kinds of events in the audit trail. */
public enum AuditEventType {
  /** A request arrived. */
  REQUESTED,
  /** A dry-run evaluation was made ({@code evaluate}). */
  EVALUATED,
  /** A request was denied. */
  DENIED,
  /** A human approval was requested. */
  APPROVAL_REQUESTED,
  /** The approval was given. */
  APPROVAL_APPROVED,
  /** The approval was refused. */
  APPROVAL_REJECTED,
  /** Nobody decided before the deadline. */
  APPROVAL_TIMED_OUT,
  /** A grant was issued. */
  ISSUED,
  /** A break-glass grant was issued; review it. */
  BREAK_GLASS,
  /** A grant was renewed by heartbeat. */
  RENEWED,
  /** A renewing grant's token was re-minted. */
  REMINTED,
  /** A grant was revoked. */
  REVOKED,
  /** A grant expired or went idle. */
  EXPIRED,
  /** A grant token was verified by the broker's verifier. */
  VERIFIED,
  /** A grant token was refused by the broker's verifier. */
  VERIFY_REJECTED,
  /** A single-use grant or a DPoP proof was presented again. */
  REPLAY_BLOCKED,
  /** A grant token was presented for another task than its own. */
  REUSE_BLOCKED,
  /** A sub-grant was delegated from a live grant. */
  DELEGATED
}
