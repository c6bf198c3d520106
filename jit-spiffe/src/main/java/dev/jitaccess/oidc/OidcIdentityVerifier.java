package dev.jitaccess.oidc;

import dev.jitaccess.internal.UntrustedText;
import com.nimbusds.jose.JWSAlgorithm;
import dev.jitaccess.Credential;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.internal.Arguments;
import dev.jitaccess.internal.Glob;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityResult.Code;
import dev.jitaccess.spi.IdentityVerifier;
import dev.jitaccess.spiffe.internal.Endpoints;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies OIDC ID tokens from a platform issuer, such as a GitHub Actions job's token or a Kubernetes
 * projected service-account token, and turns a valid one into a {@link WorkloadIdentity} of kind
 * {@code oidc}.
 *
 * <p>A token is accepted only if, in this order (each step a named step of the check: parse, header,
 * issuer, signature, claims, identity): it passes the project's one compact-JWS front end (at most
 * {@link Builder#maxTokenBytes} long; a compact JWS with canonical base64url parts and strict JSON; its
 * {@code alg} in the allow-list, never {@code none} or {@code HS*}; no JWE member and none of the
 * header members {@code jku}, {@code x5u}, {@code jwk}, {@code x5c}, {@code crit}, {@code b64}: keys
 * come only from the configured JWKS, nothing named in a token is ever fetched); its {@code iss} equals the configured issuer exactly; its signature verifies with a key of
 * the issuer's JWKS matching {@code kid}, {@code alg} and key type (RSA keys of at least 2048 bits); its
 * {@code sub} is a string without control characters; its {@code aud} contains the configured audience; {@code exp} is present and
 * the injected clock is before {@code exp + leeway}; {@code nbf} and {@code iat}, if present, are not
 * after {@code now + leeway}; every claim condition holds; and the identity id and owner the mappings
 * derive hold no control characters.
 *
 * <p>Bad input never throws: it is an {@link IdentityResult.Rejected} whose code says which step failed and
 * whose reason names what failed, never containing the token. An issuer whose JWKS cannot be fetched (and for which no last good keys are
 * held) means rejection, not acceptance.
 *
 * <pre>{@code
 * OidcIdentityVerifier github = OidcIdentityVerifier.githubActions("https://jit.example.org")
 *     .requireClaim("repository", "octo-org/deployer")
 *     .requireClaimMatches("ref", "refs/heads/release/*")
 *     .requireClaim("environment", "production")
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops background JWKS refreshes.
 */
public final class OidcIdentityVerifier implements IdentityVerifier, AutoCloseable {
  /** The {@link WorkloadIdentity#kind()} of identities this verifier establishes. */
  public static final String KIND = "oidc";
  /** The attribute holding the verified issuer, next to the token's claims. */
  public static final String ISSUER_ATTRIBUTE = "issuer";
  /** The issuer of GitHub Actions OIDC tokens. */
  public static final String GITHUB_ACTIONS_ISSUER = OidcPresets.GITHUB_ACTIONS_ISSUER;
  /** Where GitHub Actions publishes its token signing keys. */
  public static final String GITHUB_ACTIONS_JWKS_URL = OidcPresets.GITHUB_ACTIONS_JWKS_URL;

  private static final Logger LOG = LoggerFactory.getLogger(OidcIdentityVerifier.class);
  static final List<JWSAlgorithm> SUPPORTED_ALGORITHMS = List.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  private final OidcTokenCheck check;
  private volatile boolean closed;

  private OidcIdentityVerifier(OidcTokenCheck check) {
    this.check = check;
  }

  /** Starts an empty builder: issuer, keys and audience are required. */
  public static Builder builder() {
    return new Builder(null, null, null, null);
  }

  /**
   * A builder for GitHub Actions tokens: issuer {@value #GITHUB_ACTIONS_ISSUER}, keys from
   * {@value #GITHUB_ACTIONS_JWKS_URL}, RS256 only, owner from the {@code repository_owner} claim. Each of
   * these may be replaced once (for example the issuer and JWKS URL of a GitHub Enterprise Cloud
   * customized issuer); add conditions on {@code repository}, {@code ref}, {@code environment},
   * {@code job_workflow_ref} before building. Without conditions, any repository's workflow that asks
   * for this audience is accepted.
   *
   * @param audience the audience the workflow requests ({@code core.getIDToken(audience)})
   */
  public static Builder githubActions(String audience) {
    return OidcPresets.githubActions(audience);
  }

  /**
   * A builder for Kubernetes projected service-account tokens: the cluster's service-account issuer
   * ({@code --service-account-issuer}) and its JWKS URL (its {@code /openid/v1/jwks}, or a public
   * copy), RS256 and ES256, owner from the pod's namespace ({@code /kubernetes.io/namespace}). The JWKS
   * URL may be replaced once by a static {@link Builder#jwks(String)}. Add conditions such as
   * {@code requireClaim("sub", "system:serviceaccount:ci:deployer")} or
   * {@code requireClaim("/kubernetes.io/namespace", "ci")} before building.
   *
   * @param issuer the cluster's service-account issuer
   * @param jwksUrl the HTTPS URL of its JWKS
   * @param audience the audience the pod's projected token is minted for
   */
  public static Builder kubernetes(String issuer, String jwksUrl, String audience) {
    return OidcPresets.kubernetes(issuer, jwksUrl, audience);
  }

  /** Whether the credential is an OIDC token ({@link Credential.TokenType#OIDC}). */
  @Override
  public boolean supports(Credential credential) {
    return credential instanceof Credential.Token token
        && token.type() == Credential.TokenType.OIDC;
  }

  /** Verifies an OIDC token; never throws and never returns null. */
  @Override
  public IdentityResult verify(Credential credential) {
    if (!supports(credential)) {
      return IdentityResult.rejected(Code.UNSUPPORTED_CREDENTIAL,
          "unsupported credential: this verifier accepts only OIDC tokens, got "
              + (credential == null ? "none" : credential));
    }
    if (closed) {
      return IdentityResult.rejected(Code.UNAVAILABLE,
          "the OIDC verifier for issuer " + UntrustedText.excerpt(check.issuer()) + " is closed");
    }
    try {
      return check.verify(((Credential.Token) credential).value());
    } catch (RuntimeException | StackOverflowError e) {
      LOG.warn("OIDC token verification for issuer {} failed unexpectedly: {}", check.issuer(),
          e.getClass().getName());
      return IdentityResult.rejected(Code.ERROR,
          "the OIDC token could not be verified: internal error (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Stops background JWKS refreshes; later verifications are rejected. Idempotent. */
  @Override
  public void close() {
    closed = true;
    check.keys().close();
  }

  /** The issuer this verifier trusts. */
  public String issuer() {
    return check.issuer();
  }

  /** The audience a token must carry. */
  public String audience() {
    return check.audience();
  }

  @Override
  public String toString() {
    return "OidcIdentityVerifier[issuer=" + check.issuer() + ", audience=" + check.audience() + ", algorithms="
        + check.algorithms() + ", conditions=" + check.conditionCount() + "]";
  }

  /**
   * Builds an {@link OidcIdentityVerifier}. Every option may be set once (a preset's values may each be
   * replaced once); nulls, bad ranges and options that contradict each other are refused with a message
   * naming the option and the value. Not thread-safe.
   */
  public static final class Builder {
    static final List<JWSAlgorithm> DEFAULT_ALGORITHMS = List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(30);
    static final int DEFAULT_MAX_TOKEN_BYTES = 16 * 1024;

    private final @Nullable String presetIssuer;
    private final @Nullable String presetJwksUrl;
    private final @Nullable List<JWSAlgorithm> presetAlgorithms;
    private final @Nullable ClaimPointer presetOwnerClaim;

    private final KeySourceOptions keys = new KeySourceOptions();
    private @Nullable String issuer;
    private @Nullable String audience;
    private @Nullable List<JWSAlgorithm> algorithms;
    private @Nullable Clock clock;
    private @Nullable Duration leeway;
    private @Nullable Integer maxTokenBytes;
    private final List<ClaimCondition> conditions = new ArrayList<>();
    private @Nullable Function<? super Map<String, Object>, String> identityId;
    private @Nullable Function<? super Map<String, Object>, String> owner;

    Builder(@Nullable String presetIssuer, @Nullable String presetJwksUrl,
        @Nullable List<JWSAlgorithm> presetAlgorithms, @Nullable ClaimPointer presetOwnerClaim) {
      this.presetIssuer = presetIssuer;
      this.presetJwksUrl = presetJwksUrl;
      this.presetAlgorithms = presetAlgorithms;
      this.presetOwnerClaim = presetOwnerClaim;
    }

    /** The issuer; a token's {@code iss} must equal it exactly (no normalization). Required. */
    public Builder issuer(String issuer) {
      Objects.requireNonNull(issuer, "issuer");
      once(this.issuer, "issuer");
      this.issuer = Arguments.requireNotBlank(issuer, "issuer");
      return this;
    }

    /**
     * Where the issuer publishes its JWKS. Must be {@code https}; plain {@code http} is accepted only for
     * a loopback host together with {@link #allowPlainHttpForLoopback()}. Redirects are not followed.
     * Exactly one of this and {@link #jwks(String)} is required.
     */
    public Builder jwksUrl(String url) {
      keys.jwksUrl(url);
      return this;
    }

    /**
     * A static JWK Set (JSON) of the issuer's public RSA or EC keys, instead of a {@link #jwksUrl}.
     *
     * @throws IllegalArgumentException if it is not a JWK Set, is empty, or holds a private or symmetric
     *     key (checked again at {@link #build()})
     */
    public Builder jwks(String jwkSetJson) {
      keys.jwks(jwkSetJson);
      return this;
    }

    /** Accepts a plain-http {@link #jwksUrl} on a loopback host ({@code 127.0.0.0/8}, {@code ::1}, {@code localhost}); for tests. */
    public Builder allowPlainHttpForLoopback() {
      keys.allowPlainHttpForLoopback();
      return this;
    }

    /** The audience a token's {@code aud} must contain, normally the broker's own URL. Required. */
    public Builder audience(String audience) {
      Objects.requireNonNull(audience, "audience");
      once(this.audience, "audience");
      this.audience = Arguments.requireNotBlank(audience, "audience");
      return this;
    }

    /**
     * The accepted signature algorithms, by JWS name; default RS256 and ES256. Only RS, PS and ES with
     * 256, 384 or 512 are supported; {@code none} and {@code HS*} are refused.
     */
    public Builder algorithms(String... names) {
      Objects.requireNonNull(names, "algorithms");
      once(this.algorithms, "algorithms");
      if (names.length == 0) {
        throw new IllegalArgumentException("algorithms must not be empty");
      }
      Set<JWSAlgorithm> chosen = new LinkedHashSet<>();
      for (String name : names) {
        Objects.requireNonNull(name, "algorithms element");
        if (name.toLowerCase(Locale.ROOT).equals("none")) {
          throw new IllegalArgumentException("alg none is never allowed");
        }
        if (JWSAlgorithm.Family.HMAC_SHA.contains(JWSAlgorithm.parse(name))) {
          throw new IllegalArgumentException("symmetric algorithms are never allowed, got " + name);
        }
        chosen.add(SUPPORTED_ALGORITHMS.stream().filter(a -> a.getName().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException(
                "unsupported algorithm " + name + "; supported: " + SUPPORTED_ALGORITHMS)));
      }
      this.algorithms = List.copyOf(chosen);
      return this;
    }

    /** The clock that decides expiry and JWKS cache age; defaults to {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      once(this.clock, "clock");
      this.clock = clock;
      return this;
    }

    /** Tolerated clock difference for {@code exp}, {@code nbf} and {@code iat} (0 to 5 minutes); default 30 seconds. */
    public Builder leeway(Duration leeway) {
      Objects.requireNonNull(leeway, "leeway");
      once(this.leeway, "leeway");
      this.leeway = range(leeway, Duration.ZERO, Duration.ofMinutes(5), "leeway");
      return this;
    }

    /** The largest token accepted, in bytes (1 KiB to 1 MiB), refused before parsing; default 16 KiB. */
    public Builder maxTokenBytes(int bytes) {
      once(this.maxTokenBytes, "maxTokenBytes");
      if (bytes < 1024 || bytes > 1 << 20) {
        throw new IllegalArgumentException("maxTokenBytes must be between 1024 and 1048576, got " + bytes);
      }
      this.maxTokenBytes = bytes;
      return this;
    }

    /**
     * Requires a string claim to equal a value exactly. {@code claim} is a top-level claim name, or an
     * RFC 6901 JSON Pointer when it begins with {@code /} (for example {@code /kubernetes.io/namespace}).
     * Conditions add up: all must hold.
     */
    public Builder requireClaim(String claim, String value) {
      ClaimPointer pointer = ClaimPointer.parse(claim, "claim");
      conditions.add(new ClaimCondition.Exact(pointer, Objects.requireNonNull(value, "value")));
      return this;
    }

    /** Requires a string claim to be one of a non-empty set of values; {@code claim} as in {@link #requireClaim}. */
    public Builder requireClaimIn(String claim, Collection<String> values) {
      ClaimPointer pointer = ClaimPointer.parse(claim, "claim");
      Objects.requireNonNull(values, "values");
      values.forEach(v -> Objects.requireNonNull(v, "values element"));
      conditions.add(new ClaimCondition.OneOf(pointer, Set.copyOf(values)));
      return this;
    }

    /**
     * Requires a string claim to match a glob: {@code *} is any run without {@code /}, {@code **} any run,
     * {@code ?} one character other than {@code /}, and {@code \} quotes the next character (GitHub's
     * branch-filter syntax). {@code claim} as in {@link #requireClaim}.
     */
    public Builder requireClaimMatches(String claim, String glob) {
      ClaimPointer pointer = ClaimPointer.parse(claim, "claim");
      conditions.add(new ClaimCondition.Matches(pointer, Glob.compile(Objects.requireNonNull(glob, "glob"))));
      return this;
    }

    /**
     * Maps verified attributes (the claims and {@value OidcIdentityVerifier#ISSUER_ATTRIBUTE}) to the
     * identity id; default {@code iss + "#" + sub}. A null or blank result, or an exception, rejects the token.
     */
    public Builder identityId(Function<? super Map<String, Object>, String> mapping) {
      Objects.requireNonNull(mapping, "identityId");
      once(this.identityId, "identityId");
      this.identityId = mapping;
      return this;
    }

    /**
     * Takes the owner from a string claim (name or JSON Pointer, as in {@link #requireClaim}). A token
     * without it verifies with no owner; add a condition to make it mandatory.
     */
    public Builder ownerClaim(String claim) {
      ClaimPointer pointer = ClaimPointer.parse(claim, "ownerClaim");
      once(this.owner, "owner");
      this.owner = ownerFrom(pointer);
      return this;
    }

    /**
     * Maps verified attributes to the owner; null or blank means no owner, an exception rejects the token.
     * Replaces {@link #ownerClaim}; only one of the two may be set.
     */
    public Builder owner(Function<? super Map<String, Object>, String> mapping) {
      Objects.requireNonNull(mapping, "owner");
      once(this.owner, "owner");
      this.owner = mapping;
      return this;
    }

    /** How long fetched keys are used before they are fetched again (1 minute to 24 hours); default 5 minutes. */
    public Builder jwksCacheTtl(Duration ttl) {
      keys.jwksCacheTtl(ttl);
      return this;
    }

    /**
     * How long after their last successful fetch the last good keys may still be used while the issuer is
     * unreachable (zero, which turns this off, or more than {@link #jwksCacheTtl}, at most 7 days); they
     * are kept for at least this minus one cache time to live. Default twelve times the cache time to
     * live (1 hour), capped at 7 days.
     */
    public Builder jwksOutageTolerance(Duration tolerance) {
      keys.jwksOutageTolerance(tolerance);
      return this;
    }

    /** Connect and read timeout of a JWKS fetch (100 ms to 60 s); default 2 seconds. */
    public Builder httpTimeout(Duration timeout) {
      keys.httpTimeout(timeout);
      return this;
    }

    /**
     * Runs refreshes ahead of cache expiry; default one on-demand daemon thread. {@code Runnable::run}
     * refreshes on the verifying thread. Never shut down by {@link OidcIdentityVerifier#close()}.
     */
    public Builder refreshExecutor(Executor executor) {
      keys.refreshExecutor(executor);
      return this;
    }

    /**
     * Builds the verifier.
     *
     * @throws IllegalStateException if a required option is missing or options contradict each other
     * @throws IllegalArgumentException if the static JWK Set is unusable
     */
    public OidcIdentityVerifier build() {
      String effectiveIssuer = issuer != null ? issuer : presetIssuer;
      if (effectiveIssuer == null) {
        throw new IllegalStateException("issuer is required");
      }
      if (audience == null) {
        throw new IllegalStateException("audience is required");
      }
      KeySource keySource = keys.keySource(effectiveIssuer, presetJwksUrl);
      Function<? super Map<String, Object>, String> effectiveOwner =
          owner != null ? owner : presetOwnerClaim == null ? null : ownerFrom(presetOwnerClaim);
      return new OidcIdentityVerifier(new OidcTokenCheck(effectiveIssuer, audience,
          algorithms != null ? algorithms : presetAlgorithms != null ? presetAlgorithms : DEFAULT_ALGORITHMS,
          clock == null ? Clock.systemUTC() : clock, leeway == null ? DEFAULT_LEEWAY : leeway,
          maxTokenBytes == null ? DEFAULT_MAX_TOKEN_BYTES : maxTokenBytes, conditions, identityId,
          effectiveOwner, keySource));
    }

    private static Function<Map<String, Object>, String> ownerFrom(ClaimPointer pointer) {
      return attributes -> {
        Object value = pointer.resolve(attributes);
        return value instanceof String text ? text : null;
      };
    }

    private static Duration range(Duration value, Duration min, Duration max, String name) {
      return Arguments.requireInRange(value, min, max, name);
    }

    /** An option is set at most once: the project's one check ({@link Arguments#requireUnset}). */
    private static void once(@Nullable Object current, String name) {
      Arguments.requireUnset(current, name);
    }

    @Override
    public String toString() {
      return "OidcIdentityVerifier.Builder[issuer=" + (issuer != null ? issuer : presetIssuer) + "]";
    }
  }
}
