package dev.jitaccess.spi;

/**
 * Observes the broker's operations for metrics or traces (jit-micrometer implements it with Micrometer's
 * Observation API; jit-core stays free of Micrometer): {@link #start} when an operation begins, and
 * {@link Scope#stop} once when it ends, with its {@link Outcome} and a reason from a closed set.
 *
 * <p>The broker guards every call: an observer that throws is logged at WARN and changes no outcome, so
 * metrics never break issuance. Both calls run on the caller's thread, inside the operation: keep them
 * cheap and non-blocking (record, do not export). Set one with {@code GrantBroker.Builder.observer};
 * the default is {@link #noop()}.
 */
public interface BrokerObserver {

  /** What the broker is doing. */
  enum Operation {
    /** {@code GrantBroker.request} and {@code requestAsync} (the latter until its stage completes). */
    REQUEST,
    /** {@code GrantBroker.evaluate}: a dry run. */
    EVALUATE,
    /** A token checked by {@code GrantBroker.verifier()}. */
    VERIFY,
    /** {@code GrantBroker.delegate}: a sub-grant. */
    DELEGATE
  }

  /** How an operation ended. */
  enum Outcome {
    /** A grant was issued, or a dry run allowed. */
    ALLOWED,
    /** Refused; the reason is the {@code DenialCategory}, lower case. */
    DENIED,
    /** Refused because a human approval is needed (a dry run, or {@code request} without waiting). */
    NEEDS_APPROVAL,
    /** A token was accepted; the reason is {@code none}. */
    VERIFIED,
    /** A token was refused; the reason is the {@code Verification.RejectionReason}, lower case. */
    REJECTED,
    /** The operation threw something other than a denial; the reason is {@code error}. */
    FAILED
  }

  /** One running operation. */
  interface Scope {
    /**
     * The operation ended. Called at most once.
     *
     * @param outcome how it ended
     * @param reason why, from a closed set: a lower-case {@code DenialCategory} or
     *     {@code Verification.RejectionReason} name, {@code none} or {@code error}; never an id
     */
    void stop(Outcome outcome, String reason);
  }

  /**
   * An operation begins.
   *
   * @return the scope to stop when it ends; never null (a null is treated as a no-op)
   */
  Scope start(Operation operation);

  /** An observer that records nothing: the default. */
  static BrokerObserver noop() {
    return NoopBrokerObserver.INSTANCE;
  }
}
