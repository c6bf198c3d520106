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
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The one RFC 9449 DPoP proof checker, used by the resource-server path ({@link TokenVerifier}) and by the
 * token endpoint: {@code typ dpop+jwt}; an asymmetric algorithm from one allow-list (ES256/384/512, RS256,
 * PS256, EdDSA with Ed25519); no {@code crit} and no key-reference header ({@code jku}, {@code x5u},
 * {@code x5c}); the public key in the {@code jwk} header; a valid signature; {@code htm} the request's
 * method; {@code htu} the request's URI compared by {@link #canonicalHtu}; {@code iat} within the window;
 * {@code ath} the hash of the access token when one is presented; a {@code jti} not seen within twice the
 * window (in this checker's cache and, when given, the broker's store).
 */
public final class DpopProofs {
  /** The largest proof looked at, in characters. */
  public static final int MAX_PROOF_BYTES = 8 * 1024;
  private static final JOSEObjectType TYPE = new JOSEObjectType("dpop+jwt");
  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384,
      JWSAlgorithm.ES512, JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.EdDSA);

  private final Clock clock;
  private final @Nullable GrantStore store;
  private final Duration window;
  private final Cache<String, Boolean> seen;

  /**
   * A checker whose proofs are accepted when their {@code iat} is within {@code window} of the clock's time.
   *
   * @param store where used {@code jti}s are also recorded (shared by verifiers of one broker), or null
   */
  public DpopProofs(Clock clock, Duration window, @Nullable GrantStore store) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.window = Objects.requireNonNull(window, "window");
    this.store = store;
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
   * What a proof must match.
   *
   * @param method the HTTP method of the request the proof came with
   * @param uri the URI of that request (query and fragment are ignored)
   * @param accessToken the access token presented with the proof, whose hash {@code ath} must be; null when
   *     none is presented (the token endpoint), and then {@code ath} is not checked
   * @param boundThumbprint the JWK thumbprint the access token is bound to ({@code cnf.jkt}); null when the
   *     proof introduces its key (the token endpoint)
   * @param recordUse whether the proof's {@code jti} is recorded as used; false only to look at a proof
   *     that another check of the same request has already recorded
   */
  public record Expectation(String method, String uri, @Nullable String accessToken,
      @Nullable String boundThumbprint, boolean recordUse) {
    /** Checks the values. */
    public Expectation {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(uri, "uri");
    }
  }

  /**
   * The outcome.
   *
   * @param publicJwk the proof's public key as JWK JSON, when the proof is good
   * @param problem what is wrong, never containing the proof, when it is not
   * @param replay whether the problem is a {@code jti} already used
   */
  public record Result(@Nullable String publicJwk, @Nullable String problem, boolean replay) {
    /** Whether the proof is good. */
    public boolean isGood() {
      return problem == null;
    }
  }

  /** Checks a proof; never throws for bad input. */
  public Result check(@Nullable String proof, Expectation expected) {
    Objects.requireNonNull(expected, "expected");
    if (proof == null) {
      return bad("a DPoP proof is required");
    }
    if (proof.length() > MAX_PROOF_BYTES) {
      return bad("the DPoP proof is larger than " + MAX_PROOF_BYTES + " bytes");
    }
    String target = canonicalHtu(expected.uri());
    if (target == null) {
      return bad("the request URI cannot be compared with a DPoP proof");
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
      return bad("the DPoP proof algorithm is not accepted");
    }
    if (h.getCriticalParams() != null) {
      return bad("the DPoP proof has crit header parameters");
    }
    if (h.getJWKURL() != null || h.getX509CertURL() != null || h.getX509CertChain() != null || !h.isBase64URLEncodePayload()) {
      return bad("the DPoP proof has a jku, x5u, x5c or b64 header");
    }
    JWK key = h.getJWK();
    if (key == null || key.isPrivate()) {
      return bad("the DPoP proof must carry a public key in its jwk header");
    }
    try {
      String thumbprint = key.computeThumbprint().toString();
      if (expected.boundThumbprint() != null && !equal(thumbprint, expected.boundThumbprint())) {
        return bad("the DPoP proof key is not the key the token is bound to");
      }
      if (!jwt.verify(verifier(key, h.getAlgorithm()))) {
        return bad("the DPoP proof signature does not verify");
      }
    } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
      return bad("the DPoP proof signature does not verify");
    }
    try {
      if (!expected.method().toUpperCase(Locale.ROOT).equals(claims.getStringClaim("htm"))) {
        return bad("the DPoP proof is for another HTTP method");
      }
      String htu = claims.getStringClaim("htu");
      if (htu == null || !target.equals(canonicalHtu(htu))) {
        return bad("the DPoP proof is for another URI");
      }
      Date iat = claims.getIssueTime();
      Instant now = clock.instant();
      if (iat == null || Duration.between(iat.toInstant(), now).abs().compareTo(window) > 0) {
        return bad("the DPoP proof iat is missing or not within " + window + " of now");
      }
      if (expected.accessToken() != null) {
        String ath = claims.getStringClaim("ath");
        if (ath == null || !equal(ath, GrantTokens.sha256(expected.accessToken()))) {
          return bad("the DPoP proof ath does not match the access token");
        }
      }
      String jti = claims.getJWTID();
      if (jti == null || jti.isEmpty() || jti.length() > 256) {
        return bad("the DPoP proof has no usable jti");
      }
      if (expected.recordUse()) {
        String seenKey = "dpop " + key.computeThumbprint() + " " + jti;
        boolean firstHere = seen.asMap().putIfAbsent(seenKey, Boolean.TRUE) == null;
        boolean firstInStore = store == null || store.markUsed(seenKey, now.plus(window.multipliedBy(2)));
        if (!firstHere || !firstInStore) {
          return new Result(null, "the DPoP proof was already used", true);
        }
      }
    } catch (ParseException | JOSEException e) {
      return bad("the DPoP proof claims have the wrong types");
    }
    return new Result(key.toPublicJWK().toJSONString(), null, false);
  }

  /**
   * The form in which RFC 9449 section 4.3 compares {@code htu} with the request's URI: an absolute,
   * hierarchical {@code http} or {@code https} URI with a server-based host; scheme and host lower-cased,
   * the default port dropped, an empty path as {@code /}; query and fragment ignored. Null when the text
   * cannot be compared (not absolute, opaque like {@code urn:a}, no host, a host {@link URI} cannot
   * parse such as one with {@code _}, user info, or another scheme): such a URI never matches anything.
   */
  public static @Nullable String canonicalHtu(@Nullable String uri) {
    if (uri == null || uri.isEmpty() || uri.length() > 4096) {
      return null;
    }
    URI u;
    try {
      u = new URI(uri);
    } catch (URISyntaxException e) {
      return null;
    }
    if (!u.isAbsolute() || u.isOpaque() || u.getHost() == null || u.getHost().isEmpty() || u.getRawUserInfo() != null) {
      return null;
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    int port = u.getPort();
    if ("https".equals(scheme)) {
      port = port == 443 ? -1 : port;
    } else if ("http".equals(scheme)) {
      port = port == 80 ? -1 : port;
    } else {
      return null;
    }
    String host = u.getHost().toLowerCase(Locale.ROOT);
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    return scheme + "://" + host + (port == -1 ? "" : ":" + port) + path;
  }

  private static Result bad(String problem) {
    return new Result(null, problem, false);
  }

  private static boolean equal(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
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
}
