package dev.jitaccess.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.Verification.RejectionReason;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantStore;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks grant tokens. Every failure is a {@link Verification.Rejected}; nothing here throws for bad
 * input, and no detail ever contains the token.
 */
public final class TokenVerifier implements GrantVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(TokenVerifier.class);
  private static final String TYPE = "at+jwt";
  private static final String MEDIA_TYPE = "application/at+jwt";

  private final String issuer;
  private final Function<String, Optional<KeyRing.PublicKeyEntry>> keys;
  private final Clock clock;
  private final Duration skew;
  private final @Nullable GrantStore store;
  private final @Nullable AuditSink audit;
  private final int maxTokenBytes;
  private final DpopProofs dpop;
  private final @Nullable VerifiedTokenCache cache;
  private final CompactJws jws;

  /** Default size of the verified-token cache, in tokens. */
  public static final int DEFAULT_CACHE_SIZE = 10_000;

  /**
   * Creates a verifier.
   *
   * @param keys finds a published key by kid
   * @param store the grant store, or null to check the token alone
   * @param audit where to record verification events, or null
   */
  public TokenVerifier(
      String issuer,
      Function<String, Optional<KeyRing.PublicKeyEntry>> keys,
      Clock clock,
      Duration skew,
      @Nullable GrantStore store,
      @Nullable AuditSink audit,
      int maxTokenBytes) {
    this(issuer, keys, clock, skew, store, audit, maxTokenBytes, DEFAULT_CACHE_SIZE);
  }

  /**
   * Creates a verifier.
   *
   * @param keys finds a published key by kid
   * @param store the grant store, or null to check the token alone
   * @param audit where to record verification events, or null
   * @param cacheSize how many verified tokens to remember (see {@link VerifiedTokenCache}); 0 for none
   */
  public TokenVerifier(
      String issuer,
      Function<String, Optional<KeyRing.PublicKeyEntry>> keys,
      Clock clock,
      Duration skew,
      @Nullable GrantStore store,
      @Nullable AuditSink audit,
      int maxTokenBytes,
      int cacheSize) {
    if (cacheSize < 0) {
      throw new IllegalArgumentException("cacheSize must not be negative, got " + cacheSize);
    }
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.skew = Objects.requireNonNull(skew, "skew");
    this.store = store;
    this.audit = audit;
    this.maxTokenBytes = maxTokenBytes;
    this.dpop = new DpopProofs(clock, Duration.ofSeconds(60).plus(skew), store);
    this.cache = cacheSize == 0 ? null : new VerifiedTokenCache(clock, skew, cacheSize);
    // the size limit is checked first in verify(); the front end's own bound only has to admit it
    this.jws = CompactJws.builder().maxBytes(Math.min(Math.max(maxTokenBytes, 64), 1 << 20))
        .algorithms(CompactJws.SUPPORTED_ALGORITHMS).build();
  }

  /** A verifier for the public keys of a JWK Set JSON. */
  public static GrantVerifier fromJwks(
      String issuer, String jwks, Clock clock, Duration skew, @Nullable GrantStore store, @Nullable AuditSink sink,
      int maxBytes, int cacheSize) {
    Map<String, KeyRing.PublicKeyEntry> keys = parseJwks(jwks);
    return new TokenVerifier(issuer, kid -> Optional.ofNullable(keys.get(kid)), clock, skew, store, sink, maxBytes,
        cacheSize);
  }

  /** A verifier for the public keys served at a JWKS URL, fetched and cached as {@link RemoteJwks} says. */
  public static GrantVerifier fromJwksUri(
      String issuer, RemoteJwks keys, Clock clock, Duration skew, @Nullable GrantStore store, @Nullable AuditSink sink,
      int maxBytes, int cacheSize) {
    return new TokenVerifier(issuer, keys, clock, skew, store, sink, maxBytes, cacheSize);
  }

  /**
   * The public keys of a JWK Set JSON by {@code kid}, immutable.
   *
   * @throws IllegalArgumentException if the text is not a JWK Set, holds no key, a private key or a kid twice
   */
  public static Map<String, KeyRing.PublicKeyEntry> parseJwks(String jwks) {
    JWKSet set;
    try {
      set = JWKSet.parse(jwks);
    } catch (ParseException | RuntimeException e) {
      // no detail: the text might hold key material
      throw new IllegalArgumentException("jwks is not a valid JWK Set");
    }
    if (set.getKeys().isEmpty()) {
      throw new IllegalArgumentException("jwks holds no keys");
    }
    Map<String, KeyRing.PublicKeyEntry> byKid = new HashMap<>();
    for (JWK jwk : set.getKeys()) {
      if (jwk.getKeyID() == null) {
        throw new IllegalArgumentException("jwks holds a key without kid");
      }
      KeyRing.PublicKeyEntry entry = KeyRing.publicEntry(jwk, Instant.MAX);
      if (byKid.put(jwk.getKeyID(), entry) != null) {
        throw new IllegalArgumentException("jwks holds the kid " + jwk.getKeyID() + " twice");
      }
    }
    return Map.copyOf(byKid);
  }

  @Override
  public Verification verify(String token, VerificationRequest request) {
    Objects.requireNonNull(request, "request");
    String audience = request.audience();
    Verification result;
    String grantId = null;
    String tokenHash = null;
    try {
      Outcome o;
      VerifiedTokenCache.Entry hit;
      if (token == null || token.isEmpty()) {
        o = reject(RejectionReason.MALFORMED, "no token");
      } else if (token.length() > maxTokenBytes) {
        o = reject(RejectionReason.TOO_LARGE, "token is " + token.length() + " bytes, the limit is " + maxTokenBytes);
      } else if ((hit = cachedAndTrusted(token)) != null) {
        // the exact token was checked before, with a key that is still trusted: what it cannot change is
        // not checked again; everything else is, in the same code as a miss
        tokenHash = hit.tokenSha256();
        o = checkClaims(hit.claims(), token, request);
      } else {
        tokenHash = audit != null ? GrantTokens.sha256(token) : null; // only audit records carry it
        o = check(token, tokenHash, request);
      }
      result = o.result;
      grantId = o.grantId;
    } catch (RuntimeException e) {
      LOG.warn("grant token verification failed with {}; token refused", e.getClass().getName());
      result = new Verification.Rejected(RejectionReason.ERROR, "verification failed: " + e.getClass().getSimpleName());
    }
    if (audit != null) {
      VerificationAudit.record(audit, clock, maxTokenBytes, result, token, audience, grantId, tokenHash);
    }
    return result;
  }

  private record Outcome(Verification result, @Nullable String grantId) {}

  private static Outcome reject(RejectionReason reason, String detail) {
    return new Outcome(new Verification.Rejected(reason, detail), null);
  }

  private static Outcome reject(RejectionReason reason, String detail, @Nullable String grantId) {
    return new Outcome(new Verification.Rejected(reason, detail), grantId);
  }

  /**
   * The claims of a token whose signature verified, as the checks after the signature read them.
   *
   * @param set the claims as parsed, or null in a cached entry (whose {@code info} is then set)
   * @param jti the {@code jti}, or null
   * @param issuer the {@code iss}, or null
   * @param audience the {@code aud}, or null
   * @param exp the {@code exp}, or null
   * @param nbf the {@code nbf}, or null
   * @param iat the {@code iat}, or null
   * @param info the grant read from the claims, or null when not read yet
   */
  record Claims(@Nullable JWTClaimsSet set, @Nullable String jti, @Nullable String issuer,
      @Nullable List<String> audience, @Nullable Instant exp, @Nullable Instant nbf, @Nullable Instant iat,
      @Nullable GrantInfo info) {

    /**
     * The claims of a parsed set, with {@code exp}, {@code nbf} and {@code iat} read from the strict JSON by the
     * one NumericDate rule ({@link NumericDate}); null when one of them is present but not a NumericDate in range.
     */
    static @Nullable Claims of(JWTClaimsSet c, Map<String, Object> json) {
      Instant exp = NumericDate.instant(json.get("exp"));
      Instant nbf = NumericDate.instant(json.get("nbf"));
      Instant iat = NumericDate.instant(json.get("iat"));
      if ((exp == null && json.get("exp") != null) || (nbf == null && json.get("nbf") != null)
          || (iat == null && json.get("iat") != null)) {
        return null;
      }
      return new Claims(c, c.getJWTID(), c.getIssuer(), c.getAudience(), exp, nbf, iat, null);
    }

    /** The same claims with the grant read, holding nothing else of the parsed set: what the cache keeps. */
    Claims cacheable(GrantInfo grant) {
      return new Claims(null, jti, issuer, List.of(grant.resource()), exp, nbf, iat, grant);
    }
  }

  /**
   * The cache entry of exactly this token if its signing key is still the trusted key of its kid; an entry
   * whose key is no longer trusted is dropped (the full check then refuses the token, as it would without
   * the cache).
   */
  private VerifiedTokenCache.@Nullable Entry cachedAndTrusted(String token) {
    VerifiedTokenCache c = cache;
    if (c == null) {
      return null;
    }
    VerifiedTokenCache.Entry hit = c.get(token);
    if (hit == null) {
      return null;
    }
    if (stillTrusted(hit)) {
      return hit;
    }
    c.invalidate(token);
    return null;
  }

  /**
   * Checks a token the cache does not hold: the project's one compact-JWS front end ({@link CompactJws}: shape,
   * canonical base64url, strict JSON, the alg allow-list, the header deny-list), then {@code typ}, key,
   * signature, then {@link #checkClaims}; a token whose signature and issuer check and whose claims read as a
   * grant is remembered, whatever the later checks say (they run again on every call). The token is decoded
   * once: the signature is checked over the signing input the front end kept, and the claims are the front
   * end's strict JSON.
   *
   * @param tokenHash the token's SHA-256 (base64url), or null without an audit sink
   */
  private Outcome check(String token, @Nullable String tokenHash, VerificationRequest request) {
    CompactJws.Result front = jws.parse(token);
    if (front instanceof CompactJws.Refused refused) {
      return refused(refused);
    }
    CompactJws.Parsed jwt = (CompactJws.Parsed) front;
    String typ = jwt.type();
    if (typ == null || !(TYPE.equalsIgnoreCase(typ) || MEDIA_TYPE.equalsIgnoreCase(typ))) {
      return reject(RejectionReason.BAD_HEADER, "typ must be at+jwt, got " + CompactJws.quote(typ));
    }
    String kid = jwt.keyId();
    if (kid == null) {
      return reject(RejectionReason.UNKNOWN_KEY, "token has no kid");
    }
    Optional<KeyRing.PublicKeyEntry> key = keys.apply(kid);
    if (key.isEmpty()) {
      return reject(RejectionReason.UNKNOWN_KEY, "no published key with the token's kid");
    }
    JWSAlgorithm alg = key.get().algorithm();
    if (!alg.getName().equals(jwt.algorithm())) {
      return reject(RejectionReason.BAD_ALGORITHM,
          "algorithm " + CompactJws.quote(jwt.algorithm()) + " does not match the key's " + alg);
    }
    try {
      if (!key.get().verifier().verify(new JWSHeader(alg), jwt.signingInput(), new Base64URL(jwt.signaturePart()))) {
        return reject(RejectionReason.BAD_SIGNATURE, "signature does not verify");
      }
    } catch (JOSEException | IllegalStateException e) {
      return reject(RejectionReason.BAD_SIGNATURE, "signature does not verify");
    }
    Claims claims;
    try {
      claims = Claims.of(JWTClaimsSet.parse(jwt.claims()), jwt.claims());
    } catch (ParseException e) {
      return reject(RejectionReason.MALFORMED, "claims are not a valid JWT claims set");
    }
    if (claims == null) {
      return reject(RejectionReason.MALFORMED, "exp, nbf and iat must be numbers of seconds before the year 10000");
    }
    VerifiedTokenCache c = cache;
    if (c != null && issuer.equals(claims.issuer())) {
      GrantInfo info = readable(claims);
      if (info != null) {
        claims = claims.cacheable(info);
        c.put(token, new VerifiedTokenCache.Entry(kid, key.get(), claims, tokenHash), clock.instant());
      }
    }
    return checkClaims(claims, token, request);
  }

  /** A refusal of the front end as a rejection: the rule in words, never the token. */
  private static Outcome refused(CompactJws.Refused refused) {
    return switch (refused.problem()) {
      case TOO_LARGE -> reject(RejectionReason.TOO_LARGE, refused.detail());
      case UNSECURED, ALGORITHM_NOT_ALLOWED -> reject(RejectionReason.BAD_ALGORITHM, refused.detail());
      // a JWE header in three parts is a token of another kind; five parts are not a JWS at all
      case ENCRYPTED -> reject(refused.member() == null ? RejectionReason.MALFORMED : RejectionReason.BAD_ALGORITHM,
          "unsigned or encrypted tokens are not accepted: " + refused.detail());
      case DENIED_HEADER -> reject(RejectionReason.BAD_HEADER,
          "crit".equals(refused.member()) || "b64".equals(refused.member())
              ? "crit and b64 header parameters are not supported"
              : "jku, jwk, x5u and x5c headers are never trusted (the token has " + refused.member() + ")");
      case JSON_SERIALIZATION, PART_COUNT, HEADER, NO_ALGORITHM, HEADER_MEMBER, PAYLOAD, SIGNATURE ->
          reject(RejectionReason.MALFORMED, "not a compact JWS: " + refused.detail());
    };
  }

  /**
   * Whether the key a cached token verified with is still the trusted key of its kid: the same entry or the
   * same verifier object (a key ring keeps both across a rotation) is the same key, at no cost; otherwise the
   * public keys are compared (a JWKS fetched again).
   */
  @SuppressWarnings("ReferenceEquality") // identity first, on purpose: a fast path before the value comparison
  private boolean stillTrusted(VerifiedTokenCache.Entry hit) {
    Optional<KeyRing.PublicKeyEntry> now = keys.apply(hit.kid());
    if (now.isEmpty()) {
      return false;
    }
    KeyRing.PublicKeyEntry k = now.get();
    KeyRing.PublicKeyEntry then = hit.key();
    return k == then || (k.algorithm().equals(then.algorithm())
        && (k.verifier() == then.verifier() || k.jwk().equals(then.jwk())));
  }

  /** The grant of signed claims, or null if they do not read as one ({@link #checkClaims} then says why, in order). */
  private static @Nullable GrantInfo readable(Claims claims) {
    try {
      return GrantTokens.info(Objects.requireNonNull(claims.set(), "set"));
    } catch (ParseException | RuntimeException e) {
      return null;
    }
  }

  /** Every check after the signature, in one order, for a cache hit and a miss alike. */
  private Outcome checkClaims(Claims claims, String token, VerificationRequest request) {
    String audience = request.audience();
    String jti = claims.jti();
    if (!issuer.equals(claims.issuer())) {
      return reject(RejectionReason.WRONG_ISSUER, "issuer is " + claims.issuer() + ", expected " + issuer, jti);
    }
    List<String> aud = claims.audience();
    if (aud != null && aud.size() > 1) {
      // the broker mints exactly one audience: a token naming several was not minted by it
      return reject(RejectionReason.WRONG_AUDIENCE, "a grant token names exactly one audience, this one names " + aud.size(), jti);
    }
    if (aud == null || !aud.contains(audience)) {
      return reject(RejectionReason.WRONG_AUDIENCE, "token is not for audience " + audience, jti);
    }
    Instant now = clock.instant();
    Instant exp = claims.exp();
    if (exp == null) {
      return reject(RejectionReason.MISSING_CLAIM, "token has no exp", jti);
    }
    if (!now.isBefore(plus(exp, skew))) {
      return reject(RejectionReason.EXPIRED, "token expired at " + exp, jti);
    }
    Instant nbf = claims.nbf();
    if (nbf != null && now.isBefore(nbf.minus(skew))) {
      return reject(RejectionReason.NOT_YET_VALID, "token is not valid before " + nbf, jti);
    }
    Instant iat = claims.iat();
    if (iat != null && iat.isAfter(now.plus(skew))) {
      return reject(RejectionReason.NOT_YET_VALID, "token was issued in the future (" + iat + ")", jti);
    }
    GrantInfo info = claims.info();
    if (info == null) {
      try {
        info = GrantTokens.info(Objects.requireNonNull(claims.set(), "set"));
      } catch (ParseException e) {
        return reject(RejectionReason.MISSING_CLAIM, Objects.requireNonNullElse(e.getMessage(), "malformed claims"), jti);
      }
    }
    Outcome context = checkContext(info, token, request);
    if (context != null) {
      return context;
    }
    if (store != null) {
      Verification.Rejected state = GrantStateCheck.check(store, info, now, request.inspectOnly());
      if (state != null) {
        return new Outcome(state, info.grantId());
      }
    }
    return new Outcome(new Verification.Verified(info), info.grantId());
  }

  /** Task, scope and proof of possession: checked before any state changes (single use). */
  private @Nullable Outcome checkContext(GrantInfo info, String token, VerificationRequest request) {
    String id = info.grantId();
    if (request.taskId().isPresent() && !request.taskId().get().equals(info.taskId())) {
      return reject(RejectionReason.WRONG_TASK,
          "token is bound to task " + info.taskId() + ", presented for task " + request.taskId().get(), id);
    }
    for (String action : request.requiredActions()) {
      if (!info.actions().contains(action)) {
        return reject(RejectionReason.INSUFFICIENT_SCOPE, "token does not grant " + action, id);
      }
    }
    if (request.requireProofOfPossession() && !info.isSenderConstrained()) {
      return reject(RejectionReason.PROOF_OF_POSSESSION, "a sender-constrained token is required", id);
    }
    // an inspection without any proof reads the grant; it never acts as the holder
    boolean proofGiven = request.peerCertificate().isPresent() || request.dpopProof().isPresent();
    if (request.inspectOnly() && !proofGiven) {
      return null;
    }
    if (info.certificateThumbprint().isPresent()) {
      if (request.peerCertificate().isEmpty()) {
        return reject(RejectionReason.PROOF_OF_POSSESSION,
            "the token is bound to a client certificate; the mTLS peer certificate is required", id);
      }
      String presented;
      try {
        presented = Thumbprints.x5tS256(request.peerCertificate().get());
      } catch (java.security.cert.CertificateEncodingException e) {
        return reject(RejectionReason.PROOF_OF_POSSESSION, "the peer certificate cannot be encoded", id);
      }
      if (!java.security.MessageDigest.isEqual(
          presented.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          info.certificateThumbprint().get().getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
        return reject(RejectionReason.PROOF_OF_POSSESSION, "the peer certificate is not the one the token is bound to", id);
      }
    }
    if (info.keyThumbprint().isPresent()) {
      if (request.dpopProof().isEmpty() || request.httpMethod().isEmpty() || request.httpUri().isEmpty()) {
        return reject(RejectionReason.PROOF_OF_POSSESSION,
            "the token is bound to a DPoP key; a DPoP proof with method and URI is required", id);
      }
      DpopProofs.Result p = dpop.check(request.dpopProof().get(), new DpopProofs.Expectation(
          request.httpMethod().get(), request.httpUri().get(), token, info.keyThumbprint().get(), !request.inspectOnly()));
      if (!p.isGood()) {
        return reject(p.replay() ? RejectionReason.REPLAYED : RejectionReason.PROOF_OF_POSSESSION,
            Objects.requireNonNullElse(p.problem(), "bad DPoP proof"), id);
      }
    }
    return null;
  }

  private static Instant plus(Instant t, Duration d) {
    try {
      return t.plus(d);
    } catch (java.time.DateTimeException | ArithmeticException e) {
      return Instant.MAX;
    }
  }
}
