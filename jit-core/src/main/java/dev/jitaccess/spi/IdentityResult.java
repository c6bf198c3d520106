package dev.jitaccess.spi;

import dev.jitaccess.WorkloadIdentity;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The outcome of {@link IdentityVerifier#verify}: {@link Verified} or {@link Rejected}. */
public sealed interface IdentityResult permits IdentityResult.Verified, IdentityResult.Rejected {

  /** A verified identity. */
  static IdentityResult verified(WorkloadIdentity identity) {
    return new Verified(identity);
  }

  /**
   * A rejection with a reason that never contains the credential itself, of code {@link Code#OTHER}.
   * Prefer {@link #rejected(Code, String)}, which a caller can act on without reading text.
   */
  static IdentityResult rejected(String reason) {
    return new Rejected(Code.OTHER, reason, null);
  }

  /** A rejection with its code and a reason in words that never contains the credential itself. */
  static IdentityResult rejected(Code code, String reason) {
    return new Rejected(code, reason, null);
  }

  /**
   * A rejection with its code, a reason in words, and the rule of the specification it applies (for
   * example {@code "B8"} of the SPIFFE conformance checklist, documented in jit-spiffe's CONFORMANCE.md).
   */
  static IdentityResult rejected(Code code, String reason, String rule) {
    return new Rejected(code, reason, Objects.requireNonNull(rule, "rule"));
  }

  /**
   * Why a credential was refused: a closed set a caller maps to a response without parsing text. The
   * codes each verifier uses are listed in jit-spiffe's CONFORMANCE.md.
   */
  enum Code {
    /** The verifier does not handle this kind of credential. */
    UNSUPPORTED_CREDENTIAL,
    /** Larger than the verifier's limit; refused before parsing. */
    TOO_LARGE,
    /** Not well formed: encoding, structure, JSON, DER. */
    MALFORMED,
    /** The signature algorithm is not allowed (including {@code none} and symmetric ones). */
    ALGORITHM,
    /** A header member that is refused or has a wrong value ({@code jku}, {@code crit}, {@code typ}, no {@code kid}). */
    HEADER,
    /** The issuer or trust domain is not one this verifier trusts, or has no trust bundle. */
    UNTRUSTED_ISSUER,
    /** No trusted key matches the credential's key id, or the key does not fit the algorithm. */
    UNKNOWN_KEY,
    /** The signature does not verify. */
    BAD_SIGNATURE,
    /** The certificate chain does not validate, or a certificate breaks the SVID profile. */
    BAD_CERTIFICATE,
    /** The audience is missing or not the expected one. */
    WRONG_AUDIENCE,
    /** The credential has expired, or has no usable expiry. */
    EXPIRED,
    /** The credential is not valid yet, or was issued in the future. */
    NOT_YET_VALID,
    /** The subject is missing or not a valid identity name (a SPIFFE ID, an OIDC {@code sub}). */
    BAD_SUBJECT,
    /** A required claim is missing or does not have a required value. */
    CLAIM_MISMATCH,
    /** The identity id or owner derived from the credential is unusable (blank, control characters). */
    INVALID_IDENTITY,
    /** The keys or trust bundles needed are not available (endpoint unreachable, verifier closed). */
    UNAVAILABLE,
    /** The verifier failed unexpectedly; the credential is refused (fail closed). */
    ERROR,
    /** Anything else; the code of {@link IdentityResult#rejected(String)}. */
    OTHER
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
   * @param code why, as a closed code
   * @param reason why, in words with the values that matter (times, audiences, key ids); never the
   *     credential
   * @param rule the specification rule that failed (for example {@code "B8"}), or null
   */
  record Rejected(Code code, String reason, @Nullable String rule) implements IdentityResult {
    /** Checks the values. */
    public Rejected {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(reason, "reason");
    }

    /** A rejection of code {@link Code#OTHER} without a rule. */
    public Rejected(String reason) {
      this(Code.OTHER, reason, null);
    }
  }
}
