package dev.jitaccess.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The floors: what a hand-written service would do with bare Nimbus, and nothing else.
 *
 * <ul>
 *   <li>{@link Grant}: check the presented JWT-SVID (the very check the library side runs), then sign a
 *       token with the same header and claims as a jit-access grant token (fresh {@code jti}).
 *   <li>{@link Resource}: {@code SignedJWT.parse}, signature, then {@code iss}, {@code aud} and {@code exp}.
 * </ul>
 */
final class Floors {
  private Floors() {}

  /** The grant floor: verify the credential, sign a token of the same claims. */
  static final class Grant {
    private static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");
    private final JwtSvids svids;
    private final Crypto.KeyPairJws key;
    private final Clock clock;

    Grant(JwtSvids svids, Crypto.KeyPairJws key, Clock clock) {
      this.svids = svids;
      this.key = key;
      this.clock = clock;
    }

    /** The public key that verifies the tokens this floor signs. */
    JWSVerifier verifier() {
      return key.verifier();
    }

    String grant(String svid, String taskId, Duration ttl) {
      JWTClaimsSet in = svids.check(svid);
      if (in == null) {
        throw new IllegalStateException("the floor refused the JWT-SVID");
      }
      Instant now = clock.instant();
      Map<String, Object> tctx = new LinkedHashMap<>();
      tctx.put("purpose", Brokers.PURPOSE);
      tctx.put("env", Brokers.ENVIRONMENT);
      tctx.put("rules", List.of(Brokers.RULE));
      Map<String, Object> rctx = new LinkedHashMap<>();
      rctx.put("req_wl", in.getSubject());
      rctx.put("req_iss", JwtSvids.TRUST_DOMAIN);
      rctx.put("authn", "jwt-svid");
      Date iat = Date.from(now);
      JWTClaimsSet claims = new JWTClaimsSet.Builder()
          .issuer(Brokers.ISSUER)
          .subject(in.getSubject())
          .audience(Brokers.RESOURCE)
          .expirationTime(Date.from(now.plus(ttl)))
          .notBeforeTime(iat)
          .issueTime(iat)
          .jwtID(UUID.randomUUID().toString())
          .claim("client_id", in.getSubject())
          .claim("scope", String.join(" ", new TreeSet<>(Brokers.ACTIONS)))
          .claim("txn", taskId)
          .claim("tctx", tctx)
          .claim("rctx", rctx)
          .build();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(key.algorithm()).type(AT_JWT).keyID(key.kid()).build(), claims);
      try {
        jwt.sign(key.signer());
      } catch (JOSEException e) {
        throw new IllegalStateException("floor signing failed", e);
      }
      return jwt.serialize();
    }
  }

  /** The resource-side floor: parse, verify the signature, check iss, aud and exp. */
  static final class Resource {
    private final JWSVerifier verifier;
    private final Clock clock;

    Resource(JWSVerifier verifier, Clock clock) {
      this.verifier = verifier;
      this.clock = clock;
    }

    /** The claims, or null when the token is refused. */
    JWTClaimsSet verify(String token, String audience) {
      try {
        SignedJWT jwt = SignedJWT.parse(token);
        if (!jwt.verify(verifier)) {
          return null;
        }
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        List<String> aud = c.getAudience();
        Date exp = c.getExpirationTime();
        if (!Brokers.ISSUER.equals(c.getIssuer()) || aud == null || !aud.contains(audience) || exp == null
            || !clock.instant().isBefore(exp.toInstant())) {
          return null;
        }
        return c;
      } catch (ParseException | JOSEException e) {
        return null;
      }
    }
  }
}
