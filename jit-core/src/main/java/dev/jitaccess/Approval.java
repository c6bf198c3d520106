package dev.jitaccess;

import java.text.Normalizer;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One approver's approval, recorded in the grant's claims and the audit trail.
 *
 * @param approver the approving identity (a person or an approving system)
 * @param at when it was given
 * @param comment the approver's comment, possibly empty
 */
public record Approval(String approver, Instant at, String comment) {
  /** Checks the values. */
  public Approval {
    Objects.requireNonNull(approver, "approver");
    if (approver.isBlank()) {
      throw new IllegalArgumentException("approver must not be blank");
    }
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(comment, "comment");
  }

  /** This approval's approver as {@link #normalize} compares it. */
  public String normalizedApprover() {
    return normalize(approver);
  }

  /**
   * The one comparison key of approver and requester identities: Unicode NFKC, surrounding white space
   * removed, lower case by {@link Locale#ROOT}. {@code bob}, {@code BOB} and {@code ＢＯＢ} are the same
   * approver; the broker's own final check and the bundled approval handler both compare with it, so a
   * custom approval handler cannot weaken the rule "distinct approvers, never the requester or its
   * owner".
   */
  public static String normalize(String identity) {
    Objects.requireNonNull(identity, "identity");
    return Normalizer.normalize(identity, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
  }
}
