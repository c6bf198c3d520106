package dev.jitaccess;

import java.util.Objects;
import java.util.Optional;

/**
 * The result of checking a grant token with a {@link GrantVerifier}: {@link Verified} or
 * {@link Rejected}. A bad token is a value, never an exception.
 */
public sealed interface Verification permits Verification.Verified, Verification.Rejected {

  /** Whether the token was accepted. */
  default boolean isVerified() {
    return this instanceof Verified;
  }

  /** The verified grant's facts; empty when rejected. Usable without a cast or a pattern. */
  default Optional<GrantInfo> info() {
    return this instanceof Verified v ? Optional.of(v.grant()) : Optional.empty();
  }

  /** Why the token was rejected; empty when verified. */
  default Optional<RejectionReason> rejectionReason() {
    return this instanceof Rejected r ? Optional.of(r.reason()) : Optional.empty();
  }

  /** The rejection's detail, safe to log (never the token); empty when verified. */
  default Optional<String> rejectionDetail() {
    return this instanceof Rejected r ? Optional.of(r.detail()) : Optional.empty();
  }

  /**
   * The token is valid; its claims.
   *
   * @param grant what the token grants
   */
  record Verified(GrantInfo grant) implements Verification {
    /** Checks the value. */
    public Verified {
      Objects.requireNonNull(grant, "grant");
    }
  }

  /**
   * The token is refused.
   *
   * @param reason the kind of failure
   * @param detail a human-readable detail; never contains the token
   */
  record Rejected(RejectionReason reason, String detail) implements Verification {
    /** Checks the values. */
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** Why a token was rejected. */
  enum RejectionReason {
    /** Not a compact JWS, or its JSON is malformed. */
    MALFORMED,
    /** Larger than the configured limit; not parsed. */
    TOO_LARGE,
    /** The {@code typ} header is not {@code at+jwt}, or a forbidden header is present. */
    BAD_HEADER,
    /** The algorithm is not the one the keys allow. */
    BAD_ALGORITHM,
    /** No key with the token's {@code kid}. */
    UNKNOWN_KEY,
    /** The signature does not verify. */
    BAD_SIGNATURE,
    /** The issuer is not the expected one. */
    WRONG_ISSUER,
    /** The audience does not contain the resource server. */
    WRONG_AUDIENCE,
    /** A required claim is missing or has the wrong type. */
    MISSING_CLAIM,
    /** Past its expiry (with the configured skew). */
    EXPIRED,
    /** Not valid yet, or issued in the future (beyond the skew). */
    NOT_YET_VALID,
    /** The grant was revoked, or went idle. */
    REVOKED,
    /** A single-use grant that has already been used, or a DPoP proof presented twice. */
    REPLAYED,
    /** The broker's store does not know the grant. */
    UNKNOWN_GRANT,
    /** The token was issued for another task than the one the caller expects. */
    WRONG_TASK,
    /** A required action is not in the token's scope. */
    INSUFFICIENT_SCOPE,
    /** The token is sender-constrained and the holder's proof is missing or wrong, or proof was required. */
    PROOF_OF_POSSESSION,
    /** The verifier failed; the token is refused (fail closed). */
    ERROR
  }
}
