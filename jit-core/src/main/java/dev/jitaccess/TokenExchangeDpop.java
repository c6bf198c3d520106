package dev.jitaccess;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.internal.Providers;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks the RFC 9449 DPoP proof sent to the token endpoint (section 4.3): {@code typ dpop+jwt}, an
 * asymmetric algorithm (ES256/384/512, RS256, PS256), the public key in the {@code jwk} header, a valid
 * signature, {@code htm POST}, {@code htu} the configured endpoint, {@code iat} within the window, and a
 * {@code jti} not seen within twice the window. {@code ath} is not required here (no access token is
 * presented to be bound); when the subject token itself is DPoP-bound, its proof is checked by the
 * grant verifier, which does require {@code ath}.
 */
final class TokenExchangeDpop {
  private static final JOSEObjectType TYPE = new JOSEObjectType("dpop+jwt");
  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384,
      JWSAlgorithm.ES512, JWSAlgorithm.RS256, JWSAlgorithm.PS256);
  static final int MAX_PROOF_BYTES = 8 * 1024;

  private final Clock clock;
  private final Duration window;
  private final @Nullable URI endpoint;
  private final Cache<String, Boolean> seen;

  TokenExchangeDpop(Clock clock, Duration window, @Nullable URI endpoint) {
    this.clock = clock;
    this.window = window;
    this.endpoint = endpoint;
    Instant origin = clock.instant();
    this.seen = Caffeine.newBuilder()
        .ticker(() -> {
          Duration d = Duration.between(origin, clock.instant());
          return d.isNegative() ? 0 : d.toNanos();
        })
        .expireAfterWrite(window.multipliedBy(2))
        .executor(Runnable::run)
        .maximumSize(1_000_000)
        .build();
  }

  /**
   * The outcome: the proof's public key (JWK JSON) and thumbprint, or a problem.
   *
   * @param publicJwk the holder's public key as JWK JSON, when the proof is good
   * @param problem what is wrong, never containing the proof, when it is not
   */
  record Result(@Nullable String publicJwk, @Nullable String problem) {}

  Result check(String proof, String method) {
    if (endpoint == null) {
      return bad("DPoP is not enabled at this endpoint (no token endpoint URL configured)");
    }
    if (proof.length() > MAX_PROOF_BYTES) {
      return bad("the DPoP proof is larger than " + MAX_PROOF_BYTES + " bytes");
    }
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(proof);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return bad("the DPoP proof is not a signed JWT");
    }
    JWSHeader h = jwt.getHeader();
    if (!TYPE.equals(h.getType())) {
      return bad("the DPoP proof typ must be dpop+jwt");
    }
    if (!ALGORITHMS.contains(h.getAlgorithm())) {
      return bad("the DPoP proof algorithm " + h.getAlgorithm() + " is not accepted");
    }
    if (h.getCriticalParams() != null && !h.getCriticalParams().isEmpty()) {
      return bad("the DPoP proof has crit header parameters");
    }
    JWK key = h.getJWK();
    if (key == null || key.isPrivate()) {
      return bad("the DPoP proof must carry a public key in its jwk header");
    }
    String thumbprint;
    try {
      thumbprint = key.computeThumbprint().toString();
      if (!jwt.verify(verifier(key, h.getAlgorithm()))) {
        return bad("the DPoP proof signature does not verify");
      }
    } catch (JOSEException | IllegalStateException e) {
      return bad("the DPoP proof signature does not verify");
    }
    try {
      if (!method.toUpperCase(Locale.ROOT).equals(claims.getStringClaim("htm"))) {
        return bad("the DPoP proof is for another HTTP method");
      }
      String htu = claims.getStringClaim("htu");
      String expected = normalize(endpoint.toString());
      if (htu == null || expected == null || !expected.equals(normalize(htu))) {
        return bad("the DPoP proof is for another URI");
      }
      Date iat = claims.getIssueTime();
      if (iat == null || Duration.between(iat.toInstant(), clock.instant()).abs().compareTo(window) > 0) {
        return bad("the DPoP proof iat is missing or not within " + window + " of now");
      }
      String jti = claims.getJWTID();
      if (jti == null || jti.isEmpty() || jti.length() > 256) {
        return bad("the DPoP proof has no usable jti");
      }
      if (seen.asMap().putIfAbsent(thumbprint + " " + jti, Boolean.TRUE) != null) {
        return bad("the DPoP proof was already used");
      }
    } catch (ParseException e) {
      return bad("the DPoP proof claims have the wrong types");
    }
    return new Result(key.toPublicJWK().toJSONString(), null);
  }

  private static Result bad(String problem) {
    return new Result(null, problem);
  }

  private static JWSVerifier verifier(JWK key, JWSAlgorithm alg) throws JOSEException {
    if (key instanceof ECKey ec && JWSAlgorithm.Family.EC.contains(alg)) {
      ECDSAVerifier v = new ECDSAVerifier(ec);
      v.getJCAContext().setProvider(Providers.bouncyCastle());
      return v;
    }
    if (key instanceof RSAKey rsa && JWSAlgorithm.Family.RSA.contains(alg)) {
      return new RSASSAVerifier(rsa);
    }
    throw new JOSEException("key type does not match the algorithm");
  }

  /** Scheme and host lower-cased, default port dropped, query and fragment ignored (RFC 9449 4.3). */
  static @Nullable String normalize(String uri) {
    try {
      URI u = URI.create(uri);
      if (!u.isAbsolute() || u.getHost() == null) {
        return null;
      }
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      String host = u.getHost().toLowerCase(Locale.ROOT);
      int port = u.getPort();
      if (("https".equals(scheme) && port == 443) || ("http".equals(scheme) && port == 80)) {
        port = -1;
      }
      String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
      return scheme + "://" + host + (port == -1 ? "" : ":" + port) + path;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
