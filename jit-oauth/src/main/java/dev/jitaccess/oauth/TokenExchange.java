package dev.jitaccess.oauth;

import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.internal.Arguments;
import dev.jitaccess.internal.DpopProofs;
import dev.jitaccess.GrantRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A framework-neutral OAuth adapter in front of a {@link GrantBroker}: the RFC 8693 token-exchange
 * endpoint, RFC 7662 introspection and RFC 7009 revocation. Each endpoint takes an {@link HttpRequest} and
 * returns an {@link HttpResponse}; wire them to a servlet, the JDK {@code HttpServer} or any framework.
 * Nothing here throws for bad input, and no response or log ever contains a token.
 *
 * <p><b>Token exchange</b> ({@link #exchange}): {@code grant_type=urn:ietf:params:oauth:grant-type:token-exchange}
 * with the workload's identity credential as {@code subject_token} (a JWT-SVID or OIDC ID token, by
 * {@code subject_token_type}) becomes {@link GrantBroker#request}; one of this broker's own grant tokens as
 * {@code subject_token} (type {@value #ACCESS_TOKEN_TYPE}) plus the delegate's credential as
 * {@code actor_token} becomes {@link GrantBroker#delegate}, a narrower sub-grant for the actor. The request
 * names exactly one target ({@code resource} or {@code audience}), the actions as {@code scope}, the task
 * as the extension parameter {@value #TASK_ID} (required: a grant serves one task), and optionally
 * {@value #PURPOSE}, {@value #ENVIRONMENT} and {@value #REQUESTED_TTL} (seconds). A valid {@code DPoP}
 * proof header binds the issued token to its key ({@code cnf.jkt}, {@code token_type DPoP}).
 *
 * <p>Errors follow RFC 6749 section 5.2 and RFC 8693 section 2.2.2: {@code invalid_request} for a bad
 * request and, as RFC 8693 requires, for a subject or actor token that is invalid or refused by policy
 * (the description starts with {@code denied:}); a refusal is answered by its
 * {@link dev.jitaccess.DenialCategory}: 503 {@code temporarily_unavailable} when a component is
 * unavailable, 500 {@code server_error} for another fault, 429 when a quota of live grants is reached;
 * {@code unsupported_grant_type}; {@code invalid_scope} for a missing or malformed scope, or one wider than
 * the delegated grant; {@code invalid_target} for several targets, a malformed resource, one outside the
 * delegated grant, or one the policy refuses while it would grant the request elsewhere
 * ({@link Decision.Deny.Facet#RESOURCE}); {@code invalid_dpop_proof} (RFC 9449) for a bad DPoP proof. 400 for all of these,
 * 401 {@code invalid_client} for refused callers, 405 for another method than POST, 415 for another
 * content type than {@code application/x-www-form-urlencoded}.
 *
 * <p><b>Introspection and revocation</b> answer only callers the {@link CallerAuthorizer} accepts; without
 * one they answer 401 {@code invalid_client} (fail closed). Introspection never consumes a single-use grant
 * and answers {@code {"active":false}} for anything that is not a live grant of this broker, without
 * saying why. Revocation answers 200 for any well-formed request and revokes the grant when the token is
 * an authentic grant token of this broker.
 *
 * <p>Introspection, revocation and delegation read the broker's grants through its public contracts only
 * ({@link GrantBroker#find} and {@link GrantBroker#verifier()} in
 * {@linkplain VerificationRequest.Builder#inspectOnly() inspect-only} mode), so a decorated
 * {@link GrantBroker} works like jit-core's own. A used single-use grant is reported inactive, and looking
 * at a token never consumes it.
 *
 * <p>Thread-safe once built. Build one with {@link #builder(GrantBroker)}.
 */
public final class TokenExchange {
  /** The RFC 8693 grant type. */
  public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
  /** Token type of an OAuth access token: here, one of this broker's grant tokens. */
  public static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
  /** Token type of a JWT; by default accepted as a JWT-SVID. */
  public static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
  /** Token type of an OpenID Connect ID token; by default accepted as an OIDC credential. */
  public static final String ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
  /** Extension parameter: the task the grant is for. Required. */
  public static final String TASK_ID = "task_id";
  /** Extension parameter: the purpose; defaults to the builder's. */
  public static final String PURPOSE = "purpose";
  /** Extension parameter: the environment; defaults to the builder's. */
  public static final String ENVIRONMENT = "environment";
  /** Extension parameter: the requested lifetime in seconds; defaults to the builder's. */
  public static final String REQUESTED_TTL = "requested_ttl";
  /** The form content type every endpoint requires. */
  public static final String FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";

  private static final Logger LOG = LoggerFactory.getLogger(TokenExchange.class);

  private final ExchangeConfig config;
  private final DpopProofs dpop;
  private final GrantIssuance issuance;
  private final TokenIntrospection introspection;

  private TokenExchange(ExchangeConfig config) {
    this.config = config;
    this.dpop = new DpopProofs(config.clock(), Duration.ofSeconds(60), null);
    GrantReader grants = new GrantReader(config.broker(), config.clock());
    this.issuance = new GrantIssuance(config, grants);
    this.introspection = new TokenIntrospection(config, grants);
  }

  /** Starts a builder for an adapter in front of {@code broker}. */
  public static Builder builder(GrantBroker broker) {
    return new Builder(broker);
  }

  /** The subject token types accepted as identity credentials, and the credential kind each maps to. */
  public Map<String, Credential.TokenType> subjectTokenTypes() {
    return config.tokenTypes();
  }

  /**
   * The token endpoint: answers a token-exchange request with an RFC 8693 response (200) or an RFC 6749
   * error. Never throws for bad input; an unexpected failure answers 500 {@code server_error}.
   */
  public HttpResponse exchange(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    try {
      HttpResponse bad = RequestChecks.transport(request, config.maxFormBytes());
      if (bad != null) {
        return bad;
      }
      ExchangeParameters.Read read = ExchangeParameters.read(request, config, dpop);
      ExchangeParameters x = read.parameters();
      if (x == null) {
        return Objects.requireNonNull(read.error(), "a refused read carries its error");
      }
      if (ACCESS_TOKEN_TYPE.equals(x.subjectType())) {
        return config.delegation() ? issuance.delegate(x)
            : OAuthErrors.invalidRequest("subject_token_type " + x.subjectType() + " (delegation) is not enabled");
      }
      Credential.TokenType kind = config.tokenTypes().get(x.subjectType());
      if (kind == null) {
        return OAuthErrors.invalidRequest("subject_token_type " + x.subjectType() + " is not supported");
      }
      return issuance.direct(x, kind);
    } catch (RuntimeException e) {
      LOG.warn("token exchange failed with {}; nothing issued", e.getClass().getName());
      return OAuthErrors.error(500, "server_error", "the token exchange failed; nothing was issued");
    }
  }

  /**
   * The introspection endpoint: {@code {"active":true,...}} for a live grant token of this broker,
   * {@code {"active":false}} for anything else. Does not consume single-use grants.
   */
  public HttpResponse introspect(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    return introspection.introspect(request);
  }

  /**
   * The revocation endpoint: revokes the grant when {@code token} is an authentic grant token of this
   * broker, and answers 200 for every well-formed request from an authorized caller, known token or not.
   */
  public HttpResponse revoke(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    return introspection.revoke(request);
  }

  /**
   * Builds a {@link TokenExchange}. Every option may be set once; nulls, bad ranges and repeated options
   * are refused with a message naming the option. The defaults, applied by {@link #build()} without
   * changing the builder: the system UTC clock, a 5-minute TTL, {@value TokenExchange#JWT_TYPE} as a
   * JWT-SVID and {@value TokenExchange#ID_TOKEN_TYPE} as OIDC, delegation on, no caller authorizer, no
   * DPoP, 64 KiB forms, generic denial descriptions. Not thread-safe.
   */
  public static final class Builder {
    private static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
    private static final int DEFAULT_MAX_FORM_BYTES = 64 * 1024;

    private final GrantBroker broker;
    private @Nullable Clock clock;
    private @Nullable String defaultPurpose;
    private @Nullable String defaultEnvironment;
    private @Nullable Duration defaultTtl;
    private final Map<String, Credential.TokenType> tokenTypes = new LinkedHashMap<>();
    private @Nullable Boolean delegation;
    private @Nullable CallerAuthorizer authorizer;
    private @Nullable URI tokenEndpoint;
    private @Nullable Integer maxFormBytes;
    private @Nullable Boolean denialDetails;

    private Builder(GrantBroker broker) {
      this.broker = Objects.requireNonNull(broker, "broker");
    }

    /** The clock for DPoP proof freshness and {@code expires_in}; use the broker's. Defaults to the system UTC clock. */
    public Builder clock(Clock clock) {
      this.clock = Arguments.setOnce(this.clock, clock, "clock");
      return this;
    }

    /** The purpose of a grant whose request has no {@value TokenExchange#PURPOSE} parameter. */
    public Builder defaultPurpose(String purpose) {
      this.defaultPurpose = text(Arguments.setOnce(this.defaultPurpose, purpose, "defaultPurpose"), "defaultPurpose");
      return this;
    }

    /** The environment of a grant whose request has no {@value TokenExchange#ENVIRONMENT} parameter. */
    public Builder defaultEnvironment(String environment) {
      this.defaultEnvironment = text(Arguments.setOnce(this.defaultEnvironment, environment, "defaultEnvironment"),
          "defaultEnvironment");
      return this;
    }

    /** The TTL asked for when the request has no {@value TokenExchange#REQUESTED_TTL}; 1 second to 24 hours, default 5 minutes. */
    public Builder defaultTtl(Duration ttl) {
      Arguments.setOnce(this.defaultTtl, ttl, "defaultTtl");
      Arguments.requireArgument(ttl.compareTo(Duration.ofSeconds(1)) >= 0 && ttl.compareTo(Duration.ofHours(24)) <= 0,
          "defaultTtl must be between 1 second and 24 hours, got " + ttl);
      this.defaultTtl = ttl;
      return this;
    }

    /**
     * Accepts {@code subject_token_type} (and {@code actor_token_type}) {@code tokenType} as an identity
     * credential of this kind. Setting any replaces the defaults ({@value TokenExchange#JWT_TYPE} as a
     * JWT-SVID, {@value TokenExchange#ID_TOKEN_TYPE} as OIDC). {@value TokenExchange#ACCESS_TOKEN_TYPE} is
     * reserved for delegation.
     */
    public Builder subjectTokenType(String tokenType, Credential.TokenType kind) {
      text(tokenType, "tokenType");
      Objects.requireNonNull(kind, "kind");
      Arguments.requireArgument(!ACCESS_TOKEN_TYPE.equals(tokenType),
          ACCESS_TOKEN_TYPE + " is reserved for delegation (see delegation(boolean))");
      Arguments.requireUnset(tokenTypes.get(tokenType), "subjectTokenType " + tokenType);
      tokenTypes.put(tokenType, kind);
      return this;
    }

    /** Whether this broker's own grant tokens may be exchanged for sub-grants (delegation); default true. */
    public Builder delegation(boolean enabled) {
      this.delegation = Arguments.setOnce(this.delegation, enabled, "delegation");
      return this;
    }

    /** Who may call introspection and revocation; without one, both answer 401 {@code invalid_client}. */
    public Builder callerAuthorizer(CallerAuthorizer authorizer) {
      this.authorizer = Arguments.setOnce(this.authorizer, authorizer, "callerAuthorizer");
      return this;
    }

    /**
     * The token endpoint's public URL, which DPoP proofs must name in {@code htu}. Without it, requests
     * with a DPoP proof are refused ({@code invalid_dpop_proof}).
     */
    public Builder tokenEndpoint(URI endpoint) {
      Arguments.setOnce(this.tokenEndpoint, endpoint, "tokenEndpoint");
      Arguments.requireArgument(DpopProofs.canonicalHtu(endpoint.toString()) != null
              && endpoint.getRawQuery() == null && endpoint.getRawFragment() == null,
          "tokenEndpoint must be an absolute http(s) URL without query or fragment, got " + endpoint);
      this.tokenEndpoint = endpoint;
      return this;
    }

    /** The largest form accepted, in bytes: 1 KiB to 1 MiB, default 64 KiB. */
    public Builder maxFormBytes(int bytes) {
      Arguments.requireUnset(this.maxFormBytes, "maxFormBytes");
      this.maxFormBytes = Arguments.requireInRange(bytes, 1024, HttpRequest.MAX_FORM_BYTES, "maxFormBytes");
      return this;
    }

    /**
     * Whether the {@code error_description} of a refused request gives the broker's reasons (rule ids,
     * identity patterns, policy values, identity rejections). Default false: the caller learns only that
     * the request was refused and a correlation id; the reasons are in the broker's audit record
     * ({@code correlation_id}) and an INFO log line with the same id. Turn it on for development only: it
     * tells a caller how the policy is written.
     */
    public Builder denialDetails(boolean expose) {
      this.denialDetails = Arguments.setOnce(this.denialDetails, expose, "denialDetails");
      return this;
    }

    /** Builds the adapter from the options and the defaults; the builder is not changed. */
    public TokenExchange build() {
      Map<String, Credential.TokenType> types = new LinkedHashMap<>(tokenTypes);
      if (types.isEmpty()) {
        types.put(JWT_TYPE, Credential.TokenType.JWT_SVID);
        types.put(ID_TOKEN_TYPE, Credential.TokenType.OIDC);
      }
      return new TokenExchange(new ExchangeConfig(broker, clock != null ? clock : Clock.systemUTC(), defaultPurpose,
          defaultEnvironment, defaultTtl != null ? defaultTtl : DEFAULT_TTL, types, delegation == null || delegation,
          authorizer, tokenEndpoint, maxFormBytes != null ? maxFormBytes : DEFAULT_MAX_FORM_BYTES,
          denialDetails != null && denialDetails));
    }

    private static String text(String value, String name) {
      return Arguments.requireText(value, name, GrantRequest.MAX_TEXT_LENGTH);
    }
  }
}
