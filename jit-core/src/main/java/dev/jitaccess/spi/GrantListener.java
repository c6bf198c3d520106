package dev.jitaccess.spi;

import dev.jitaccess.Decision;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.RevocationReason;

/**
 * Lifecycle callbacks. Each fires exactly once per grant and event, on the broker's callback executor.
 * A listener that throws is logged at WARN with the grant id and changes nothing. Every method has an
 * empty default, so implement only what you need.
 */
public interface GrantListener {

  /** A grant was issued. */
  default void onIssued(GrantInfo grant) {}

  /** A grant reached the broker's "expiring" fraction of its lifetime: renew or finish now. */
  default void onExpiring(GrantInfo grant) {}

  /** A grant reached its expiry or its idle deadline. */
  default void onExpired(GrantInfo grant) {}

  /** A grant was revoked before its expiry. */
  default void onRevoked(GrantInfo grant, RevocationReason reason) {}

  /** A grant was renewed: heartbeat accepted, or a renewing grant's token was re-minted. */
  default void onRenewed(GrantInfo grant) {}

  /** A break-glass grant was issued: alert someone. */
  default void onBreakGlass(GrantInfo grant) {}

  /** A request was denied. */
  default void onDenied(GrantRequest request, Decision decision) {}
}
