package dev.jitaccess.internal;

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
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.spi.GrantStore;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks RFC 9449 DPoP proofs presented with a sender-constrained grant token: {@code typ dpop+jwt}, an
 * asymmetric algorithm, an embedded public key whose thumbprint is the token's {@code cnf.jkt}, a valid
 * signature, the request's method and URI, a fresh {@code iat}, the token's hash in {@code ath}, and a
 * {@code jti} never seen before within the replay window.
 */
final class DpopProofs {
  private static final JOSEObjectType TYPE = new JOSEObjectType("dpop+jwt");
  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384,
      JWSAlgorithm.ES512, JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.EdDSA);
  private static final int MAX_PROOF_BYTES = 8 * 1024;

  private final Clock clock;
  private final @Nullable GrantStore store;
  private final Duration window;
  private final Cache<String, Boolean> seen;

  /** Proofs are accepted when their {@code iat} is within {@code window} of the clock's time. */
  DpopProofs(Clock clock, Duration window, @Nullable GrantStore store) {
    this.clock = clock;
    this.store = store;
    this.window = window;
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

  /** Whether a failure was a replay (as opposed to a bad or missing proof). */
  record Problem(boolean replay, String detail) {}

  /** Returns null when the proof is good and fresh, otherwise what is wrong. Never includes the proof. */
  @Nullable Problem check(
      @Nullable String proof, String accessToken, String jkt, @Nullable String method, @Nullable String uri) {
    if (proof == null || method == null || uri == null) {
      return new Problem(false, "the token is bound to a DPoP key; a DPoP proof with method and URI is required");
    }
    if (proof.length() > MAX_PROOF_BYTES) {
      return new Problem(false, "DPoP proof is larger than " + MAX_PROOF_BYTES + " bytes");
    }
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(proof);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return new Problem(false, "DPoP proof is not a signed JWT");
    }
    JWSHeader h = jwt.getHeader();
    if (!TYPE.equals(h.getType())) {
      return new Problem(false, "DPoP proof typ must be dpop+jwt");
    }
    if (!ALGORITHMS.contains(h.getAlgorithm())) {
      return new Problem(false, "DPoP proof algorithm " + h.getAlgorithm() + " is not allowed");
    }
    JWK key = h.getJWK();
    if (key == null || key.isPrivate()) {
      return new Problem(false, "DPoP proof must carry the public key in its jwk header");
    }
    try {
      if (!key.computeThumbprint().toString().equals(jkt)) {
        return new Problem(false, "DPoP proof key is not the key the token is bound to");
      }
      if (!jwt.verify(verifier(key, h.getAlgorithm()))) {
        return new Problem(false, "DPoP proof signature does not verify");
      }
    } catch (JOSEException | GeneralSecurityException | IllegalStateException e) {
      return new Problem(false, "DPoP proof signature does not verify");
    }
    try {
      if (!method.toUpperCase(Locale.ROOT).equals(claims.getStringClaim("htm"))) {
        return new Problem(false, "DPoP proof is for another HTTP method");
      }
      String htu = claims.getStringClaim("htu");
      String expected = normalize(uri);
      if (htu == null || expected == null || !expected.equals(normalize(htu))) {
        return new Problem(false, "DPoP proof is for another URI");
      }
      Date iat = claims.getIssueTime();
      Instant now = clock.instant();
      if (iat == null || Duration.between(iat.toInstant(), now).abs().compareTo(window) > 0) {
        return new Problem(false, "DPoP proof iat is missing or not within " + window + " of now");
      }
      String ath = claims.getStringClaim("ath");
      if (ath == null || !ath.equals(GrantTokens.sha256(accessToken))) {
        return new Problem(false, "DPoP proof ath does not match the access token");
      }
      String jti = claims.getJWTID();
      if (jti == null || jti.isEmpty() || jti.length() > 256) {
        return new Problem(false, "DPoP proof has no usable jti");
      }
      String seenKey = "dpop " + jkt + " " + jti;
      boolean firstHere = seen.asMap().putIfAbsent(seenKey, Boolean.TRUE) == null;
      boolean firstInStore = store == null || store.markUsed(seenKey, now.plus(window.multipliedBy(2)));
      if (!firstHere || !firstInStore) {
        return new Problem(true, "DPoP proof was already used");
      }
    } catch (ParseException e) {
      return new Problem(false, "DPoP proof claims have the wrong types");
    }
    return null;
  }

  private static JWSVerifier verifier(JWK key, JWSAlgorithm alg) throws JOSEException, GeneralSecurityException {
    if (key instanceof ECKey ecKey && JWSAlgorithm.Family.EC.contains(alg)) {
      ECDSAVerifier v = new ECDSAVerifier(ecKey);
      v.getJCAContext().setProvider(Providers.bouncyCastle());
      return v;
    }
    if (key instanceof RSAKey rsaKey && JWSAlgorithm.Family.RSA.contains(alg)) {
      return new RSASSAVerifier(rsaKey);
    }
    if (key instanceof OctetKeyPair octetKeyPair && JWSAlgorithm.EdDSA.equals(alg)) {
      return new Ed25519Bc.Verifier(Ed25519Bc.publicKey(octetKeyPair));
    }
    throw new JOSEException("key type does not match the algorithm");
  }

  private static @Nullable String normalize(String uri) {
    try {
      URI u = URI.create(uri);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
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
