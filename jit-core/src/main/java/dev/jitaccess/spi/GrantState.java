package dev.jitaccess.spi;

/** Where a grant is in its life. Only {@link #LIVE} grants verify. */
public enum GrantState {
  /** Issued and neither revoked nor expired. */
  LIVE,
  /** Ended early; see {@link GrantRecord#revocationReason()}. */
  REVOKED,
  /** Reached its expiry or its idle deadline. */
  EXPIRED
}
