package dev.jitaccess;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Reads the broker's own grant tokens for introspection, revocation and delegation without changing any
 * state: a single-use grant is not consumed, no DPoP proof is recorded unless one is given.
 *
 * <p>How, with the public API only: the token's {@code jti} names a grant the broker's store knows
 * ({@link GrantBroker#find}); a stand-alone {@link GrantVerifier} built from
 * {@link GrantBroker#publicJwks()} and that record's issuer, with no store, checks the signature,
 * {@code typ}, issuer, audience (the record's resource) and times. A sender-constrained token checked
 * without its proof comes back {@code PROOF_OF_POSSESSION}; the verifier checks proof of possession
 * only after everything else passed, so that answer also means "authentic" (a test guards the order).
 * Liveness (revoked, expired, idle, an ancestor ended) is the broker's own {@code isLive}.
 */
final class TokenExchangeGrants {
  /** The largest token looked at; larger ones are never the broker's. */
  static final int MAX_TOKEN_CHARS = 16 * 1024;
  private static final int MAX_CHAIN = 16;

  private final GrantBroker broker;
  private final Clock clock;
  private final AtomicReference<CachedVerifier> cached = new AtomicReference<>();

  private record CachedVerifier(String issuer, String jwks, GrantVerifier verifier) {}

  /**
   * A token checked against the broker.
   *
   * @param claims the token's claims (only meaningful when {@code authentic})
   * @param record the broker's record of the grant
   * @param rejection null when fully verified; {@code PROOF_OF_POSSESSION} when authentic but no (good)
   *     proof was given; anything else means not authentic
   */
  record Checked(JWTClaimsSet claims, GrantInfo record, Verification.@Nullable RejectionReason rejection) {
    boolean authentic() {
      return rejection == null || (rejection == Verification.RejectionReason.PROOF_OF_POSSESSION
          && record.isSenderConstrained());
    }

    boolean fullyVerified() {
      return rejection == null;
    }
  }

  TokenExchangeGrants(GrantBroker broker, Clock clock) {
    this.broker = broker;
    this.clock = clock;
  }

  /**
   * Checks a token that claims to be one of the broker's grants; empty when it cannot be (unparseable,
   * unknown {@code jti}, does not match the record).
   *
   * @param proof adds the holder's proof (DPoP, peer certificate) to the verification, or null
   */
  Optional<Checked> check(@Nullable String token, @Nullable Consumer<VerificationRequest.Builder> proof) {
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
    if (jti == null || jti.isEmpty()) {
      return Optional.empty();
    }
    Optional<GrantInfo> found = broker.find(jti);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    GrantInfo record = found.get();
    GrantVerifier verifier = verifier(record.issuer());
    VerificationRequest.Builder request = VerificationRequest.builder(record.resource());
    if (proof != null) {
      proof.accept(request);
    }
    Verification v = verifier.verify(token, request.build());
    Verification.@Nullable RejectionReason rejection =
        v instanceof Verification.Rejected rejected ? rejected.reason() : null;
    if (!record.subject().equals(claims.getSubject()) || !record.taskId().equals(stringClaim(claims, "txn"))) {
      return Optional.empty();
    }
    return Optional.of(new Checked(claims, record, rejection));
  }

  /**
   * Whether an authentic token is live now: before its own {@code exp}, and the broker says its grant
   * and every ancestor are live (not revoked, expired or idle). Fails closed for a broker that is not
   * jit-core's own.
   */
  boolean isLive(Checked checked) {
    if (!checked.authentic()) {
      return false;
    }
    Date exp = checked.claims().getExpirationTime();
    if (exp == null || !clock.instant().isBefore(exp.toInstant())) {
      return false;
    }
    if (!(broker instanceof Grant.Lifecycle lifecycle)) {
      return false;
    }
    if (!lifecycle.isLive(checked.record().grantId())) {
      return false;
    }
    Optional<String> ancestor = checked.record().parentGrantId();
    for (int depth = 0; ancestor.isPresent(); depth++) {
      if (depth >= MAX_CHAIN || !lifecycle.isLive(ancestor.get())) {
        return false;
      }
      ancestor = broker.find(ancestor.get()).flatMap(GrantInfo::parentGrantId);
    }
    return true;
  }

  private GrantVerifier verifier(String issuer) {
    String jwks = broker.publicJwks();
    CachedVerifier c = cached.get();
    if (c != null && c.issuer().equals(issuer) && c.jwks().equals(jwks)) {
      return c.verifier();
    }
    GrantVerifier v = GrantVerifier.builder().issuer(issuer).jwks(jwks).clock(clock).build();
    cached.set(new CachedVerifier(issuer, jwks, v));
    return v;
  }

  static @Nullable String stringClaim(JWTClaimsSet claims, String name) {
    Object v = claims.getClaim(name);
    return v instanceof String s ? s : null;
  }
}
