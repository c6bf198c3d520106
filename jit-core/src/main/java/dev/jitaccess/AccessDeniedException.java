package dev.jitaccess;

import java.util.Objects;

/**
 * Thrown by {@link GrantBroker#request(GrantRequest)} when no grant is issued: the identity was not
 * verified, the policy denied, an approval is required or was refused, a quota was reached, or a step
 * failed (fail closed). {@link #decision()} tells why.
 */
public class AccessDeniedException extends JitException {
  private static final long serialVersionUID = 1L;

  private final transient Decision decision;

  /** Creates a denial carrying the decision that caused it. */
  public AccessDeniedException(Decision decision) {
    super(message(decision));
    this.decision = decision;
  }

  /** Creates a denial carrying the decision and the failure that caused it. */
  public AccessDeniedException(Decision decision, Throwable cause) {
    super(message(decision), cause);
    this.decision = decision;
  }

  /**
   * What kind of denial this is: the {@link Decision.Deny#category()} of a denial, {@link
   * DenialCategory#APPROVAL} for a decision that needs an approval.
   */
  public DenialCategory category() {
    return decision instanceof Decision.Deny deny ? deny.category() : DenialCategory.APPROVAL;
  }

  /** The decision behind this denial, with its rule ids and reasons. */
  public Decision decision() {
    return decision;
  }

  private static String message(Decision decision) {
    Objects.requireNonNull(decision, "decision");
    String kind = decision instanceof Decision.NeedsApproval ? "approval required" : "access denied";
    return kind + ": " + String.join("; ", decision.reasons());
  }
}
