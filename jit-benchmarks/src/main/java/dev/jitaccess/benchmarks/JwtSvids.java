package dev.jitaccess.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Credential;
import dev.jitaccess.SigningAlgorithm;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityVerifier;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * A SPIFFE trust domain for the benchmarks: mints ES256 JWT-SVIDs and checks them with bare Nimbus. The
 * check is shared by the library side (through {@link #identityVerifier()}) and the floor, so the two
 * differ only by what the broker adds. jit-spiffe's JWT-SVID verifier will replace the library side.
 */
final class JwtSvids {
  static final String TRUST_DOMAIN = "spiffe://example.org";
  static final String WORKLOAD = TRUST_DOMAIN + "/ci/deploy";
  /** The audience a JWT-SVID presented to the broker carries. */
  static final String BROKER_AUDIENCE = "https://jit.example.org";

  private final Crypto.KeyPairJws key;
  private final Clock clock;

  JwtSvids(Crypto.Ecdsa ecdsa, Clock clock) {
    this.key = Crypto.generate(SigningAlgorithm.ES256, ecdsa);
    this.clock = clock;
  }

  /** A JWT-SVID for {@code spiffeId}, valid for {@code ttl}. */
  String mint(String spiffeId, Duration ttl) {
    Instant now = clock.instant();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .subject(spiffeId)
        .audience(BROKER_AUDIENCE)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)))
        .build();
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).keyID(key.kid()).build(), claims);
    try {
      jwt.sign(key.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a JWT-SVID", e);
    }
    return jwt.serialize();
  }

  /**
   * The JWT-SVID checks: ES256 only, known kid, signature, audience, expiry, a SPIFFE ID of this trust
   * domain as subject. Returns the claims, or null when the token is refused.
   */
  JWTClaimsSet check(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      JWSHeader h = jwt.getHeader();
      if (!JWSAlgorithm.ES256.equals(h.getAlgorithm()) || !key.kid().equals(h.getKeyID())) {
        return null;
      }
      if (!jwt.verify(key.verifier())) {
        return null;
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      List<String> aud = c.getAudience();
      Date exp = c.getExpirationTime();
      String sub = c.getSubject();
      if (aud == null || !aud.contains(BROKER_AUDIENCE) || exp == null || !clock.instant().isBefore(exp.toInstant())
          || sub == null || !sub.startsWith(TRUST_DOMAIN + "/")) {
        return null;
      }
      return c;
    } catch (ParseException | JOSEException e) {
      return null;
    }
  }

  /** The library side: an {@link IdentityVerifier} for JWT-SVID credentials running {@link #check}. */
  IdentityVerifier identityVerifier() {
    return new IdentityVerifier() {
      @Override
      public boolean supports(Credential credential) {
        return credential instanceof Credential.Token
            && ((Credential.Token) credential).type() == Credential.TokenType.JWT_SVID;
      }

      @Override
      public IdentityResult verify(Credential credential) {
        JWTClaimsSet c = check(((Credential.Token) credential).value());
        if (c == null) {
          return IdentityResult.rejected("JWT-SVID refused");
        }
        return IdentityResult.verified(WorkloadIdentity.builder(c.getSubject(), TRUST_DOMAIN)
            .kind("jwt-svid")
            .expiresAt(c.getExpirationTime().toInstant())
            .build());
      }
    };
  }
}
