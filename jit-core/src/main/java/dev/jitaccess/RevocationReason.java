package dev.jitaccess;

/** Why a grant ended before its expiry. */
public enum RevocationReason {
  /** The task completed and the grant was closed. */
  COMPLETED,
  /** The task failed while holding the grant. */
  FAILED,
  /** Revoked explicitly by grant id. */
  EXPLICIT,
  /** Revoked with every grant of its task. */
  TASK,
  /** Revoked with every grant of its identity. */
  IDENTITY,
  /** A renewing grant's policy no longer allows it. */
  POLICY,
  /** Its parent grant ended. */
  PARENT,
  /**
   * A renewing grant's identity could no longer be verified when it was due for re-mint: the credential
   * expired, no longer verifies (say its trust bundle was withdrawn) or names another identity.
   */
  CREDENTIAL
}
