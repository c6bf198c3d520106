package dev.jitaccess.oauth;

import static dev.jitaccess.oauth.OAuthErrors.error;
import static dev.jitaccess.oauth.OAuthErrors.invalidRequest;
import static dev.jitaccess.oauth.RequestChecks.first;

import dev.jitaccess.internal.DpopProofs;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The parameters of one token-exchange request (RFC 8693 section 2.1), read and checked from the form
 * and the {@code DPoP} header before the broker sees them: what {@link #read} accepts is well-formed,
 * names at most one target, and carries a verified DPoP proof when it carries one at all.
 *
 * @param subjectToken the {@code subject_token}
 * @param subjectType the {@code subject_token_type}
 * @param actorToken the {@code actor_token}, or null
 * @param actorType the {@code actor_token_type}, or null (sent with the actor token)
 * @param actions the scope tokens
 * @param target the one {@code resource} or {@code audience}, or null
 * @param taskId the task
 * @param purpose the purpose parameter, or null
 * @param environment the environment parameter, or null
 * @param ttl the requested TTL, or the configured default
 * @param proof the DPoP proof, or null
 * @param dpopKey the public JWK of a verified DPoP proof, or null
 * @param peerCertificate the mTLS client certificate, or null
 */
record ExchangeParameters(String subjectToken, String subjectType, @Nullable String actorToken,
    @Nullable String actorType, Set<String> actions, @Nullable String target, String taskId,
    @Nullable String purpose, @Nullable String environment, Duration ttl, @Nullable String proof,
    @Nullable String dpopKey, @Nullable X509Certificate peerCertificate) {
  /** The parameters that may be repeated (RFC 8693 section 2.1); {@link #read} still allows one target. */
  private static final Set<String> MULTI_VALUED = Set.of("resource", "audience");
  /** The longest {@value TokenExchange#REQUESTED_TTL}, in seconds. */
  static final long MAX_REQUESTED_TTL_SECONDS = Duration.ofHours(24).toSeconds();

  /**
   * What {@link #read} made of a request: the parameters, or the error response. Exactly one is present.
   *
   * @param parameters the parameters, or null
   * @param error the error response, or null
   */
  record Read(@Nullable ExchangeParameters parameters, @Nullable HttpResponse error) {
    static Read refused(HttpResponse error) {
      return new Read(null, Objects.requireNonNull(error, "error"));
    }
  }

  /** Reads the token-exchange parameters of a request whose transport already passed. */
  static Read read(HttpRequest r, ExchangeConfig config, DpopProofs dpop) {
    Map<String, List<String>> p = r.form();
    HttpResponse repeated = RequestChecks.repeated(p, MULTI_VALUED);
    if (repeated != null) {
      return Read.refused(repeated);
    }
    String grantType = first(p, "grant_type");
    if (grantType == null) {
      return Read.refused(invalidRequest("grant_type is required"));
    }
    if (!TokenExchange.GRANT_TYPE.equals(grantType)) {
      return Read.refused(error(400, "unsupported_grant_type", "only the token-exchange grant type is supported"));
    }
    String subjectToken = first(p, "subject_token");
    String subjectType = first(p, "subject_token_type");
    if (subjectToken == null || subjectType == null) {
      return Read.refused(invalidRequest("subject_token and subject_token_type are required"));
    }
    String actorToken = first(p, "actor_token");
    String actorType = first(p, "actor_token_type");
    if ((actorToken == null) != (actorType == null)) {
      return Read.refused(invalidRequest("actor_token and actor_token_type must be sent together"));
    }
    String requestedType = first(p, "requested_token_type");
    if (requestedType != null && !TokenExchange.ACCESS_TOKEN_TYPE.equals(requestedType)) {
      return Read.refused(invalidRequest("requested_token_type must be " + TokenExchange.ACCESS_TOKEN_TYPE));
    }
    String scope = first(p, "scope");
    if (scope == null) {
      return Read.refused(error(400, "invalid_scope", "scope is required: the actions the grant is for"));
    }
    Set<String> actions = scopeTokens(scope);
    if (actions == null) {
      return Read.refused(error(400, "invalid_scope", "scope must be space-separated scope tokens"));
    }
    Set<String> targets = new LinkedHashSet<>();
    for (String resource : p.getOrDefault("resource", List.of())) {
      if (!isResourceUri(resource)) {
        return Read.refused(error(400, "invalid_target", "resource must be an absolute URI without a fragment"));
      }
      targets.add(resource);
    }
    targets.addAll(p.getOrDefault("audience", List.of()));
    if (targets.size() > 1) {
      return Read.refused(error(400, "invalid_target", "name exactly one resource or audience; a grant has one target"));
    }
    String target = targets.isEmpty() ? null : targets.iterator().next();
    String taskId = first(p, TokenExchange.TASK_ID);
    if (taskId == null) {
      return Read.refused(invalidRequest(TokenExchange.TASK_ID + " is required: a grant is bound to one task"));
    }
    Duration ttl = config.defaultTtl();
    String rawTtl = first(p, TokenExchange.REQUESTED_TTL);
    if (rawTtl != null) {
      ttl = seconds(rawTtl);
      if (ttl == null) {
        return Read.refused(invalidRequest(TokenExchange.REQUESTED_TTL + " must be a whole number of seconds from 1 to "
            + MAX_REQUESTED_TTL_SECONDS));
      }
    }
    List<String> proofs = r.headers().getOrDefault("dpop", List.of());
    String proof = null;
    String dpopKey = null;
    if (proofs.size() > 1) {
      return Read.refused(error(400, "invalid_dpop_proof", "send at most one DPoP header"));
    }
    if (proofs.size() == 1) {
      proof = proofs.get(0);
      String htu = config.htu();
      if (htu == null) {
        return Read.refused(error(400, "invalid_dpop_proof",
            "DPoP is not enabled at this endpoint (no token endpoint URL configured)"));
      }
      DpopProofs.Result checked = dpop.check(proof, new DpopProofs.Expectation(r.method(), htu, null, null, true));
      if (!checked.isGood()) {
        return Read.refused(error(400, "invalid_dpop_proof", checked.problem()));
      }
      dpopKey = checked.publicJwk();
    }
    return new Read(new ExchangeParameters(subjectToken, subjectType, actorToken, actorType, actions, target, taskId,
        first(p, TokenExchange.PURPOSE), first(p, TokenExchange.ENVIRONMENT), ttl, proof, dpopKey,
        r.peerCertificate().orElse(null)), null);
  }

  /** Whether the holder sent a proof of possession: a DPoP proof (with DPoP enabled) or an mTLS certificate. */
  boolean proofGiven(ExchangeConfig config) {
    return (proof != null && config.htu() != null) || peerCertificate != null;
  }

  /** RFC 6749 section 3.3 scope tokens; null when malformed. */
  static @Nullable Set<String> scopeTokens(String scope) {
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
}
