package dev.jitaccess.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.spi.IdentityVerifier;
import dev.jitaccess.testkit.TestTrustDomain;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;

/**
 * A SPIFFE trust domain for the benchmarks (jit-testkit's {@link TestTrustDomain}: an ES256 JWT
 * authority in a real {@code SpiffeBundle}). The library side verifies its JWT-SVIDs with jit-spiffe's
 * real {@code JwtSvidVerifier} ({@link #identityVerifier()}); the floor checks the same tokens with bare
 * Nimbus ({@link #check}), on Bouncy Castle or on the JDK's SunEC.
 */
final class JwtSvids {
  static final String TRUST_DOMAIN = "spiffe://example.org";
  static final String WORKLOAD = TRUST_DOMAIN + "/ci/deploy";
  /** The audience a JWT-SVID presented to the broker carries. */
  static final String BROKER_AUDIENCE = "https://jit.example.org";

  private final TestTrustDomain domain;
  private final Clock clock;
  private final Crypto.Ecdsa ecdsa;
  private final JWSVerifier verifier;

  /** A fresh trust domain {@code example.org} minting at {@code clock}; the floor check uses {@code ecdsa}. */
  JwtSvids(Crypto.Ecdsa ecdsa, Clock clock) {
    this(TestTrustDomain.create("example.org", clock), ecdsa, clock);
  }

  /** The floor checks at {@code clock} (which may differ from the domain's minting clock, for tests). */
  JwtSvids(TestTrustDomain domain, Crypto.Ecdsa ecdsa, Clock clock) {
    this.domain = domain;
    this.clock = clock;
    this.ecdsa = ecdsa;
    ECPublicKey key = (ECPublicKey) domain.bundle().jwtAuthority(domain.jwtKeyId()).orElseThrow();
    try {
      ECDSAVerifier v = new ECDSAVerifier(key);
      if (ecdsa == Crypto.Ecdsa.BOUNCY_CASTLE) {
        v.getJCAContext().setProvider(Crypto.BC);
      }
      this.verifier = v;
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot build the JWT-SVID verifier", e);
    }
  }

  /** The same trust domain, with the floor check on another JCA provider. */
  JwtSvids withFloorProvider(Crypto.Ecdsa other) {
    return new JwtSvids(domain, other, clock);
  }

  /** The trust domain. */
  TestTrustDomain domain() {
    return domain;
  }

  /** The JCA provider of the floor check. */
  Crypto.Ecdsa floorProvider() {
    return ecdsa;
  }

  /** A JWT-SVID for {@code spiffeId} (in this trust domain), for the broker's audience, valid for {@code ttl}. */
  String mint(String spiffeId, Duration ttl) {
    return domain.jwtSvid(spiffeId, BROKER_AUDIENCE, ttl);
  }

  /**
   * The floor's JWT-SVID check with bare Nimbus: ES256 only, the domain's kid, signature, audience, expiry,
   * a SPIFFE ID of this trust domain as subject. Returns the claims, or null when the token is refused.
   */
  JWTClaimsSet check(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      JWSHeader h = jwt.getHeader();
      if (!JWSAlgorithm.ES256.equals(h.getAlgorithm()) || !domain.jwtKeyId().equals(h.getKeyID())) {
        return null;
      }
      if (!jwt.verify(verifier)) {
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

  /** The library side: jit-spiffe's {@code JwtSvidVerifier} over the domain's bundle, for the broker's audience. */
  IdentityVerifier identityVerifier() {
    return domain.jwtSvidVerifierBuilder(BROKER_AUDIENCE).build();
  }
}
