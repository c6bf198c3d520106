package dev.jitaccess.spiffe;

import dev.jitaccess.spiffe.internal.Providers;
import dev.jitaccess.internal.Arguments;
import dev.jitaccess.internal.CompactJws;
import dev.jitaccess.internal.UntrustedText;
import dev.jitaccess.spiffe.internal.IdentityText;
import dev.jitaccess.spiffe.internal.Wording;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import dev.jitaccess.Credential;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityResult.Code;
import dev.jitaccess.spi.IdentityVerifier;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Verifies SPIFFE JWT-SVIDs ({@link Credential.Token} of type {@code JWT_SVID}). Checks, in order,
 * each failure a {@link IdentityResult.Rejected} with a {@link IdentityResult.Code code}, a reason in
 * words with the values that matter, and the checklist rule as its {@link IdentityResult.Rejected#rule()
 * rule} (the codes per rule are listed in jit-spiffe's CONFORMANCE.md):
 *
 * <ol>
 *   <li>the project's one compact-JWS front end: size (more than {@code maxTokenBytes} is refused
 *       before any parsing), compact serialization only (three canonical base64url parts, no JSON
 *       serialization, no JWE: five parts or a header with {@code enc}, {@code zip}...), strict JSON
 *       without duplicate member names (B1); {@code alg} in RS/ES/PS 256/384/512, checked before the
 *       rest of the header; {@code none}, HS*, EdDSA and everything else are refused (B2); the header
 *       deny-list ({@code crit, jku, jwk, x5u, x5c, b64}) plus the thumbprint hints {@code x5t,
 *       x5t#S256}; other extra headers are tolerated (B3 is a producer rule);
 *   <li>{@code typ}, if present, exactly {@code JWT} or {@code JOSE}; an empty {@code typ} is refused
 *       (B5, go-spiffe's side);
 *   <li>{@code kid} present and not blank: the spec makes it optional but both reference libraries
 *       require it, and key selection without it would mean trying keys (B4);
 *   <li>{@code sub} a valid SPIFFE ID (B6);
 *   <li>the bundle of the {@code sub}'s own trust domain, and its {@code jwt-svid} key with that
 *       {@code kid} (B10, D11); the key type must match {@code alg}, RSA at least 2048 bits (B11);
 *   <li>the signature (B10);
 *   <li>{@code aud} present and containing one of the configured audiences (B7);
 *   <li>{@code exp} present and {@code now < exp + leeway} (B8);
 *   <li>{@code nbf} and {@code iat}, if present, not after {@code now + leeway} (B9).
 * </ol>
 *
 * <p>The verified identity: id = the SPIFFE ID, issuer = the trust domain ID ({@code spiffe://td}),
 * kind {@code jwt-svid}, attributes = the token's claims as plain Java values plus {@code trust_domain}
 * and {@code path} (which override claims of those names), expiry = {@code exp}, owner from the
 * configured claim or mapping; an owner holding a control character is refused ({@code INVALID_IDENTITY},
 * no rule). Never throws for bad input; reasons never contain the token.
 */
public final class JwtSvidVerifier implements IdentityVerifier {
  /** The kind of the identities this verifier produces. */
  public static final String KIND = "jwt-svid";

  private static final Set<String> ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512");

  private final BundleSource bundles;
  private final Set<String> audiences;
  private final Clock clock;
  private final Duration leeway;
  private final int maxTokenBytes;
  private final CompactJws jws;
  private final @Nullable String ownerClaim;
  private final @Nullable Function<SpiffeId, Optional<String>> ownerMapping;
  /** One verifier per bundle key, dropped with the key when a refreshed bundle replaces it. */
  private final Map<PublicKey, JWSVerifier> verifiers = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  private JwtSvidVerifier(Builder b) {
    this.bundles = b.options.bundles();
    this.audiences = Set.copyOf(Objects.requireNonNull(b.audiences, "audiences"));
    this.clock = b.options.clock();
    this.leeway = b.leeway == null ? Duration.ofSeconds(30) : b.leeway;
    this.maxTokenBytes = b.maxTokenBytes == 0 ? 8192 : b.maxTokenBytes;
    this.jws = CompactJws.builder().maxBytes(maxTokenBytes).algorithms(ALGORITHMS).refuseThumbprintHints().build();
    this.ownerClaim = b.ownerClaim;
    this.ownerMapping = b.options.ownerMapping();
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public boolean supports(Credential credential) {
    return credential instanceof Credential.Token token
        && token.type() == Credential.TokenType.JWT_SVID;
  }

  @Override
  public IdentityResult verify(Credential credential) {
    if (!supports(credential)) {
      return IdentityResult.rejected(Code.UNSUPPORTED_CREDENTIAL, "not a JWT-SVID credential");
    }
    try {
      return check(((Credential.Token) credential).value());
    } catch (RuntimeException e) {
      return IdentityResult.rejected(Code.ERROR, "JWT-SVID verification failed: " + e.getClass().getSimpleName());
    }
  }

  private static IdentityResult reject(Code code, String rule, String reason) {
    return IdentityResult.rejected(code, reason, rule);
  }

  private IdentityResult check(String token) {
    // B1-B3: the project's one compact-JWS front end (size, shape, alg allow-list, header deny-list)
    CompactJws.Result front = jws.parse(token);
    if (front instanceof CompactJws.Refused refused) {
      return frontEndRejection(refused, token);
    }
    CompactJws.Parsed parsed = (CompactJws.Parsed) front;
    String algName = parsed.algorithm();
    Map<String, Object> header = parsed.header();
    if (header.containsKey("typ")) {
      Object typ = header.get("typ");
      if (!"JWT".equals(typ) && !"JOSE".equals(typ)) {
        return reject(Code.HEADER, "B5", "typ must be JWT or JOSE, got " + UntrustedText.excerpt(typ));
      }
    }
    String keyId = parsed.keyId();
    if (keyId == null || keyId.isBlank()) {
      return reject(Code.HEADER, "B4", "token header has no kid");
    }
    Map<String, Object> claims = parsed.claims();
    // B6
    Object sub = claims.get("sub");
    if (!(sub instanceof String subject) || subject.isEmpty()) {
      return reject(Code.BAD_SUBJECT, "B6", "token has no sub claim");
    }
    SpiffeId id;
    try {
      id = SpiffeId.parse(subject);
    } catch (InvalidSpiffeIdException e) {
      return reject(Code.BAD_SUBJECT, "B6", "sub is not a valid SPIFFE ID: " + e.getMessage());
    }
    if (id.isTrustDomainId()) {
      // a trust domain ID names no workload (the X.509 profile requires a path for the same reason, C4)
      return reject(Code.BAD_SUBJECT, "B6", "sub " + id + " is a trust domain ID without a path, not a workload");
    }
    // B10 / D11: only the bundle of the sub's own trust domain, only its jwt-svid keys
    TrustDomain td = id.trustDomain();
    Optional<SpiffeBundle> bundle = bundles.bundleFor(td);
    if (bundle.isEmpty()) {
      return reject(Code.UNTRUSTED_ISSUER, "B10", "no bundle for trust domain " + td);
    }
    Optional<PublicKey> key = bundle.get().jwtAuthority(keyId);
    if (key.isEmpty()) {
      return reject(Code.UNKNOWN_KEY, "B10", "kid " + UntrustedText.excerpt(keyId) + " is not a jwt-svid key of trust domain " + td);
    }
    // B11: key type matches alg
    String keyProblem = keyMismatch(algName, key.get());
    if (keyProblem != null) {
      return reject(Code.UNKNOWN_KEY, "B11", keyProblem + " (kid " + UntrustedText.excerpt(keyId) + ")");
    }
    if (!signatureValid(parsed, key.get())) {
      return reject(Code.BAD_SIGNATURE, "B10", "signature does not verify with kid " + UntrustedText.excerpt(keyId)
          + " of trust domain " + td);
    }
    // B7
    Object aud = claims.get("aud");
    Set<String> tokenAudiences = new LinkedHashSet<>();
    if (aud instanceof String single) {
      tokenAudiences.add(single);
    } else if (aud instanceof List) {
      for (Object a : (List<?>) aud) {
        if (!(a instanceof String audience)) {
          return reject(Code.WRONG_AUDIENCE, "B7", "aud holds a value that is not a string");
        }
        tokenAudiences.add(audience);
      }
    } else if (aud != null) {
      return reject(Code.WRONG_AUDIENCE, "B7", "aud is neither a string nor an array");
    }
    if (tokenAudiences.isEmpty()) {
      return reject(Code.WRONG_AUDIENCE, "B7", "token has no aud claim");
    }
    if (tokenAudiences.stream().noneMatch(audiences::contains)) {
      return reject(Code.WRONG_AUDIENCE, "B7", "aud does not contain the expected audience: aud "
          + tokenAudiences.stream().limit(5).map(UntrustedText::excerpt).toList() + ", expected one of "
          + audiences.stream().sorted().map(UntrustedText::excerpt).toList());
    }
    // B8
    if (!claims.containsKey("exp") || claims.get("exp") == null) {
      return reject(Code.EXPIRED, "B8", "token has no exp claim");
    }
    Instant exp = Claims.numericDate(claims.get("exp"));
    if (exp == null) {
      return reject(Code.EXPIRED, "B8", "exp is not a NumericDate between years 0 and 9999");
    }
    Instant now = clock.instant();
    if (!now.isBefore(plus(exp, leeway))) {
      return reject(Code.EXPIRED, "B8", "JWT-SVID expired at " + exp + ", now " + now + ", leeway " + Wording.seconds(leeway));
    }
    // B9
    Instant latest = plus(now, leeway);
    for (String claim : new String[] {"nbf", "iat"}) {
      if (claims.get(claim) != null) {
        Instant t = Claims.numericDate(claims.get(claim));
        if (t == null) {
          return reject(Code.NOT_YET_VALID, "B9", claim + " is not a NumericDate between years 0 and 9999");
        }
        if (t.isAfter(latest)) {
          return reject(Code.NOT_YET_VALID, "B9", (claim.equals("nbf")
              ? "JWT-SVID is not valid before " + t + " (nbf)"
              : "JWT-SVID was issued in the future, at " + t + " (iat)")
              + ", now " + now + ", leeway " + Wording.seconds(leeway));
        }
      }
    }
    Optional<String> owner = owner(id, claims);
    String control = owner.map(IdentityText::controlCharacter).orElse(null);
    if (control != null) {
      // an owner is logged and audited: refused at the source rather than escaped later (issue 14 #14)
      return IdentityResult.rejected(Code.INVALID_IDENTITY, "the owner holds the control character " + control);
    }
    return IdentityResult.verified(identity(id, claims, exp, owner.orElse(null)));
  }

  private WorkloadIdentity identity(SpiffeId id, Map<String, Object> claims, Instant exp, @Nullable String owner) {
    WorkloadIdentity.Builder b =
        WorkloadIdentity.builder(id.toString(), id.trustDomain().id().toString()).kind(KIND).expiresAt(exp);
    @SuppressWarnings("unchecked")
    Map<String, Object> copy = (Map<String, Object>) Claims.immutable(claims);
    b.attributes(copy);
    b.attribute("trust_domain", id.trustDomain().name());
    b.attribute("path", id.path());
    if (owner != null) {
      b.owner(owner);
    }
    Instant iat = claims.get("iat") == null ? null : Claims.numericDate(claims.get("iat"));
    if (iat != null) {
      b.issuedAt(iat); // the broker's revocation watermark compares it (issue 14)
    }
    return b.build();
  }

  private Optional<String> owner(SpiffeId id, Map<String, Object> claims) {
    if (ownerClaim != null) {
      Object v = claims.get(ownerClaim);
      if (v instanceof String text && !text.isBlank()) {
        return Optional.of(text);
      }
    }
    return SvidOptions.mappedOwner(ownerMapping, id);
  }

  private static Instant plus(Instant t, Duration d) {
    return t.compareTo(Instant.MAX.minus(d)) > 0 ? Instant.MAX : t.plus(d);
  }

  /** Why {@code key} cannot verify {@code alg}, or null. */
  static @Nullable String keyMismatch(String alg, PublicKey key) {
    if (alg.startsWith("RS") || alg.startsWith("PS")) {
      if (!(key instanceof RSAPublicKey rsaPublicKey)) {
        return "key type " + key.getAlgorithm() + " does not match algorithm " + alg;
      }
      if (rsaPublicKey.getModulus().bitLength() < 2048) {
        return "RSA key is shorter than 2048 bits";
      }
      return null;
    }
    if (!(key instanceof ECPublicKey ecPublicKey)) {
      return "key type " + key.getAlgorithm() + " does not match algorithm " + alg;
    }
    Curve curve = Curve.forECParameterSpec(ecPublicKey.getParams());
    Curve expected = alg.equals("ES256") ? Curve.P_256 : alg.equals("ES384") ? Curve.P_384 : Curve.P_521;
    if (!expected.equals(curve)) {
      return "EC key curve " + (curve == null ? "unknown" : curve.getName()) + " does not match algorithm " + alg;
    }
    return null;
  }

  /**
   * Checks the signature over the token's first two parts. The front end already parsed the header
   * strictly and refused headers that change processing ({@code crit}, {@code b64}, ...), so the only
   * header member the verifier needs is the algorithm: the token is not parsed a second time.
   */
  private boolean signatureValid(CompactJws.Parsed parsed, PublicKey key) {
    try {
      JWSVerifier verifier = verifiers.get(key);
      if (verifier == null) {
        verifier = newVerifier(key);
        verifiers.put(key, verifier);
      }
      return verifier.verify(new JWSHeader(JWSAlgorithm.parse(parsed.algorithm())), parsed.signingInput(),
          new Base64URL(parsed.signaturePart()));
    } catch (JOSEException | RuntimeException e) {
      return false;
    }
  }

  /** The checklist rule, code and reason for a token the front end refused. */
  private IdentityResult frontEndRejection(CompactJws.Refused refused, String token) {
    return switch (refused.problem()) {
      case TOO_LARGE -> reject(Code.TOO_LARGE, "B1",
          "token is longer than " + maxTokenBytes + " bytes (" + token.length() + ")");
      case JSON_SERIALIZATION -> reject(Code.MALFORMED, "B1", "JWS JSON serialization is not allowed");
      case PART_COUNT -> reject(Code.MALFORMED, "B1",
          "token is not a compact JWS (" + token.split("\\.", -1).length + " parts)");
      case ENCRYPTED -> refused.member() == null
          ? reject(Code.MALFORMED, "B1", "token is not a compact JWS (5 parts)")
          : reject(Code.MALFORMED, "B1", "a JWE header (enc, zip) is not a JWS header: it has " + refused.member());
      case HEADER -> reject(Code.MALFORMED, "B1", "token header is not a base64url JSON object");
      case NO_ALGORITHM -> reject(Code.ALGORITHM, "B2", "token has no alg");
      case UNSECURED, ALGORITHM_NOT_ALLOWED -> reject(Code.ALGORITHM, "B2", "algorithm "
          + UntrustedText.excerpt(refused.value()) + " is not allowed; allowed: "
          + ALGORITHMS.stream().sorted().toList());
      case DENIED_HEADER -> reject(Code.HEADER, "B3", "header " + refused.member() + " is not allowed");
      case HEADER_MEMBER -> "typ".equals(refused.member())
          ? reject(Code.HEADER, "B5", "typ must be JWT or JOSE, got a value that is not a string")
          : "kid".equals(refused.member())
              ? reject(Code.HEADER, "B4", "token header has no kid (kid is not a string)")
              : reject(Code.MALFORMED, "B1", refused.detail());
      case PAYLOAD -> reject(Code.MALFORMED, "B1", "token payload is not a base64url JSON object");
      case SIGNATURE -> reject(Code.MALFORMED, "B1", "token has no signature, or it is not canonical base64url");
    };
  }

  /** A verifier for a bundle key; ECDSA runs on an unregistered Bouncy Castle provider. */
  private static JWSVerifier newVerifier(PublicKey key) throws JOSEException {
    if (key instanceof RSAPublicKey rsaPublicKey) {
      return new RSASSAVerifier(rsaPublicKey);
    }
    ECDSAVerifier ec = new ECDSAVerifier((ECPublicKey) key);
    ec.getJCAContext().setProvider(Providers.bouncyCastle());
    return ec;
  }

  @Override
  public String toString() {
    return "JwtSvidVerifier[audiences=" + audiences + ", leeway=" + leeway + "]";
  }

  /** Builds a {@link JwtSvidVerifier}. Not thread-safe. */
  public static final class Builder {
    private final SvidOptions options = new SvidOptions();
    private @Nullable Set<String> audiences;
    private @Nullable Duration leeway;
    private int maxTokenBytes;
    private @Nullable String ownerClaim;

    private Builder() {}

    /** Where the bundles come from (required). */
    public Builder bundleSource(BundleSource source) {
      options.bundleSource(source);
      return this;
    }

    /** The audiences this verifier accepts; a token must name at least one (required, not empty). */
    public Builder audiences(String... audiences) {
      Arguments.requireNonNull(audiences, "audiences");
      Arguments.requireUnset(this.audiences, "audiences");
      Set<String> set = new LinkedHashSet<>();
      for (String a : audiences) {
        Arguments.requireNonNull(a, "audience");
        Arguments.requireArgument(!a.isBlank(), "audience must not be blank");
        set.add(a);
      }
      Arguments.requireArgument(!set.isEmpty(), "audiences must not be empty");
      this.audiences = set;
      return this;
    }

    /** The clock; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      options.clock(clock);
      return this;
    }

    /** Clock-skew leeway for exp, nbf and iat, 0 to 5 minutes; default 30 seconds. */
    public Builder leeway(Duration leeway) {
      Arguments.requireNonNull(leeway, "leeway");
      Arguments.requireUnset(this.leeway, "leeway");
      this.leeway = Arguments.requireInRange(leeway, Duration.ZERO, Duration.ofMinutes(5), "leeway");
      return this;
    }

    /** The largest token accepted, 256 to 65536 bytes; default 8192. */
    public Builder maxTokenBytes(int maxTokenBytes) {
      Arguments.requireState(this.maxTokenBytes == 0, "maxTokenBytes was already set");
      this.maxTokenBytes = Arguments.requireInRange(maxTokenBytes, 256, 65536, "maxTokenBytes");
      return this;
    }

    /** A string claim naming the workload's owner, used when present. */
    public Builder ownerClaim(String claim) {
      Arguments.requireUnset(ownerClaim, "ownerClaim");
      this.ownerClaim = Arguments.requireNotBlank(claim, "ownerClaim");
      return this;
    }

    /** Maps a verified SPIFFE ID to its owner; used when the owner claim is absent. */
    public Builder ownerMapping(Function<SpiffeId, Optional<String>> mapping) {
      options.ownerMapping(mapping);
      return this;
    }

    /**
     * Builds the verifier; the builder is not changed.
     *
     * @throws IllegalStateException if the bundle source or the audiences are missing
     */
    public JwtSvidVerifier build() {
      options.bundles();
      Arguments.requireState(audiences != null, "audiences are required");
      return new JwtSvidVerifier(this);
    }
  }
}
