package dev.jitaccess.oauth;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.internal.Arguments;
import dev.jitaccess.internal.DpopProofs;
import dev.jitaccess.internal.Resources;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.oauth.CallerAuthorizer.Endpoint;

import static dev.jitaccess.oauth.OAuthErrors.error;
import static dev.jitaccess.oauth.OAuthErrors.invalidRequest;
import static dev.jitaccess.oauth.OAuthErrors.json;
import static dev.jitaccess.oauth.OAuthErrors.noStore;
import static dev.jitaccess.oauth.OAuthErrors.sanitizeToken;

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
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
  private static final Set<String> MULTI_VALUED = Set.of("resource", "audience");
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
  private final boolean denialDetails;
  private final DpopProofs dpop;
  private final GrantReader grants;

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
    this.denialDetails = b.denialDetails != null && b.denialDetails;
    this.dpop = new DpopProofs(clock, Duration.ofSeconds(60), null);
    this.grants = new GrantReader(broker, clock);
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
      if (tokenEndpoint == null) {
        return error(400, "invalid_dpop_proof", "DPoP is not enabled at this endpoint (no token endpoint URL configured)");
      }
      DpopProofs.Result checked = dpop.check(proof, new DpopProofs.Expectation(r.method(), tokenEndpoint.toString(), null, null, true));
      if (!checked.isGood()) {
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
    String correlationId = correlationId();
    try {
      GrantRequest.Builder b = GrantRequest.builder()
          .credential(credential(kind, x.subjectToken()))
          .taskId(x.taskId())
          .purpose(purpose)
          .resource(x.target())
          .actions(x.actions())
          .environment(environment)
          .ttl(x.ttl())
          .attribute(AuditEvent.CORRELATION_ID, correlationId);
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
      return denied(e, correlationId);
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
    boolean proofGiven = (x.proof() != null && tokenEndpoint != null) || x.peerCertificate() != null;
    GrantReader.Read read = grants.read(x.subjectToken(), proof).orElse(null);
    if (read == null || (!read.isLive() && read.rejection() != Verification.RejectionReason.PROOF_OF_POSSESSION)) {
      return invalidRequest("denied: the subject_token is not a live grant of this broker");
    }
    if (!read.isLive() || (read.record().isSenderConstrained() && !proofGiven)) {
      return invalidRequest("denied: the subject_token is sender-constrained; send its proof (a DPoP proof by its"
          + " key with ath, or its mTLS client certificate)");
    }
    GrantInfo parent = read.record();
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
    granted.retainAll(Objects.requireNonNullElse(actions(scopeOf(read.claims())), Set.of()));
    if (!granted.containsAll(x.actions())) {
      return error(400, "invalid_scope", "scope exceeds the subject_token's scope");
    }
    if (x.target() != null && !Resources.isWithin(x.target(), parent.resource())) {
      return error(400, "invalid_target", "the target is not within the subject_token's resource");
    }
    DelegationRequest request;
    try {
      // the broker verifies the subject_token (and its proof) itself: the grant id alone proves nothing
      DelegationRequest.Builder b = DelegationRequest.fromParentToken(Objects.requireNonNull(x.subjectToken()))
          .credential(credential(actorKind, x.actorToken()))
          .actions(x.actions())
          .ttl(x.ttl());
      if (x.target() != null) {
        b.resource(x.target());
      }
      if (x.dpopKey() != null) {
        b.dpopKey(x.dpopKey());
      }
      if (x.proof() != null && tokenEndpoint != null) {
        b.parentDpop(x.proof(), "POST", tokenEndpoint.toString());
      }
      if (x.peerCertificate() != null) {
        b.parentCertificate(x.peerCertificate());
      }
      request = b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      return invalidRequest(e.getMessage());
    }
    Grant grant;
    try {
      grant = broker.delegate(request);
    } catch (AccessDeniedException e) {
      return denied(e, correlationId());
    }
    return issued(grant);
  }

  private HttpResponse issued(Grant grant) {
    GrantInfo info = grant.info();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", grant.token());
    body.put("issued_token_type", ACCESS_TOKEN_TYPE);
    body.put("token_type", info.keyThumbprint().isPresent() ? "DPoP" : "Bearer");
    // the granted TTL, not the time left after signing (a 5-minute grant says 300, not 299)
    body.put("expires_in", Math.max(0, Duration.between(info.issuedAt(), info.expiresAt()).toSeconds()));
    body.put("scope", String.join(" ", new TreeSet<>(info.actions())));
    return json(200, body);
  }

  /**
   * A refused request, answered by its {@link dev.jitaccess.DenialCategory} through {@link DenialStatus}:
   * 503 {@code temporarily_unavailable} when a component is unavailable, 500 {@code server_error} for
   * another fault, 429 for a quota, otherwise 400 {@code invalid_request} as RFC 8693 section 2.2.2 asks.
   * The description is generic unless {@link Builder#denialDetails} is on (never for a fault); either way
   * it ends with the correlation id that the INFO log line and the broker's audit record also carry.
   */
  private HttpResponse denied(AccessDeniedException e, String correlationId) {
    Decision d = e.decision();
    String reasons = String.join("; ", d.reasons());
    LOG.info("token exchange {} denied ({}): {}", correlationId, e.category(), OAuthErrors.sanitize(reasons));
    String suffix = " (correlation id " + correlationId + ")";
    DenialStatus mapped = DenialStatus.of(e);
    if (mapped.status() >= 500) {
      return error(mapped.status(), mapped.error(), "the request could not be evaluated; nothing was issued" + suffix);
    }
    String why;
    if (d instanceof Decision.NeedsApproval) {
      why = "a human approval is required, which a token exchange cannot wait for";
    } else if (denialDetails) {
      why = reasons;
    } else if (mapped.status() == 429) {
      why = "too many live grants; retry when some have ended";
    } else if (mapped.error().equals("invalid_target")) {
      why = "no grant is issued for this resource or audience";
    } else {
      why = "the request was refused";
    }
    return error(mapped.status(), mapped.error(), "denied: " + why + suffix);
  }

  /** A new correlation id: 96 random bits, base64url. */
  private static String correlationId() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
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
      GrantReader.Read read = grants.read(token, null).orElse(null);
      if (read == null || !read.isLive()) {
        return json(200, Map.of("active", false));
      }
      return json(200, active(read.claims()));
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
      // a used single-use grant is authentic (REPLAYED comes only after the signature and record checks)
      grants.read(token, null)
          .filter(c -> c.isLive() || c.rejection() == Verification.RejectionReason.REPLAYED)
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
    private @Nullable Boolean denialDetails;

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
      if (DpopProofs.canonicalHtu(endpoint.toString()) == null
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

    /**
     * Whether the {@code error_description} of a refused request gives the broker's reasons (rule ids,
     * identity patterns, policy values, identity rejections). Default false: the caller learns only that
     * the request was refused and a correlation id; the reasons are in the broker's audit record
     * ({@code correlation_id}) and an INFO log line with the same id. Turn it on for development only: it
     * tells a caller how the policy is written.
     */
    public Builder denialDetails(boolean expose) {
      once(this.denialDetails, "denialDetails");
      this.denialDetails = expose;
      return this;
    }

    /** Builds the adapter. */
    public TokenExchange build() {
      return new TokenExchange(this);
    }

    /** An option is set at most once: the project's one check ({@link Arguments#requireUnset}). */
    private static void once(@Nullable Object current, String name) {
      Arguments.requireUnset(current, name);
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
