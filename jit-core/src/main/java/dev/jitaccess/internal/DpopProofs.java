package dev.jitaccess.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
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
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The one RFC 9449 DPoP proof checker, used by the resource-server path ({@link TokenVerifier}) and by the
 * token endpoint: the project's one compact-JWS front end ({@link CompactJws}: size, three canonical parts,
 * strict JSON, an asymmetric algorithm from one allow-list (ES256/384/512, RS256, PS256, EdDSA with
 * Ed25519), the one header deny-list with the proof's own {@code jwk} accepted); {@code typ dpop+jwt}; the
 * public key in the {@code jwk} header (an RSA key of at least {@link KeyMaterial#MIN_RSA_BITS} bits); a valid signature; {@code htm} the request's
 * method; {@code htu} the request's URI compared by {@link #canonicalHtu}; {@code iat} within the window;
 * {@code ath} the hash of the access token when one is presented; a {@code jti} not seen within twice the
 * window (in this checker's cache and, when given, the broker's store).
 */
public final class DpopProofs {
  /** The largest proof looked at, in characters. */
  public static final int MAX_PROOF_BYTES = 8 * 1024;
  /** The algorithms a proof may use. */
  private static final Set<String> ALGORITHMS = Set.of("ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA");
  /** The front end: the one header deny-list, with the proof's own {@code jwk} accepted. */
  private static final CompactJws JWS =
      CompactJws.builder().maxBytes(MAX_PROOF_BYTES).algorithms(ALGORITHMS).trustEmbeddedJwk().build();

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
    String target = canonicalHtu(expected.uri());
    if (target == null) {
      return bad("the request URI cannot be compared with a DPoP proof");
    }
    // the project's one compact-JWS front end: size, shape, strict JSON, the alg allow-list, the header
    // deny-list (jku, x5u, x5c, crit, b64; the jwk member is this proof's key)
    CompactJws.Result front = JWS.parse(proof);
    if (front instanceof CompactJws.Refused refused) {
      return bad(frontEndProblem(refused));
    }
    CompactJws.Parsed jwt = (CompactJws.Parsed) front;
    if (!"dpop+jwt".equalsIgnoreCase(jwt.type())) {
      return bad("the DPoP proof typ must be dpop+jwt, got " + UntrustedText.excerpt(jwt.type()));
    }
    JWK key = embeddedKey(jwt.header().get("jwk"));
    if (key == null) {
      return bad("the DPoP proof must carry a public key in its jwk header");
    }
    String shortKey = KeyMaterial.shortRsaKey(key); // the rule of the broker's own keys
    if (shortKey != null) {
      return bad("the DPoP proof key is " + shortKey);
    }
    try {
      String thumbprint = key.computeThumbprint().toString();
      if (expected.boundThumbprint() != null && !equal(thumbprint, expected.boundThumbprint())) {
        return bad("the DPoP proof key is not the key the token is bound to");
      }
      JWSAlgorithm alg = JWSAlgorithm.parse(jwt.algorithm());
      if (!verifier(key, alg).verify(new JWSHeader(alg), jwt.signingInput(), new Base64URL(jwt.signaturePart()))) {
        return bad("the DPoP proof signature does not verify");
      }
    } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
      return bad("the DPoP proof signature does not verify");
    }
    return claims(jwt.claims(), key, target, expected);
  }

  /** The checks of the proof's claims, after its signature verified. */
  private Result claims(Map<String, Object> claims, JWK key, String target, Expectation expected) {
    if (!(claims.get("htm") instanceof String htm) || !(claims.get("htu") instanceof String htu)
        || !(claims.get("jti") == null || claims.get("jti") instanceof String)
        || !(claims.get("ath") == null || claims.get("ath") instanceof String)
        || !(claims.get("iat") == null || claims.get("iat") instanceof Number)) {
      return bad("the DPoP proof claims have the wrong types (htm and htu strings, iat a number)");
    }
    if (!expected.method().toUpperCase(Locale.ROOT).equals(htm)) {
      return bad("the DPoP proof is for another HTTP method");
    }
    if (!target.equals(canonicalHtu(htu))) {
      return bad("the DPoP proof is for another URI");
    }
    Instant iat = NumericDate.instant(claims.get("iat"));
    Instant now = clock.instant();
    if (iat == null || Duration.between(iat, now).abs().compareTo(window) > 0) {
      return bad("the DPoP proof iat " + (iat == null ? "is missing" : iat + " is not within " + window + " of now")
          + ", now " + now);
    }
    if (expected.accessToken() != null) {
      Object ath = claims.get("ath");
      if (ath == null || !equal((String) ath, GrantTokens.sha256(expected.accessToken()))) {
        return bad("the DPoP proof ath does not match the access token");
      }
    }
    Object jti = claims.get("jti");
    if (jti == null || ((String) jti).isEmpty() || ((String) jti).length() > 256) {
      return bad("the DPoP proof has no usable jti");
    }
    if (expected.recordUse()) {
      String seenKey;
      try {
        seenKey = "dpop " + key.computeThumbprint() + " " + jti;
      } catch (JOSEException e) {
        return bad("the DPoP proof key has no thumbprint");
      }
      // only the call that saw the jti first here asks the store: if every call asked it, one call could win
      // here and another the store, and a proof presented twice at once would be accepted by neither
      boolean first = seen.asMap().putIfAbsent(seenKey, Boolean.TRUE) == null
          && (store == null || store.markUsed(seenKey, now.plus(window.multipliedBy(2))));
      if (!first) {
        return new Result(null, "the DPoP proof was already used", true);
      }
    }
    return new Result(key.toPublicJWK().toJSONString(), null, false);
  }

  /** The proof's problem in words for a refusal of the front end; never the proof. */
  private static String frontEndProblem(CompactJws.Refused refused) {
    return switch (refused.problem()) {
      case TOO_LARGE -> "the DPoP proof is larger than " + MAX_PROOF_BYTES + " bytes";
      case NO_ALGORITHM, UNSECURED, ALGORITHM_NOT_ALLOWED -> "the DPoP proof algorithm is not accepted: "
          + refused.detail();
      case DENIED_HEADER -> "the DPoP proof has a " + refused.member() + " header, which is not accepted";
      default -> "the DPoP proof is not a signed JWT: " + refused.detail();
    };
  }

  /** The public key in the {@code jwk} header member, or null when it is missing, unusable or private. */
  @SuppressWarnings("unchecked")
  private static @Nullable JWK embeddedKey(@Nullable Object jwk) {
    if (!(jwk instanceof Map<?, ?> map)) {
      return null;
    }
    try {
      JWK key = JWK.parse((Map<String, Object>) map);
      return key.isPrivate() ? null : key;
    } catch (ParseException | RuntimeException e) {
      return null;
    }
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
