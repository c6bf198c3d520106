package dev.jitaccess.oauth;

import static dev.jitaccess.oauth.OAuthErrors.error;
import static dev.jitaccess.oauth.OAuthErrors.invalidRequest;
import static dev.jitaccess.oauth.OAuthErrors.json;
import static dev.jitaccess.oauth.OAuthErrors.noStore;
import static dev.jitaccess.oauth.OAuthErrors.sanitizeToken;
import static dev.jitaccess.oauth.RequestChecks.first;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.jitaccess.Verification;
import dev.jitaccess.internal.GrantTokens;
import dev.jitaccess.oauth.CallerAuthorizer.Endpoint;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 7662 introspection and RFC 7009 revocation: only for callers the {@link CallerAuthorizer} accepts
 * (401 {@code invalid_client} otherwise, also without one), reading grants through {@link GrantReader}.
 * Introspection never consumes a single-use grant and says nothing about why a token is inactive.
 */
final class TokenIntrospection {
  private static final Logger LOG = LoggerFactory.getLogger(TokenExchange.class);

  private final ExchangeConfig config;
  private final GrantReader grants;

  TokenIntrospection(ExchangeConfig config, GrantReader grants) {
    this.config = config;
    this.grants = grants;
  }

  /** {@code {"active":true,...}} for a live grant token of the broker, {@code {"active":false}} otherwise. */
  HttpResponse introspect(HttpRequest request) {
    try {
      HttpResponse bad = checkCaller(request, Endpoint.INTROSPECTION);
      if (bad != null) {
        return bad;
      }
      GrantReader.Read read = grants.read(first(request.form(), "token"), null).orElse(null);
      if (read == null || !read.isLive()) {
        return json(200, Map.of("active", false));
      }
      return json(200, active(read.claims()));
    } catch (RuntimeException e) {
      LOG.warn("token introspection failed with {}; answered inactive", e.getClass().getName());
      return json(200, Map.of("active", false));
    }
  }

  /** Revokes the grant an authentic grant token names; 200 for every well-formed request of an authorized caller. */
  HttpResponse revoke(HttpRequest request) {
    try {
      HttpResponse bad = checkCaller(request, Endpoint.REVOCATION);
      if (bad != null) {
        return bad;
      }
      // a used single-use grant is authentic (REPLAYED comes only after the signature and record checks)
      grants.read(first(request.form(), "token"), null)
          .filter(c -> c.isLive() || c.rejection() == Verification.RejectionReason.REPLAYED)
          .ifPresent(c -> {
            if (config.broker().revoke(c.record().grantId())) {
              LOG.info("grant {} revoked through the revocation endpoint", c.record().grantId());
            }
          });
      return new HttpResponse(200, noStore(Map.of()), "");
    } catch (RuntimeException e) {
      LOG.warn("token revocation failed with {}", e.getClass().getName());
      return error(500, "server_error", "the revocation could not be completed");
    }
  }

  /** Method, content type, caller, form, and the {@code token} parameter. */
  private @Nullable HttpResponse checkCaller(HttpRequest request, Endpoint endpoint) {
    HttpResponse bad = RequestChecks.methodAndType(request);
    if (bad != null) {
      return bad;
    }
    boolean allowed = false;
    CallerAuthorizer authorizer = config.authorizer();
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
    bad = RequestChecks.form(request, config.maxFormBytes());
    if (bad == null) {
      bad = RequestChecks.repeated(request.form(), Set.of());
    }
    if (bad == null && first(request.form(), "token") == null) {
      bad = invalidRequest("token is required");
    }
    return bad;
  }

  /** The RFC 7662 section 2.2 members of a live grant token. */
  private static Map<String, Object> active(JWTClaimsSet c) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("active", true);
    body.put("scope", GrantReader.scopeOf(c));
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

  private static @Nullable Long epoch(@Nullable Date d) {
    return d == null ? null : d.toInstant().getEpochSecond();
  }

  private static void putIfPresent(Map<String, Object> m, String key, @Nullable Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}
