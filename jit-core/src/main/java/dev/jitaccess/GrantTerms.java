package dev.jitaccess;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a policy allows: the granted actions and the limits of the grant. The broker still clamps the
 * TTL to the requested TTL and its own ceiling.
 *
 * @param actions the granted actions, a non-empty subset of the requested ones
 * @param maxTtl the longest the grant may live
 * @param idleTimeout if non-null, the grant is lost when not renewed within this time (positive); null for
 *     no idle timeout
 * @param singleUse whether the token verifies only once
 * @param renewable whether a renewing (standing, re-minted) grant is allowed
 * @param breakGlass whether the grant is an emergency grant, flagged for review
 * @param maxDelegationDepth how many times the grant may be attenuated into sub-grants (0 = never)
 * @param sharedTask whether the grant may join a task whose live grants belong to another owner
 * @param credentialExpiryGrace if non-null, the grant expires no later than the presenting credential's
 *     own expiry plus this grace (zero or positive); null for no such cap
 */
public record GrantTerms(
    Set<String> actions,
    Duration maxTtl,
    @Nullable Duration idleTimeout,
    boolean singleUse,
    boolean renewable,
    boolean breakGlass,
    int maxDelegationDepth,
    boolean sharedTask,
    @Nullable Duration credentialExpiryGrace) {

  /** Checks and copies. */
  public GrantTerms {
    actions = Set.copyOf(actions);
    if (actions.isEmpty()) {
      throw new IllegalArgumentException("terms must grant at least one action");
    }
    Objects.requireNonNull(maxTtl, "maxTtl");
    if (maxTtl.isNegative() || maxTtl.isZero()) {
      throw new IllegalArgumentException("maxTtl must be positive, got " + maxTtl);
    }
    if (idleTimeout != null && (idleTimeout.isNegative() || idleTimeout.isZero())) {
      throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
    }
    if (singleUse && renewable) {
      throw new IllegalArgumentException("a grant cannot be both single-use and renewable");
    }
    if (maxDelegationDepth < 0) {
      throw new IllegalArgumentException("maxDelegationDepth must be >= 0, got " + maxDelegationDepth);
    }
    if (credentialExpiryGrace != null && credentialExpiryGrace.isNegative()) {
      throw new IllegalArgumentException("credentialExpiryGrace must be >= 0, got " + credentialExpiryGrace);
    }
  }

  /**
   * Terms that keep the task to its owner and do not cap the lifetime at the credential's expiry.
   *
   * @param actions the granted actions
   * @param maxTtl the longest the grant may live
   * @param idleTimeout the idle timeout, or null for none
   * @param singleUse whether the token verifies only once
   * @param renewable whether a renewing grant is allowed
   * @param breakGlass whether the grant is an emergency grant
   * @param maxDelegationDepth how many times the grant may be attenuated
   */
  public GrantTerms(Set<String> actions, Duration maxTtl, @Nullable Duration idleTimeout, boolean singleUse,
      boolean renewable, boolean breakGlass, int maxDelegationDepth) {
    this(actions, maxTtl, idleTimeout, singleUse, renewable, breakGlass, maxDelegationDepth, false, null);
  }

  /** Plain terms: these actions for at most {@code maxTtl}, no idle timeout, reusable, not renewable. */
  public static GrantTerms of(Set<String> actions, Duration maxTtl) {
    return new GrantTerms(actions, maxTtl, null, false, false, false, 0);
  }

  /** A copy with another idle timeout. */
  public GrantTerms withIdleTimeout(Duration timeout) {
    return new GrantTerms(actions, maxTtl, Objects.requireNonNull(timeout, "timeout"), singleUse, renewable, breakGlass, maxDelegationDepth,
        sharedTask, credentialExpiryGrace);
  }

  /** A copy that is single-use (or not). */
  public GrantTerms withSingleUse(boolean value) {
    return new GrantTerms(actions, maxTtl, idleTimeout, value, renewable, breakGlass, maxDelegationDepth,
        sharedTask, credentialExpiryGrace);
  }

  /** A copy that is renewable (or not). */
  public GrantTerms withRenewable(boolean value) {
    return new GrantTerms(actions, maxTtl, idleTimeout, singleUse, value, breakGlass, maxDelegationDepth,
        sharedTask, credentialExpiryGrace);
  }

  /** A copy flagged as break-glass (or not). */
  public GrantTerms withBreakGlass(boolean value) {
    return new GrantTerms(actions, maxTtl, idleTimeout, singleUse, renewable, value, maxDelegationDepth,
        sharedTask, credentialExpiryGrace);
  }

  /** A copy with another maximum TTL. */
  public GrantTerms withMaxTtl(Duration value) {
    return new GrantTerms(actions, value, idleTimeout, singleUse, renewable, breakGlass, maxDelegationDepth,
        sharedTask, credentialExpiryGrace);
  }

  /** A copy with another delegation depth. */
  public GrantTerms withMaxDelegationDepth(int value) {
    return new GrantTerms(actions, maxTtl, idleTimeout, singleUse, renewable, breakGlass, value,
        sharedTask, credentialExpiryGrace);
  }

  /** A copy that may (or may not) join a task whose live grants belong to another owner. */
  public GrantTerms withSharedTask(boolean value) {
    return new GrantTerms(actions, maxTtl, idleTimeout, singleUse, renewable, breakGlass, maxDelegationDepth,
        value, credentialExpiryGrace);
  }

  /** A copy that expires no later than the presenting credential's expiry plus {@code grace}. */
  public GrantTerms withCredentialExpiryCap(Duration grace) {
    return new GrantTerms(actions, maxTtl, idleTimeout, singleUse, renewable, breakGlass, maxDelegationDepth,
        sharedTask, Objects.requireNonNull(grace, "grace"));
  }
}
