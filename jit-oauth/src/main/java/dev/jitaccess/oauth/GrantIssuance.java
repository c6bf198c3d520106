package dev.jitaccess.oauth;

import static dev.jitaccess.oauth.OAuthErrors.error;
import static dev.jitaccess.oauth.OAuthErrors.invalidRequest;
import static dev.jitaccess.oauth.OAuthErrors.json;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.internal.Resources;
import dev.jitaccess.spi.AuditEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Turns checked {@link ExchangeParameters} into a grant: a direct request ({@code subject_token} an
 * identity credential) or a delegation ({@code subject_token} one of this broker's grant tokens, the
 * delegate's credential as {@code actor_token}), and the grant into the RFC 8693 response. A delegation is
 * checked against the parent grant here so the caller gets the precise OAuth error; the broker checks it
 * again, with the parent token and its proof, before it issues anything.
 */
final class GrantIssuance {
  private final ExchangeConfig config;
  private final GrantReader grants;

  GrantIssuance(ExchangeConfig config, GrantReader grants) {
    this.config = config;
    this.grants = grants;
  }

  /** A direct grant for the identity the {@code subject_token} proves. */
  HttpResponse direct(ExchangeParameters x, Credential.TokenType kind) {
    if (x.actorToken() != null) {
      return invalidRequest("actor_token is accepted only with an access_token subject_token (delegation)");
    }
    String target = x.target();
    if (target == null) {
      return invalidRequest("resource or audience is required");
    }
    String purpose = x.purpose() != null ? x.purpose() : config.defaultPurpose();
    String environment = x.environment() != null ? x.environment() : config.defaultEnvironment();
    if (purpose == null) {
      return invalidRequest(TokenExchange.PURPOSE + " is required");
    }
    if (environment == null) {
      return invalidRequest(TokenExchange.ENVIRONMENT + " is required");
    }
    String correlationId = DenialResponse.correlationId();
    GrantRequest.Builder b;
    try {
      b = GrantRequest.builder()
          .credential(credential(kind, x.subjectToken()))
          .taskId(x.taskId())
          .purpose(purpose)
          .resource(target)
          .actions(x.actions())
          .environment(environment)
          .ttl(x.ttl())
          .attribute(AuditEvent.CORRELATION_ID, correlationId);
      if (x.dpopKey() != null) {
        b.dpopKey(x.dpopKey());
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      return invalidRequest(e.getMessage());
    }
    return issue(b::build, config.broker()::request, correlationId);
  }

  /** A sub-grant of the grant the {@code subject_token} is, for the delegate the {@code actor_token} proves. */
  HttpResponse delegate(ExchangeParameters x) {
    String actorToken = x.actorToken();
    if (actorToken == null) {
      return invalidRequest("delegation needs the delegate's credential as actor_token");
    }
    Credential.TokenType actorKind = config.tokenTypes().get(x.actorType());
    if (actorKind == null) {
      return invalidRequest("actor_token_type " + x.actorType() + " is not supported");
    }
    String htu = config.htu();
    Consumer<VerificationRequest.Builder> proof = b -> {
      if (x.proof() != null && htu != null) {
        b.dpop(x.proof(), "POST", htu);
      }
      if (x.peerCertificate() != null) {
        b.peerCertificate(x.peerCertificate());
      }
    };
    GrantReader.Read read = grants.read(x.subjectToken(), proof).orElse(null);
    if (read == null || (!read.isLive() && read.rejection() != Verification.RejectionReason.PROOF_OF_POSSESSION)) {
      return invalidRequest("denied: the subject_token is not a live grant of this broker");
    }
    if (!read.isLive() || (read.record().isSenderConstrained() && !x.proofGiven(config))) {
      return invalidRequest("denied: the subject_token is sender-constrained; send its proof (a DPoP proof by its"
          + " key with ath, or its mTLS client certificate)");
    }
    HttpResponse outside = outsideParent(x, read);
    if (outside != null) {
      return outside;
    }
    DelegationRequest.Builder b;
    try {
      // the broker verifies the subject_token (and its proof) itself: the grant id alone proves nothing
      b = DelegationRequest.fromParentToken(x.subjectToken())
          .credential(credential(actorKind, actorToken))
          .actions(x.actions())
          .ttl(x.ttl());
      if (x.target() != null) {
        b.resource(x.target());
      }
      if (x.dpopKey() != null) {
        b.dpopKey(x.dpopKey());
      }
      if (x.proof() != null && htu != null) {
        b.parentDpop(x.proof(), "POST", htu);
      }
      if (x.peerCertificate() != null) {
        b.parentCertificate(x.peerCertificate());
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      return invalidRequest(e.getMessage());
    }
    return issue(b::build, config.broker()::delegate, DenialResponse.correlationId());
  }

  /**
   * Builds the broker's request (a builder's refusal is the caller's {@code invalid_request}), asks the
   * broker, and answers the grant or the refusal.
   */
  private <R> HttpResponse issue(Supplier<R> build, Function<R, Grant> broker, String correlationId) {
    R request;
    try {
      request = build.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      return invalidRequest(e.getMessage());
    }
    try {
      return issued(broker.apply(request));
    } catch (AccessDeniedException e) {
      return DenialResponse.of(e, correlationId, config.denialDetails());
    }
  }

  /** A sub-grant keeps its parent's task, purpose and environment, and asks for no more than the parent has. */
  private static @Nullable HttpResponse outsideParent(ExchangeParameters x, GrantReader.Read read) {
    GrantInfo parent = read.record();
    if (!parent.taskId().equals(x.taskId())) {
      return invalidRequest(TokenExchange.TASK_ID + " does not match the subject_token's task");
    }
    if (x.purpose() != null && !parent.purpose().equals(x.purpose())) {
      return invalidRequest(TokenExchange.PURPOSE + " of a sub-grant is the subject_token's; it cannot change");
    }
    if (x.environment() != null && !parent.environment().equals(x.environment())) {
      return invalidRequest(TokenExchange.ENVIRONMENT + " of a sub-grant is the subject_token's; it cannot change");
    }
    Set<String> granted = new LinkedHashSet<>(parent.actions());
    granted.retainAll(Objects.requireNonNullElse(ExchangeParameters.scopeTokens(GrantReader.scopeOf(read.claims())),
        Set.of()));
    if (!granted.containsAll(x.actions())) {
      return error(400, "invalid_scope", "scope exceeds the subject_token's scope");
    }
    if (x.target() != null && !Resources.isWithin(x.target(), parent.resource())) {
      return error(400, "invalid_target", "the target is not within the subject_token's resource");
    }
    return null;
  }

  /** The RFC 8693 section 2.2.1 response. */
  private static HttpResponse issued(Grant grant) {
    GrantInfo info = grant.info();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", grant.token());
    body.put("issued_token_type", TokenExchange.ACCESS_TOKEN_TYPE);
    body.put("token_type", info.keyThumbprint().isPresent() ? "DPoP" : "Bearer");
    // the granted TTL, not the time left after signing (a 5-minute grant says 300, not 299)
    body.put("expires_in", Math.max(0, Duration.between(info.issuedAt(), info.expiresAt()).toSeconds()));
    body.put("scope", String.join(" ", new TreeSet<>(info.actions())));
    return json(200, body);
  }

  private static Credential credential(Credential.TokenType kind, String token) {
    return kind == Credential.TokenType.OIDC ? Credential.oidcToken(token) : Credential.jwtSvid(token);
  }
}
