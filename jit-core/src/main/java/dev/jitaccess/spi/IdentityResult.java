package dev.jitaccess.spi;

import dev.jitaccess.WorkloadIdentity;
import java.util.Objects;

/** The outcome of {@link IdentityVerifier#verify}: {@link Verified} or {@link Rejected}. */
public sealed interface IdentityResult permits IdentityResult.Verified, IdentityResult.Rejected {

  /** A verified identity. */
  static IdentityResult verified(WorkloadIdentity identity) {
    return new Verified(identity);
  }

  /** A rejection with a reason that never contains the credential itself. */
  static IdentityResult rejected(String reason) {
    return new Rejected(reason);
  }

  /**
   * The credential proved this identity.
   *
   * @param identity the verified identity
   */
  record Verified(WorkloadIdentity identity) implements IdentityResult {
    /** Checks the value. */
    public Verified {
      Objects.requireNonNull(identity, "identity");
    }
  }

  /**
   * The credential was refused.
   *
   * @param reason why, naming the rule that failed; never the credential
   */
  record Rejected(String reason) implements IdentityResult {
    /** Checks the value. */
    public Rejected {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
