package dev.jitaccess;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.jitaccess.internal.GrantTokens;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
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
 * (the description starts with {@code denied:} and gives the decision's reasons);
 * {@code unsupported_grant_type}; {@code invalid_scope} for a missing or malformed scope, or one wider than
 * the delegated grant; {@code invalid_target} for several targets, a malformed resource, or one outside the
 * delegated grant; {@code invalid_dpop_proof} (RFC 9449) for a bad DPoP proof. 400 for all of these,
 * 401 {@code invalid_client} for refused callers, 405 for another method than POST, 415 for another
 * content type than {@code application/x-www-form-urlencoded}.
 *
 * <p><b>Introspection and revocation</b> answer only callers the {@link CallerAuthorizer} accepts; without
 * one they answer 401 {@code invalid_client} (fail closed). Introspection never consumes a single-use grant
 * and answers {@code {"active":false}} for anything that is not a live grant of this broker, without
 * saying why. Revocation answers 200 for any well-formed request and revokes the grant when the token is
 * an authentic grant token of this broker.
 *
 * <p>Introspection, revocation and delegation read the broker's grants without changing them: the
 * signature and claims with a stand-alone {@link GrantVerifier} built from {@link GrantBroker#publicJwks()},
 * liveness from the broker itself. That liveness check needs a broker built by {@link GrantBroker#builder()};
 * in front of any other {@link GrantBroker} implementation every token is reported inactive and delegation
 * is refused (fail closed). A used single-use grant is still reported active until it ends: the public API
 * does not tell whether it was used.
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
  private static final Set<String> MULTI_VALUED = Set.of("resource", "audience");
  private static final int MAX_ERROR_DESCRIPTION = 400;
  private static final long MAX_REQUESTED_TTL_SECONDS = Duration.ofHours(24).toSeconds();

  private final GrantBroker broker;
  private final Clock clock;
  private final @Nullable String defaultPurpose;
  private final @Nullable String defaultEnvironment;
  private final Duration defaultTtl;
  private final Map<String, Credential.TokenType> tokenTypes;
  private final boolean delegation;
  private final @Nullable CallerAuthorizer authorizer;
  private final @Nullable URI tokenEndpoint;
  private final int maxFormBytes;
  private final TokenExchangeDpop dpop;
  private final TokenExchangeGrants grants;

  private TokenExchange(Builder b) {
    this.broker = b.broker;
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.defaultPurpose = b.defaultPurpose;
    this.defaultEnvironment = b.defaultEnvironment;
    this.defaultTtl = b.defaultTtl != null ? b.defaultTtl : Duration.ofMinutes(5);
    Map<String, Credential.TokenType> types = new LinkedHashMap<>(b.tokenTypes);
    if (types.isEmpty()) {
      types.put(JWT_TYPE, Credential.TokenType.JWT_SVID);
      types.put(ID_TOKEN_TYPE, Credential.TokenType.OIDC);
    }
    this.tokenTypes = Collections.unmodifiableMap(types);
    this.delegation = b.delegation == null || b.delegation;
    this.authorizer = b.authorizer;
    this.tokenEndpoint = b.tokenEndpoint;
    this.maxFormBytes = b.maxFormBytes != null ? b.maxFormBytes : 64 * 1024;
    this.dpop = new TokenExchangeDpop(clock, Duration.ofSeconds(60), tokenEndpoint);
    this.grants = new TokenExchangeGrants(broker, clock);
  }

  /** Starts a builder for an adapter in front of {@code broker}. */
  public static Builder builder(GrantBroker broker) {
    return new Builder(broker);
  }

  /** The subject token types accepted as identity credentials, and the credential kind each maps to. */
  public Map<String, Credential.TokenType> subjectTokenTypes() {
    return tokenTypes;
  }

  // ---------------------------------------------------------------- token exchange (RFC 8693)

  /**
   * The token endpoint: answers a token-exchange request with an RFC 8693 response (200) or an RFC 6749
   * error. Never throws for bad input; an unexpected failure answers 500 {@code server_error}.
   */
  public HttpResponse exchange(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    try {
      return doExchange(request);
    } catch (RuntimeException e) {
      LOG.warn("token exchange failed with {}; nothing issued", e.getClass().getName());
      return error(500, "server_error", "the token exchange failed; nothing was issued");
    }
  }

  private HttpResponse doExchange(HttpRequest r) {
    HttpResponse bad = checkTransport(r);
    if (bad != null) {
      return bad;
    }
    Map<String, List<String>> p = r.form();
    String repeated = repeated(p, MULTI_VALUED);
    if (repeated != null) {
      return invalidRequest("parameter " + repeated + " is repeated");
    }
    String grantType = first(p, "grant_type");
    if (grantType == null) {
      return invalidRequest("grant_type is required");
    }
    if (!GRANT_TYPE.equals(grantType)) {
      return error(400, "unsupported_grant_type", "only the token-exchange grant type is supported");
    }
    String subjectToken = first(p, "subject_token");
    String subjectType = first(p, "subject_token_type");
    if (subjectToken == null || subjectType == null) {
      return invalidRequest("subject_token and subject_token_type are required");
    }
    String actorToken = first(p, "actor_token");
    String actorType = first(p, "actor_token_type");
    if ((actorToken == null) != (actorType == null)) {
      return invalidRequest("actor_token and actor_token_type must be sent together");
    }
    String requestedType = first(p, "requested_token_type");
    if (requestedType != null && !ACCESS_TOKEN_TYPE.equals(requestedType)) {
      return invalidRequest("requested_token_type must be " + ACCESS_TOKEN_TYPE);
    }
    String scope = first(p, "scope");
    if (scope == null) {
      return error(400, "invalid_scope", "scope is required: the actions the grant is for");
    }
    Set<String> actions = actions(scope);
    if (actions == null) {
      return error(400, "invalid_scope", "scope must be space-separated scope tokens");
    }
    Set<String> targets = new LinkedHashSet<>();
    for (String resource : p.getOrDefault("resource", List.of())) {
      if (!isResourceUri(resource)) {
        return error(400, "invalid_target", "resource must be an absolute URI without a fragment");
      }
      targets.add(resource);
    }
    targets.addAll(p.getOrDefault("audience", List.of()));
    if (targets.size() > 1) {
      return error(400, "invalid_target", "name exactly one resource or audience; a grant has one target");
    }
    String target = targets.isEmpty() ? null : targets.iterator().next();
    String taskId = first(p, TASK_ID);
    if (taskId == null) {
      return invalidRequest(TASK_ID + " is required: a grant is bound to one task");
    }
    Duration ttl = defaultTtl;
    String rawTtl = first(p, REQUESTED_TTL);
    if (rawTtl != null) {
      ttl = seconds(rawTtl);
      if (ttl == null) {
        return invalidRequest(REQUESTED_TTL + " must be a whole number of seconds from 1 to " + MAX_REQUESTED_TTL_SECONDS);
      }
    }
    List<String> proofs = r.headers().getOrDefault("dpop", List.of());
    String proof = null;
    String dpopKey = null;
    if (proofs.size() > 1) {
      return error(400, "invalid_dpop_proof", "send at most one DPoP header");
    }
    if (proofs.size() == 1) {
      proof = proofs.get(0);
      TokenExchangeDpop.Result checked = dpop.check(proof, r.method());
      if (checked.problem() != null) {
        return error(400, "invalid_dpop_proof", checked.problem());
      }
      dpopKey = checked.publicJwk();
    }
    Exchange x = new Exchange(subjectToken, actorToken, actorType, actions, target, taskId, first(p, PURPOSE),
        first(p, ENVIRONMENT), ttl, proof, dpopKey, r.peerCertificate().orElse(null));
    if (ACCESS_TOKEN_TYPE.equals(subjectType)) {
      if (!delegation) {
        return invalidRequest("subject_token_type " + subjectType + " (delegation) is not enabled");
      }
      return delegate(x);
    }
    Credential.TokenType kind = tokenTypes.get(subjectType);
    if (kind == null) {
      return invalidRequest("subject_token_type " + subjectType + " is not supported");
    }
    return direct(x, kind);
  }

  private record Exchange(String subjectToken, @Nullable String actorToken, @Nullable String actorType,
      Set<String> actions, @Nullable String target, String taskId, @Nullable String purpose,
      @Nullable String environment, Duration ttl, @Nullable String proof, @Nullable String dpopKey,
      @Nullable X509Certificate peerCertificate) {}

  private HttpResponse direct(Exchange x, Credential.TokenType kind) {
    if (x.actorToken() != null) {
      return invalidRequest("actor_token is accepted only with an access_token subject_token (delegation)");
    }
    if (x.target() == null) {
      return invalidRequest("resource or audience is required");
    }
    String purpose = x.purpose() != null ? x.purpose() : defaultPurpose;
    String environment = x.environment() != null ? x.environment() : defaultEnvironment;
    if (purpose == null) {
      return invalidRequest(PURPOSE + " is required");
    }
    if (environment == null) {
      return invalidRequest(ENVIRONMENT + " is required");
    }
    GrantRequest request;
    try {
      GrantRequest.Builder b = GrantRequest.builder()
          .credential(credential(kind, x.subjectToken()))
          .taskId(x.taskId())
          .purpose(purpose)
          .resource(x.target())
          .actions(x.actions())
          .environment(environment)
          .ttl(x.ttl());
      if (x.dpopKey() != null) {
        b.dpopKey(x.dpopKey());
      }
      request = b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      return invalidRequest(e.getMessage());
    }
    Grant grant;
    try {
      grant = broker.request(request);
    } catch (AccessDeniedException e) {
      return denied(e);
    }
    return issued(grant);
  }

  private HttpResponse delegate(Exchange x) {
    if (x.actorToken() == null) {
      return invalidRequest("delegation needs the delegate's credential as actor_token");
    }
    Credential.TokenType actorKind = tokenTypes.get(x.actorType());
    if (actorKind == null) {
      return invalidRequest("actor_token_type " + x.actorType() + " is not supported");
    }
    Consumer<VerificationRequest.Builder> proof = b -> {
      if (x.proof() != null && tokenEndpoint != null) {
        b.dpop(x.proof(), "POST", tokenEndpoint.toString());
      }
      if (x.peerCertificate() != null) {
        b.peerCertificate(x.peerCertificate());
      }
    };
    TokenExchangeGrants.Checked checked = grants.check(x.subjectToken(), proof).orElse(null);
    if (checked == null || !checked.authentic() || !grants.isLive(checked)) {
      return invalidRequest("denied: the subject_token is not a live grant of this broker");
    }
    if (!checked.fullyVerified()) {
      return invalidRequest("denied: the subject_token is sender-constrained; send its proof (a DPoP proof by its"
          + " key with ath, or its mTLS client certificate)");
    }
    GrantInfo parent = checked.record();
    if (!parent.taskId().equals(x.taskId())) {
      return invalidRequest(TASK_ID + " does not match the subject_token's task");
    }
    if (x.purpose() != null && !parent.purpose().equals(x.purpose())) {
      return invalidRequest(PURPOSE + " of a sub-grant is the subject_token's; it cannot change");
    }
    if (x.environment() != null && !parent.environment().equals(x.environment())) {
      return invalidRequest(ENVIRONMENT + " of a sub-grant is the subject_token's; it cannot change");
    }
    Set<String> granted = new LinkedHashSet<>(parent.actions());
    granted.retainAll(actions(scopeOf(checked.claims())));
    if (!granted.containsAll(x.actions())) {
      return error(400, "invalid_scope", "scope exceeds the subject_token's scope");
    }
    if (x.target() != null && !x.target().equals(parent.resource()) && !x.target().startsWith(parent.resource() + "/")) {
      return error(400, "invalid_target", "the target is not within the subject_token's resource");
    }
    DelegationRequest request;
    try {
      DelegationRequest.Builder b = DelegationRequest.builder(parent.grantId())
          .credential(credential(actorKind, x.actorToken()))
          .actions(x.actions())
          .ttl(x.ttl());
      if (x.target() != null) {
        b.resource(x.target());
      }
      if (x.dpopKey() != null) {
        b.dpopKey(x.dpopKey());
      }
      request = b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      return invalidRequest(e.getMessage());
    }
    Grant grant;
    try {
      grant = broker.delegate(request);
    } catch (AccessDeniedException e) {
      return denied(e);
    }
    return issued(grant);
  }

  private HttpResponse issued(Grant grant) {
    GrantInfo info = grant.info();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", grant.token());
    body.put("issued_token_type", ACCESS_TOKEN_TYPE);
    body.put("token_type", info.keyThumbprint().isPresent() ? "DPoP" : "Bearer");
    body.put("expires_in", Math.max(0, Duration.between(clock.instant(), info.expiresAt()).toSeconds()));
    body.put("scope", String.join(" ", new TreeSet<>(info.actions())));
    return json(200, body);
  }

  private static HttpResponse denied(AccessDeniedException e) {
    Decision d = e.decision();
    String why = e.getCause() != null
        ? "the request could not be evaluated; nothing was issued"
        : String.join("; ", d.reasons());
    if (d instanceof Decision.NeedsApproval) {
      why = "a human approval is required, which a token exchange cannot wait for";
    }
    return invalidRequest("denied: " + why);
  }

  private static Credential credential(Credential.TokenType kind, String token) {
    return kind == Credential.TokenType.OIDC ? Credential.oidcToken(token) : Credential.jwtSvid(token);
  }

  // ---------------------------------------------------------------- introspection (RFC 7662)

  /**
   * The introspection endpoint: {@code {"active":true,...}} for a live grant token of this broker,
   * {@code {"active":false}} for anything else. Does not consume single-use grants.
   */
  public HttpResponse introspect(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    try {
      HttpResponse bad = checkCaller(request, Endpoint.INTROSPECTION);
      if (bad != null) {
        return bad;
      }
      String token = first(request.form(), "token");
      TokenExchangeGrants.Checked checked = grants.check(token, null).orElse(null);
      if (checked == null || !grants.isLive(checked)) {
        return json(200, Map.of("active", false));
      }
      return json(200, active(checked.claims()));
    } catch (RuntimeException e) {
      LOG.warn("token introspection failed with {}; answered inactive", e.getClass().getName());
      return json(200, Map.of("active", false));
    }
  }

  private static Map<String, Object> active(JWTClaimsSet c) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("active", true);
    body.put("scope", scopeOf(c));
    putIfPresent(body, "client_id", c.getClaim(GrantTokens.CLIENT_ID));
    body.put("sub", c.getSubject());
    List<String> aud = c.getAudience();
    body.put("aud", aud.size() == 1 ? aud.get(0) : aud);
    body.put("iss", c.getIssuer());
    body.put("exp", epoch(c.getExpirationTime()));
    putIfPresent(body, "iat", epoch(c.getIssueTime()));
    putIfPresent(body, "nbf", epoch(c.getNotBeforeTime()));
    body.put("jti", c.getJWTID());
    Object cnf = c.getClaim(GrantTokens.CNF);
    boolean dpopBound = cnf instanceof Map && ((Map<?, ?>) cnf).containsKey(GrantTokens.JKT);
    body.put("token_type", dpopBound ? "DPoP" : "Bearer");
    putIfPresent(body, GrantTokens.TXN, c.getClaim(GrantTokens.TXN));
    putIfPresent(body, GrantTokens.CNF, cnf);
    putIfPresent(body, GrantTokens.ACT, c.getClaim(GrantTokens.ACT));
    return body;
  }

  // ---------------------------------------------------------------- revocation (RFC 7009)

  /**
   * The revocation endpoint: revokes the grant when {@code token} is an authentic grant token of this
   * broker, and answers 200 for every well-formed request from an authorized caller, known token or not.
   */
  public HttpResponse revoke(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    try {
      HttpResponse bad = checkCaller(request, Endpoint.REVOCATION);
      if (bad != null) {
        return bad;
      }
      String token = first(request.form(), "token");
      grants.check(token, null)
          .filter(TokenExchangeGrants.Checked::authentic)
          .ifPresent(c -> {
            if (broker.revoke(c.record().grantId())) {
              LOG.info("grant {} revoked through the revocation endpoint", c.record().grantId());
            }
          });
      return new HttpResponse(200, noStore(Map.of()), "");
    } catch (RuntimeException e) {
      LOG.warn("token revocation failed with {}", e.getClass().getName());
      return error(500, "server_error", "the revocation could not be completed");
    }
  }

  /** Method, content type, caller, form, and the {@code token} parameter of introspection and revocation. */
  private @Nullable HttpResponse checkCaller(HttpRequest request, Endpoint endpoint) {
    HttpResponse bad = checkMethodAndType(request);
    if (bad != null) {
      return bad;
    }
    boolean allowed = false;
    if (authorizer != null) {
      try {
        allowed = authorizer.isAllowed(endpoint, request);
      } catch (RuntimeException e) {
        LOG.warn("caller authorizer failed with {}; caller refused", e.getClass().getName());
      }
    }
    if (!allowed) {
      Map<String, String> headers = new LinkedHashMap<>();
      String scheme = request.headers().getOrDefault("authorization", List.of("Basic")).get(0).split(" ", 2)[0];
      headers.put("WWW-Authenticate", sanitizeToken(scheme) + " realm=\"jit-access\"");
      return error(401, "invalid_client", "the caller is not authorized for " + endpoint.path(), headers);
    }
    bad = checkForm(request);
    if (bad != null) {
      return bad;
    }
    String repeated = repeated(request.form(), Set.of());
    if (repeated != null) {
      return invalidRequest("parameter " + repeated + " is repeated");
    }
    if (first(request.form(), "token") == null) {
      return invalidRequest("token is required");
    }
    return null;
  }

  // ---------------------------------------------------------------- shared request checks

  private @Nullable HttpResponse checkTransport(HttpRequest r) {
    HttpResponse bad = checkMethodAndType(r);
    return bad != null ? bad : checkForm(r);
  }

  private static @Nullable HttpResponse checkMethodAndType(HttpRequest r) {
    if (!"POST".equals(r.method())) {
      return error(405, "invalid_request", "use POST", Map.of("Allow", "POST"));
    }
    String type = r.contentType().orElse("");
    String[] parts = type.split(";", -1);
    if (!parts[0].trim().toLowerCase(Locale.ROOT).equals(FORM_CONTENT_TYPE)) {
      return error(415, "invalid_request", "the content type must be " + FORM_CONTENT_TYPE);
    }
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].trim().toLowerCase(Locale.ROOT);
      if (param.startsWith("charset=") && !param.equals("charset=utf-8") && !param.equals("charset=\"utf-8\"")) {
        return error(415, "invalid_request", "the form must be UTF-8");
      }
    }
    return null;
  }

  private @Nullable HttpResponse checkForm(HttpRequest r) {
    if (r.formProblem != null) {
      return invalidRequest(r.formProblem);
    }
    if (r.formBytes > maxFormBytes) {
      return invalidRequest("the form is larger than " + maxFormBytes + " bytes");
    }
    return null;
  }

  /** The first parameter that RFC 6749 section 3.2 forbids to repeat, or null. */
  private static @Nullable String repeated(Map<String, List<String>> p, Set<String> multiValued) {
    for (Map.Entry<String, List<String>> e : p.entrySet()) {
      if (e.getValue().size() > 1 && !multiValued.contains(e.getKey())) {
        return sanitizeToken(e.getKey());
      }
    }
    return null;
  }

  private static @Nullable String first(Map<String, List<String>> p, String name) {
    List<String> values = p.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** RFC 6749 section 3.3 scope tokens; null when malformed. */
  private static @Nullable Set<String> actions(String scope) {
    Set<String> out = new LinkedHashSet<>();
    for (String token : scope.split(" ", -1)) {
      if (token.isEmpty()) {
        return null;
      }
      for (int i = 0; i < token.length(); i++) {
        char c = token.charAt(i);
        if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
          return null;
        }
      }
      out.add(token);
    }
    return out.isEmpty() ? null : out;
  }

  private static String scopeOf(JWTClaimsSet c) {
    Object scope = c.getClaim(GrantTokens.SCOPE);
    return scope instanceof String s ? s : "";
  }

  private static boolean isResourceUri(String value) {
    try {
      URI uri = new URI(value);
      return uri.isAbsolute() && uri.getRawFragment() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static @Nullable Duration seconds(String raw) {
    if (raw.isEmpty() || raw.length() > 6 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    long s = Long.parseLong(raw);
    return s < 1 || s > MAX_REQUESTED_TTL_SECONDS ? null : Duration.ofSeconds(s);
  }

  private static @Nullable Long epoch(@Nullable Date d) {
    return d == null ? null : d.toInstant().getEpochSecond();
  }

  private static void putIfPresent(Map<String, Object> m, String key, @Nullable Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }

  // ---------------------------------------------------------------- responses

  private static HttpResponse invalidRequest(@Nullable String description) {
    return error(400, "invalid_request", description);
  }

  private static HttpResponse error(int status, String code, @Nullable String description) {
    return error(status, code, description, Map.of());
  }

  private static HttpResponse error(int status, String code, @Nullable String description, Map<String, String> extra) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("error_description", sanitize(description));
    Map<String, String> headers = new LinkedHashMap<>(extra);
    headers.put("Content-Type", "application/json;charset=UTF-8");
    return new HttpResponse(status, noStore(headers), JSONObjectUtils.toJSONString(body));
  }

  private static HttpResponse json(int status, Map<String, Object> body) {
    return new HttpResponse(status, noStore(Map.of("Content-Type", "application/json;charset=UTF-8")),
        JSONObjectUtils.toJSONString(body));
  }

  private static Map<String, String> noStore(Map<String, String> headers) {
    Map<String, String> out = new LinkedHashMap<>(headers);
    out.put("Cache-Control", "no-store");
    out.put("Pragma", "no-cache");
    return out;
  }

  /** RFC 6749 section 5.2: error_description is %x20-21 / %x23-5B / %x5D-7E; anything else becomes '?'. */
  static String sanitize(@Nullable String text) {
    String s = text == null ? "" : text;
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_ERROR_DESCRIPTION));
    for (int i = 0; i < s.length() && b.length() < MAX_ERROR_DESCRIPTION; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? c : '?');
    }
    return b.toString();
  }

  private static String sanitizeToken(String text) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length() && i < 64; i++) {
      char c = text.charAt(i);
      b.append(Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' ? c : '?');
    }
    return b.length() == 0 ? "Basic" : b.toString();
  }

  // ---------------------------------------------------------------- public nested types

  /** The endpoints a {@link CallerAuthorizer} is asked about. */
  public enum Endpoint {
    /** RFC 7662 token introspection. */
    INTROSPECTION("introspection"),
    /** RFC 7009 token revocation. */
    REVOCATION("revocation");

    private final String path;

    Endpoint(String path) {
      this.path = path;
    }

    String path() {
      return path;
    }
  }

  /**
   * Decides whether the caller of introspection or revocation is allowed, for example by a client
   * credential in the {@code Authorization} header or the mTLS peer certificate. Must be thread-safe. An
   * exception means "not allowed". An allowed caller may introspect and revoke every grant of the broker.
   */
  @FunctionalInterface
  public interface CallerAuthorizer {
    /** Whether this request's caller may use {@code endpoint}. */
    boolean isAllowed(Endpoint endpoint, HttpRequest request);
  }

  /**
   * An HTTP request as the adapter needs it: method, content type, headers (names lower-cased), the form
   * parameters, and the mTLS peer certificate if any. Immutable. A form that cannot be read does not make
   * building fail: the endpoint answers {@code invalid_request}. {@code toString()} shows parameter names
   * only, never values (they carry tokens).
   */
  public static final class HttpRequest {
    /** The largest form body parsed at all, in bytes; the endpoint's own limit is usually lower. */
    public static final int MAX_FORM_BYTES = 1 << 20;

    private final String method;
    private final @Nullable String contentType;
    private final Map<String, List<String>> headers;
    private final Map<String, List<String>> form;
    final int formBytes;
    final @Nullable String formProblem;
    private final @Nullable X509Certificate peerCertificate;

    private HttpRequest(Builder b, TokenExchangeForm.Parsed parsed) {
      this.method = b.method;
      Map<String, List<String>> h = new LinkedHashMap<>();
      b.headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
      this.headers = Collections.unmodifiableMap(h);
      @Nullable String type = b.contentType;
      if (type == null && headers.containsKey("content-type")) {
        type = headers.get("content-type").get(0);
      }
      this.contentType = type;
      this.form = parsed.parameters();
      this.formBytes = parsed.bytes();
      this.formProblem = parsed.problem();
      this.peerCertificate = b.peerCertificate;
    }

    /** Starts a builder for a request with this HTTP method (for example {@code POST}). */
    public static Builder builder(String method) {
      return new Builder(method);
    }

    /**
     * A POST request with an {@code application/x-www-form-urlencoded} body, parsed strictly: at most
     * {@link #MAX_FORM_BYTES}, valid percent-encoding and UTF-8, parameters without a value dropped.
     *
     * @param body the raw form body
     * @param contentType the {@code Content-Type} header, or null if the request had none
     * @param headers the other request headers (any name case), for example {@code Authorization} and {@code DPoP}
     */
    public static HttpRequest fromForm(String body, @Nullable String contentType, Map<String, ? extends Collection<String>> headers) {
      Objects.requireNonNull(body, "body");
      Objects.requireNonNull(headers, "headers");
      Builder b = builder("POST").formBody(body);
      if (contentType != null) {
        b.contentType(contentType);
      }
      headers.forEach((name, values) -> {
        Objects.requireNonNull(values, "header values");
        values.forEach(v -> b.header(name, v));
      });
      return b.build();
    }

    /** The HTTP method. */
    public String method() {
      return method;
    }

    /** The {@code Content-Type}, if the request had one. */
    public Optional<String> contentType() {
      return Optional.ofNullable(contentType);
    }

    /** Every header, by lower-cased name, values in order. */
    public Map<String, List<String>> headers() {
      return headers;
    }

    /** The first value of a header (any name case), if present. */
    public Optional<String> header(String name) {
      Objects.requireNonNull(name, "name");
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The form parameters with every value in order; empty when the form could not be read. */
    public Map<String, List<String>> form() {
      return form;
    }

    /** The mutual-TLS client certificate, if the connection had one. */
    public Optional<X509Certificate> peerCertificate() {
      return Optional.ofNullable(peerCertificate);
    }

    @Override
    public String toString() {
      return "HttpRequest[" + method + ", contentType=" + contentType + ", parameters=" + form.keySet()
          + ", headers=" + headers.keySet() + (peerCertificate == null ? "" : ", peerCertificate=present")
          + (formProblem == null ? "" : ", malformed") + "]";
    }

    /** Builds an {@link HttpRequest}; the form comes either as a raw body or as decoded parameters. Not thread-safe. */
    public static final class Builder {
      private final String method;
      private @Nullable String contentType;
      private final Map<String, List<String>> headers = new LinkedHashMap<>();
      private @Nullable String formBody;
      private final Map<String, List<String>> parameters = new LinkedHashMap<>();
      private @Nullable X509Certificate peerCertificate;

      private Builder(String method) {
        Objects.requireNonNull(method, "method");
        if (method.isEmpty() || method.length() > 16 || !method.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
          throw new IllegalArgumentException("method must be an HTTP method token, got '" + TokenExchange.sanitize(method) + "'");
        }
        this.method = method;
      }

      /** The {@code Content-Type} header; otherwise a {@code content-type} header, if added. */
      public Builder contentType(String contentType) {
        Objects.requireNonNull(contentType, "contentType");
        if (this.contentType != null) {
          throw new IllegalStateException("contentType was already set");
        }
        this.contentType = contentType;
        return this;
      }

      /** Adds a header value; names are case-insensitive. */
      public Builder header(String name, String value) {
        Objects.requireNonNull(name, "header name");
        Objects.requireNonNull(value, "header value");
        if (name.isBlank() || name.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f || c == ':')) {
          throw new IllegalArgumentException("header name must be a token, got '" + TokenExchange.sanitize(name) + "'");
        }
        headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
        return this;
      }

      /** The raw {@code application/x-www-form-urlencoded} body; not with {@link #formParameter}. */
      public Builder formBody(String body) {
        Objects.requireNonNull(body, "formBody");
        if (this.formBody != null) {
          throw new IllegalStateException("formBody was already set");
        }
        if (!parameters.isEmpty()) {
          throw new IllegalStateException("formBody cannot be combined with formParameter");
        }
        this.formBody = body;
        return this;
      }

      /** Adds a form parameter a framework already decoded; not with {@link #formBody}. */
      public Builder formParameter(String name, String value) {
        Objects.requireNonNull(name, "parameter name");
        Objects.requireNonNull(value, "parameter value");
        if (formBody != null) {
          throw new IllegalStateException("formParameter cannot be combined with formBody");
        }
        parameters.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        return this;
      }

      /** The mutual-TLS client certificate. */
      public Builder peerCertificate(X509Certificate certificate) {
        Objects.requireNonNull(certificate, "peerCertificate");
        if (this.peerCertificate != null) {
          throw new IllegalStateException("peerCertificate was already set");
        }
        this.peerCertificate = certificate;
        return this;
      }

      /** Builds the request, parsing the form. Never fails for a malformed form (see {@link HttpRequest}). */
      public HttpRequest build() {
        TokenExchangeForm.Parsed parsed = formBody != null
            ? TokenExchangeForm.parse(formBody, MAX_FORM_BYTES)
            : TokenExchangeForm.of(parameters, MAX_FORM_BYTES);
        return new HttpRequest(this, parsed);
      }
    }
  }

  /**
   * What to send back: the status, the headers (always {@code Cache-Control: no-store} and
   * {@code Pragma: no-cache}; {@code Content-Type: application/json} with a body), and the body.
   * {@code toString()} never shows the body (it may carry a token).
   *
   * @param status the HTTP status
   * @param headers the response headers
   * @param body the JSON body, or empty
   */
  public record HttpResponse(int status, Map<String, String> headers, String body) {
    /** Checks and copies. */
    public HttpResponse {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("status must be between 100 and 599, got " + status);
      }
      Objects.requireNonNull(headers, "headers");
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
      Objects.requireNonNull(body, "body");
    }

    @Override
    public String toString() {
      return "HttpResponse[status=" + status + ", headers=" + headers + ", body=<" + body.length() + " chars>]";
    }
  }

  /**
   * Builds a {@link TokenExchange}. Every option may be set once; nulls, bad ranges and repeated options
   * are refused with a message naming the option. Not thread-safe.
   */
  public static final class Builder {
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

    private Builder(GrantBroker broker) {
      this.broker = Objects.requireNonNull(broker, "broker");
    }

    /** The clock for DPoP proof freshness and {@code expires_in}; use the broker's. Defaults to the system UTC clock. */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      once(this.clock, "clock");
      this.clock = clock;
      return this;
    }

    /** The purpose of a grant whose request has no {@value TokenExchange#PURPOSE} parameter. */
    public Builder defaultPurpose(String purpose) {
      once(this.defaultPurpose, "defaultPurpose");
      this.defaultPurpose = text(purpose, "defaultPurpose");
      return this;
    }

    /** The environment of a grant whose request has no {@value TokenExchange#ENVIRONMENT} parameter. */
    public Builder defaultEnvironment(String environment) {
      once(this.defaultEnvironment, "defaultEnvironment");
      this.defaultEnvironment = text(environment, "defaultEnvironment");
      return this;
    }

    /** The TTL asked for when the request has no {@value TokenExchange#REQUESTED_TTL}; 1 second to 24 hours, default 5 minutes. */
    public Builder defaultTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "defaultTtl");
      once(this.defaultTtl, "defaultTtl");
      if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("defaultTtl must be between 1 second and 24 hours, got " + ttl);
      }
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
      if (ACCESS_TOKEN_TYPE.equals(tokenType)) {
        throw new IllegalArgumentException(ACCESS_TOKEN_TYPE + " is reserved for delegation (see delegation(boolean))");
      }
      if (tokenTypes.containsKey(tokenType)) {
        throw new IllegalStateException("subjectTokenType " + tokenType + " was already set");
      }
      tokenTypes.put(tokenType, kind);
      return this;
    }

    /** Whether this broker's own grant tokens may be exchanged for sub-grants (delegation); default true. */
    public Builder delegation(boolean enabled) {
      once(this.delegation, "delegation");
      this.delegation = enabled;
      return this;
    }

    /** Who may call introspection and revocation; without one, both answer 401 {@code invalid_client}. */
    public Builder callerAuthorizer(CallerAuthorizer authorizer) {
      Objects.requireNonNull(authorizer, "callerAuthorizer");
      once(this.authorizer, "callerAuthorizer");
      this.authorizer = authorizer;
      return this;
    }

    /**
     * The token endpoint's public URL, which DPoP proofs must name in {@code htu}. Without it, requests
     * with a DPoP proof are refused ({@code invalid_dpop_proof}).
     */
    public Builder tokenEndpoint(URI endpoint) {
      Objects.requireNonNull(endpoint, "tokenEndpoint");
      once(this.tokenEndpoint, "tokenEndpoint");
      String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
      if (!endpoint.isAbsolute() || endpoint.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))
          || endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
        throw new IllegalArgumentException("tokenEndpoint must be an absolute http(s) URL without query or fragment, got " + endpoint);
      }
      this.tokenEndpoint = endpoint;
      return this;
    }

    /** The largest form accepted, in bytes: 1 KiB to 1 MiB, default 64 KiB. */
    public Builder maxFormBytes(int bytes) {
      once(this.maxFormBytes, "maxFormBytes");
      if (bytes < 1024 || bytes > HttpRequest.MAX_FORM_BYTES) {
        throw new IllegalArgumentException("maxFormBytes must be between 1024 and " + HttpRequest.MAX_FORM_BYTES + ", got " + bytes);
      }
      this.maxFormBytes = bytes;
      return this;
    }

    /** Builds the adapter. */
    public TokenExchange build() {
      return new TokenExchange(this);
    }

    private static void once(@Nullable Object current, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " was already set");
      }
    }

    private static String text(String value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank");
      }
      if (value.length() > 512 || value.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException(name + " must be at most 512 characters without control characters");
      }
      return value;
    }
  }
}
