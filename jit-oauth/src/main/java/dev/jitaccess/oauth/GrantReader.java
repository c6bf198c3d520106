package dev.jitaccess.oauth;

import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.internal.GrantTokens;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Reads the broker's own grant tokens for introspection, revocation and delegation through the broker's
 * public contracts only, so a decorated {@link GrantBroker} works as well as jit-core's own: the token's
 * {@code jti} names a grant the broker knows ({@link GrantBroker#find}), and the broker's own
 * {@link GrantBroker#verifier()} checks it in {@linkplain VerificationRequest.Builder#inspectOnly() inspect-only}
 * mode against that record's resource: signature, claims, the stored record, revocation, expiry, idle
 * time and ancestors, without consuming a single-use grant or recording a DPoP proof.
 */
final class GrantReader {
  /** The largest token looked at; larger ones are never the broker's. */
  static final int MAX_TOKEN_CHARS = 16 * 1024;

  private final GrantBroker broker;
  private final Clock clock;

  /**
   * A token read against the broker.
   *
   * @param record the broker's record of the grant the token names
   * @param verification the inspect-only verification
   * @param claims the token's claims (verified when {@code verification} is)
   */
  record Read(GrantInfo record, Verification verification, JWTClaimsSet claims) {
    /** Whether the token is an authentic, live grant token of the broker (and its proof, if one was given, holds). */
    boolean isLive() {
      return verification instanceof Verification.Verified;
    }

    /** The rejection reason, or null when live. */
    Verification.@Nullable RejectionReason rejection() {
      return verification instanceof Verification.Rejected r ? r.reason() : null;
    }
  }

  /** The {@code scope} claim of a grant token, or empty. */
  static String scopeOf(JWTClaimsSet c) {
    Object scope = c.getClaim(GrantTokens.SCOPE);
    return scope instanceof String s ? s : "";
  }

  GrantReader(GrantBroker broker, Clock clock) {
    this.broker = broker;
    this.clock = clock;
  }

  /**
   * Reads a token that claims to be one of the broker's grants; empty when it cannot be (unparseable or an
   * unknown {@code jti}). A token past its own {@code exp} is never live here, whatever the verifier's skew.
   *
   * @param proof adds the holder's proof (DPoP, peer certificate) to the verification, or null
   */
  Optional<Read> read(@Nullable String token, @Nullable Consumer<VerificationRequest.Builder> proof) {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      return Optional.empty();
    }
    JWTClaimsSet claims;
    try {
      claims = SignedJWT.parse(token).getJWTClaimsSet();
    } catch (ParseException e) {
      return Optional.empty();
    }
    String jti = claims.getJWTID();
    if (jti == null || jti.isEmpty() || jti.length() > 256) {
      return Optional.empty();
    }
    Optional<GrantInfo> found = broker.find(jti);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    VerificationRequest.Builder request = VerificationRequest.builder(found.get().resource()).inspectOnly();
    if (proof != null) {
      proof.accept(request);
    }
    Verification v = broker.verifier().verify(token, request.build());
    Date exp = claims.getExpirationTime();
    if (v.isVerified() && (exp == null || !clock.instant().isBefore(exp.toInstant()))) {
      v = new Verification.Rejected(Verification.RejectionReason.EXPIRED, "the token has expired");
    }
    return Optional.of(new Read(found.get(), v, claims));
  }
}
