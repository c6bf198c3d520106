package dev.jitaccess;

import dev.jitaccess.internal.TokenVerifier;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a resource server uses to check a grant token: signature, {@code typ} ({@code at+jwt}), issuer,
 * audience, {@code exp}/{@code nbf}/{@code iat} with a skew, and, when it can read the broker's
 * {@link GrantStore}, revocation, idle timeout and single use. Thread-safe.
 *
 * <p>Get one from {@link GrantBroker#verifier()} in the broker's JVM, or build one anywhere from the
 * broker's {@link GrantBroker#publicJwks()} with {@link #builder()}.
 */
public interface GrantVerifier {

  /**
   * Checks a token presented to the resource {@code audience}; the same as
   * {@code verify(token, VerificationRequest.builder(audience).build())}.
   *
   * @param token the compact JWT
   * @param audience the resource server's own audience value; the token's {@code aud} must contain it
   * @return {@link Verification.Verified} with the grant, or {@link Verification.Rejected} with a reason
   */
  default Verification verify(String token, String audience) {
    return verify(token, VerificationRequest.builder(audience).build());
  }

  /**
   * Checks a token against everything the resource server expects: audience, and optionally task,
   * actions and the holder's proof of possession. A sender-constrained token (one with {@code cnf}) is
   * refused without a matching proof.
   */
  Verification verify(String token, VerificationRequest request);

  /** Starts a builder for a verifier that runs apart from the broker. */
  static Builder builder() {
    return new Builder();
  }

  /** Builds a stand-alone {@link GrantVerifier}; each option may be set once. Not thread-safe. */
  final class Builder {
    private @Nullable String issuer;
    private @Nullable String jwks;
    private @Nullable Clock clock;
    private @Nullable Duration clockSkew;
    private @Nullable GrantStore store;
    private @Nullable AuditSink auditSink;
    private @Nullable Integer maxTokenBytes;

    private Builder() {}

    /** The broker's issuer; required. */
    public Builder issuer(String issuer) {
      Objects.requireNonNull(issuer, "issuer");
      check(this.issuer == null, "issuer");
      if (issuer.isBlank()) {
        throw new IllegalArgumentException("issuer must not be blank");
      }
      this.issuer = issuer;
      return this;
    }

    /** The broker's public keys, as returned by {@link GrantBroker#publicJwks()}; required. */
    public Builder jwks(String jwks) {
      Objects.requireNonNull(jwks, "jwks");
      check(this.jwks == null, "jwks");
      this.jwks = jwks;
      return this;
    }

    /** The clock; defaults to the system UTC clock. */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      check(this.clock == null, "clock");
      this.clock = clock;
      return this;
    }

    /** The tolerated clock skew for {@code exp}, {@code nbf} and {@code iat}; 0 to 5 minutes, default 30 s. */
    public Builder clockSkew(Duration skew) {
      Objects.requireNonNull(skew, "clockSkew");
      check(this.clockSkew == null, "clockSkew");
      if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("clockSkew must be between 0 and 5 minutes, got " + skew);
      }
      this.clockSkew = skew;
      return this;
    }

    /** The broker's grant store, to honour revocation and single use; without it only the token is checked. */
    public Builder store(GrantStore store) {
      Objects.requireNonNull(store, "store");
      check(this.store == null, "store");
      this.store = store;
      return this;
    }

    /** Where VERIFIED / VERIFY_REJECTED / REPLAY_BLOCKED events go; none by default. */
    public Builder auditSink(AuditSink sink) {
      Objects.requireNonNull(sink, "auditSink");
      check(this.auditSink == null, "auditSink");
      this.auditSink = sink;
      return this;
    }

    /** The largest token accepted, in bytes; 1 KiB to 1 MiB, default 16 KiB. Checked before parsing. */
    public Builder maxTokenBytes(int bytes) {
      check(this.maxTokenBytes == null, "maxTokenBytes");
      if (bytes < 1024 || bytes > 1 << 20) {
        throw new IllegalArgumentException("maxTokenBytes must be between 1024 and 1048576, got " + bytes);
      }
      this.maxTokenBytes = bytes;
      return this;
    }

    /**
     * Builds the verifier.
     *
     * @throws IllegalStateException if the issuer or the keys are missing
     * @throws IllegalArgumentException if the JWK Set cannot be parsed or holds a private key
     */
    public GrantVerifier build() {
      if (issuer == null) {
        throw new IllegalStateException("issuer is required");
      }
      if (jwks == null) {
        throw new IllegalStateException("jwks is required");
      }
      return TokenVerifier.fromJwks(
          issuer,
          jwks,
          clock == null ? Clock.systemUTC() : clock,
          clockSkew == null ? Duration.ofSeconds(30) : clockSkew,
          store,
          auditSink,
          maxTokenBytes == null ? 16 * 1024 : maxTokenBytes);
    }

    private static void check(boolean unset, String name) {
      if (!unset) {
        throw new IllegalStateException(name + " was already set");
      }
    }
  }
}
