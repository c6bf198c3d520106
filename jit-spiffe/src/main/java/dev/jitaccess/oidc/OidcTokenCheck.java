package dev.jitaccess.oidc;

import dev.jitaccess.internal.UntrustedText;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.internal.CompactJws;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityResult.Code;
import dev.jitaccess.spiffe.internal.IdentityText;
import dev.jitaccess.spiffe.internal.Wording;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks of an {@link OidcIdentityVerifier}, as a chain of named steps: {@link #parse}, {@link
 * #header}, {@link #issuer}, {@link #signature}, {@link #claims}, {@link #identity}. Each step either
 * returns what the next one needs or refuses the token with a {@link Refusal}. Immutable, built once by
 * {@link OidcIdentityVerifier.Builder#build()} with every default resolved.
 */
final class OidcTokenCheck {
  private static final Logger LOG = LoggerFactory.getLogger(OidcTokenCheck.class);
  private static final int MIN_RSA_BITS = 2048;
  private static final int MAX_CANDIDATE_KEYS = 8;

  private final String issuer;
  private final String audience;
  private final List<JWSAlgorithm> algorithms;
  private final Clock clock;
  private final Duration leeway;
  private final int maxTokenBytes;
  private final List<ClaimCondition> conditions;
  private final Function<? super Map<String, Object>, String> identityId;
  private final @Nullable Function<? super Map<String, Object>, String> owner;
  private final KeySource keys;
  private final CompactJws jws;

  OidcTokenCheck(String issuer, String audience, List<JWSAlgorithm> algorithms, Clock clock, Duration leeway,
      int maxTokenBytes, List<ClaimCondition> conditions,
      @Nullable Function<? super Map<String, Object>, String> identityId,
      @Nullable Function<? super Map<String, Object>, String> owner, KeySource keys) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.audience = Objects.requireNonNull(audience, "audience");
    this.algorithms = List.copyOf(algorithms);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.leeway = Objects.requireNonNull(leeway, "leeway");
    this.maxTokenBytes = maxTokenBytes;
    this.conditions = List.copyOf(conditions);
    this.identityId = identityId == null ? OidcTokenCheck::defaultIdentityId : identityId;
    this.owner = owner;
    this.keys = Objects.requireNonNull(keys, "keys");
    this.jws = CompactJws.builder().maxBytes(maxTokenBytes)
        .algorithms(this.algorithms.stream().map(JWSAlgorithm::getName).collect(Collectors.toSet())).build();
  }

  String issuer() {
    return issuer;
  }

  String audience() {
    return audience;
  }

  List<JWSAlgorithm> algorithms() {
    return algorithms;
  }

  int conditionCount() {
    return conditions.size();
  }

  KeySource keys() {
    return keys;
  }

  /**
   * The rules a token is checked against, each a {@link IdentityResult.Rejected#rule()} of the
   * rejections it causes; CONFORMANCE.md cites the specification of each (OpenID Connect Core 1.0
   * §3.1.3.7, RFC 7515, RFC 7519, RFC 8725).
   */
  enum Rule {
    /** Size, compact serialization, canonical base64url, strict JSON, no JWE; claims within range. */
    O1,
    /** {@code alg} in the allow-list: never {@code none}, never symmetric. */
    O2,
    /** No header member that brings a key or changes processing; registered members are strings. */
    O3,
    /** {@code iss} equals the configured issuer exactly. */
    O4,
    /** A key of the issuer's JWKS matches {@code kid}, {@code alg} and key type, and the signature verifies. */
    O5,
    /** {@code sub} is a string, not blank, without control characters. */
    O6,
    /** {@code aud} contains the configured audience. */
    O7,
    /** {@code exp} is present and {@code now < exp + leeway}. */
    O8,
    /** {@code nbf} and {@code iat}, when present, are not after {@code now + leeway}. */
    O9,
    /** Every configured claim condition holds. */
    O10,
    /** The identity id and owner mappings give a usable id and owner. */
    O11
  }

  /** Why a step refused the token: a code, the rule, and a reason that never contains the token. */
  static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    private final Code code;
    private final Rule rule;

    Refusal(Code code, Rule rule, String reason) {
      super(reason, null, false, false);
      this.code = code;
      this.rule = rule;
    }

    IdentityResult result() {
      return IdentityResult.rejected(code, Objects.requireNonNull(getMessage()), rule.name());
    }
  }

  /** Runs the steps in order; the first refusal is the result. */
  IdentityResult verify(String token) {
    try {
      CompactJws.Parsed parsed = parse(token);
      JWSHeader header = header(parsed);
      issuer(parsed.claims());
      Instant now = clock.instant();
      signature(parsed, header, now);
      Map<String, Object> claims = claims(parsed.claims(), now);
      return IdentityResult.verified(identity(claims));
    } catch (Refusal refusal) {
      return refusal.result();
    }
  }

  /**
   * Step 1, parse: the project's one compact-JWS front end (size before anything is read, three
   * canonical parts, strict JSON, the alg allow-list, the header deny-list).
   */
  CompactJws.Parsed parse(String token) throws Refusal {
    CompactJws.Result front = jws.parse(token);
    if (front instanceof CompactJws.Refused refused) {
      throw switch (refused.problem()) {
        case TOO_LARGE -> new Refusal(Code.TOO_LARGE, Rule.O1, "the token is larger than the " + maxTokenBytes + "-byte limit");
        case ENCRYPTED -> new Refusal(Code.MALFORMED, Rule.O1, "encrypted tokens (JWE) are not accepted");
        case JSON_SERIALIZATION, PART_COUNT, HEADER, NO_ALGORITHM, PAYLOAD ->
            new Refusal(Code.MALFORMED, Rule.O1, "malformed token: " + refused.detail());
        case UNSECURED -> new Refusal(Code.ALGORITHM, Rule.O2, "alg none (an unsecured JWT) is never accepted");
        case ALGORITHM_NOT_ALLOWED -> new Refusal(Code.ALGORITHM, Rule.O2,
            "alg " + UntrustedText.excerpt(Objects.requireNonNullElse(refused.value(), "")) + " is not in the allowed algorithms " + algorithms);
        case DENIED_HEADER -> new Refusal(Code.HEADER, Rule.O3, "header parameter " + refused.member() + " is not accepted: "
            + ("crit".equals(refused.member()) || "b64".equals(refused.member())
                ? "no critical header extensions are supported"
                : "keys come only from the issuer's configured JWKS"));
        case HEADER_MEMBER ->
            new Refusal(Code.MALFORMED, Rule.O3, "malformed token: the JWS header is invalid (" + refused.detail() + ")");
        case SIGNATURE -> new Refusal(Code.MALFORMED, Rule.O1, "malformed token: the signature is not base64url");
      };
    }
    return (CompactJws.Parsed) front;
  }

  /**
   * Step 2, header: the algorithm the front end allowed, as the only header member the signature check
   * uses (everything that could change processing was refused by the front end).
   */
  JWSHeader header(CompactJws.Parsed parsed) {
    return new JWSHeader(JWSAlgorithm.parse(parsed.algorithm()));
  }

  /** Step 3, issuer: {@code iss} equals the configured issuer exactly, before any key is looked up. */
  void issuer(Map<String, Object> rawClaims) throws Refusal {
    Object iss = rawClaims.get("iss");
    if (!(iss instanceof String)) {
      throw new Refusal(Code.UNTRUSTED_ISSUER, Rule.O4, "the iss claim is missing or not a string");
    }
    if (!issuer.equals(iss)) {
      throw new Refusal(Code.UNTRUSTED_ISSUER, Rule.O4,
          "iss " + UntrustedText.excerpt(iss) + " is not the expected issuer " + UntrustedText.excerpt(issuer));
    }
  }

  /** Step 4, signature: with a key of the issuer's JWKS only, matching kid, alg and key type. */
  void signature(CompactJws.Parsed parsed, JWSHeader header, Instant now) throws Refusal {
    JWSAlgorithm alg = header.getAlgorithm();
    String kid = parsed.keyId();
    KeySource.Lookup lookup = keys.find(matcher(alg, kid), now);
    if (lookup instanceof KeySource.Unavailable unavailable) {
      throw new Refusal(Code.UNAVAILABLE, Rule.O5, unavailable.reason());
    }
    if (lookup instanceof KeySource.NoMatch noMatch) {
      throw new Refusal(Code.UNKNOWN_KEY, Rule.O5, "no key in the issuer's JWKS matches "
          + (kid == null ? "the token (no kid)" : "kid " + UntrustedText.excerpt(kid)) + " for " + alg + noMatch.detail());
    }
    if (!signatureVerifies(header, parsed.signingInput(), new Base64URL(parsed.signaturePart()),
        ((KeySource.Found) lookup).keys())) {
      throw new Refusal(Code.BAD_SIGNATURE, Rule.O5,
          "the signature does not verify with the issuer's key" + (kid == null ? "" : " " + UntrustedText.excerpt(kid)));
    }
  }

  /**
   * Step 5, claims of a token now known to come from the issuer: plain values, {@code sub}, {@code aud},
   * the times, then every configured condition.
   */
  Map<String, Object> claims(Map<String, Object> rawClaims, Instant now) throws Refusal {
    Map<String, Object> claims;
    try {
      claims = ClaimValues.plain(rawClaims);
    } catch (ClaimValues.NotPlain e) {
      throw new Refusal(Code.MALFORMED, Rule.O1, "malformed token: " + e.getMessage());
    }
    Object sub = claims.get("sub");
    if (!(sub instanceof String subject) || subject.isBlank()) {
      throw new Refusal(Code.BAD_SUBJECT, Rule.O6, "the sub claim is missing, blank or not a string");
    }
    String control = IdentityText.controlCharacter(subject);
    if (control != null) {
      throw new Refusal(Code.BAD_SUBJECT, Rule.O6, "the sub claim holds the control character " + control);
    }
    audience(claims.get("aud"));
    times(claims, now);
    for (ClaimCondition condition : conditions) {
      String failure = condition.failure(claims);
      if (failure != null) {
        throw new Refusal(Code.CLAIM_MISMATCH, Rule.O10, failure);
      }
    }
    return claims;
  }

  /** Step 6, identity: the id and owner from the mappings, and the verified attributes. */
  WorkloadIdentity identity(Map<String, Object> claims) throws Refusal {
    Map<String, Object> attributes = new LinkedHashMap<>(claims);
    attributes.put(OidcIdentityVerifier.ISSUER_ATTRIBUTE, issuer);
    attributes = Collections.unmodifiableMap(attributes);
    String id;
    String ownerName = null;
    try {
      id = identityId.apply(attributes);
      if (owner != null) {
        ownerName = owner.apply(attributes);
      }
    } catch (RuntimeException e) {
      LOG.warn("an identity or owner mapping for issuer {} threw {}", issuer, e.getClass().getName());
      throw new Refusal(Code.INVALID_IDENTITY, Rule.O11,
          "the identity or owner mapping failed (" + e.getClass().getSimpleName() + ")");
    }
    if (id == null || id.isBlank()) {
      throw new Refusal(Code.INVALID_IDENTITY, Rule.O11, "the identity mapping gave no id for this token");
    }
    String control = IdentityText.controlCharacter(id);
    if (control != null) {
      throw new Refusal(Code.INVALID_IDENTITY, Rule.O11, "the identity id holds the control character " + control);
    }
    if (ownerName != null && IdentityText.controlCharacter(ownerName) != null) {
      throw new Refusal(Code.INVALID_IDENTITY, Rule.O11,
          "the owner holds the control character " + IdentityText.controlCharacter(ownerName));
    }
    Instant expiresAt = ClaimValues.numericDate(claims.get("exp"));
    if (expiresAt == null) { // checked with the other times in step 5; kept next to its use
      throw new Refusal(Code.EXPIRED, Rule.O8, "the exp claim is missing or not a NumericDate");
    }
    WorkloadIdentity.Builder identity = WorkloadIdentity.builder(id, issuer)
        .kind(OidcIdentityVerifier.KIND)
        .attributes(attributes)
        .expiresAt(expiresAt);
    if (ownerName != null && !ownerName.isBlank()) {
      identity.owner(ownerName);
    }
    Instant issuedAt = ClaimValues.numericDate(claims.get("iat"));
    if (issuedAt != null) {
      identity.issuedAt(issuedAt); // the broker's revocation watermark compares it (issue 14)
    }
    return identity.build();
  }

  private void audience(@Nullable Object aud) throws Refusal {
    if (aud == null) {
      throw new Refusal(Code.WRONG_AUDIENCE, Rule.O7, "the aud claim is missing");
    }
    if (aud instanceof String) {
      if (!audience.equals(aud)) {
        throw new Refusal(Code.WRONG_AUDIENCE, Rule.O7,
            "aud " + UntrustedText.excerpt(aud) + " is not the expected audience " + UntrustedText.excerpt(audience));
      }
      return;
    }
    if (aud instanceof List<?> values && values.stream().allMatch(v -> v instanceof String)) {
      if (!values.contains(audience)) {
        throw new Refusal(Code.WRONG_AUDIENCE, Rule.O7, "aud " + UntrustedText.excerpt(values)
            + " does not contain the expected audience " + UntrustedText.excerpt(audience));
      }
      return;
    }
    throw new Refusal(Code.WRONG_AUDIENCE, Rule.O7, "the aud claim must be a string or an array of strings");
  }

  private void times(Map<String, Object> claims, Instant now) throws Refusal {
    Object expValue = claims.get("exp");
    if (expValue == null) {
      throw new Refusal(Code.EXPIRED, Rule.O8, "the exp claim is missing");
    }
    Instant exp = ClaimValues.numericDate(expValue);
    if (exp == null) {
      throw new Refusal(Code.EXPIRED, Rule.O8, "the exp claim is not a NumericDate");
    }
    if (!now.isBefore(ClaimValues.plus(exp, leeway))) {
      throw new Refusal(Code.EXPIRED, Rule.O8, "the token expired at " + exp + ", now " + now + ", leeway " + Wording.seconds(leeway));
    }
    Instant latest = ClaimValues.plus(now, leeway);
    for (String name : List.of("nbf", "iat")) {
      Object value = claims.get(name);
      if (value == null) {
        continue;
      }
      Instant at = ClaimValues.numericDate(value);
      if (at == null) {
        throw new Refusal(Code.NOT_YET_VALID, Rule.O9, "the " + name + " claim is not a NumericDate");
      }
      if (at.isAfter(latest)) {
        throw new Refusal(Code.NOT_YET_VALID, Rule.O9,
            (name.equals("nbf") ? "the token is not valid before " : "the token was issued in the future, at ")
                + at + ", now " + now + ", leeway " + Wording.seconds(leeway));
      }
    }
  }

  private static JWKMatcher matcher(JWSAlgorithm alg, @Nullable String kid) {
    JWKMatcher.Builder matcher = new JWKMatcher.Builder()
        .keyType(KeyType.forAlgorithm(alg))
        .keyUses(KeyUse.SIGNATURE, null)
        .keyOperations(KeyOperation.VERIFY, null)
        .algorithms(alg, null)
        .nonRevokedOnly(true);
    if (kid != null) {
      matcher.keyID(kid);
    }
    if (JWSAlgorithm.Family.EC.contains(alg)) {
      matcher.curves(Curve.forJWSAlgorithm(alg));
    } else {
      matcher.minKeySize(MIN_RSA_BITS);
    }
    return matcher.build();
  }

  private static boolean signatureVerifies(JWSHeader header, byte[] signingInput, Base64URL signature,
      List<JWK> candidates) {
    for (JWK key : candidates.subList(0, Math.min(MAX_CANDIDATE_KEYS, candidates.size()))) {
      try {
        JWSVerifier verifier = key instanceof RSAKey rsaKey
            ? new RSASSAVerifier(rsaKey.toRSAPublicKey())
            : new ECDSAVerifier(((ECKey) key).toECPublicKey());
        if (verifier.verify(header, signingInput, signature)) {
          return true;
        }
      } catch (JOSEException | ClassCastException e) {
        // this key cannot check this signature; try the next one
      }
    }
    return false;
  }

  private static String defaultIdentityId(Map<String, Object> attributes) {
    return attributes.get(OidcIdentityVerifier.ISSUER_ATTRIBUTE) + "#" + attributes.get("sub");
  }
}
