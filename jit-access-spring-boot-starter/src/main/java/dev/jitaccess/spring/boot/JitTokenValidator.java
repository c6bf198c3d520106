package dev.jitaccess.spring.boot;

import dev.jitaccess.GrantVerifier;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * A Spring Security {@link OAuth2TokenValidator} that checks a grant token through the broker's
 * {@link GrantVerifier}: besides signature and expiry, what a JWKS alone cannot tell, revocation, single
 * use (the use is spent here), the task (when the request names one in the configured header) and the
 * sender constraint (a {@code cnf}-bound token needs its DPoP proof or mTLS certificate on the request;
 * without one it is refused). Spring Boot adds every {@code OAuth2TokenValidator<Jwt>} bean to its
 * auto-configured {@code JwtDecoder}, so declaring this one is enough. Any failure refuses the token.
 * Error descriptions name the rejection reason only, never the token.
 */
public final class JitTokenValidator implements OAuth2TokenValidator<Jwt> {
  private static final boolean SERVLET_WEB =
      ClassUtils.isPresent("org.springframework.web.context.request.RequestContextHolder",
          JitTokenValidator.class.getClassLoader())
      && ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest", JitTokenValidator.class.getClassLoader());

  private final GrantVerifier verifier;
  private final String audience;
  private final @Nullable String taskHeader;

  /**
   * A validator for one resource server.
   *
   * @param verifier the broker's verifier (it must read the broker's store to see revocations)
   * @param audience this resource server's audience: a token's {@code aud} must contain it
   * @param taskHeader a request header naming the caller's task, or null not to check the task
   * @throws NullPointerException naming the argument that is null
   * @throws IllegalArgumentException if {@code audience} or {@code taskHeader} is blank
   */
  public JitTokenValidator(GrantVerifier verifier, String audience, @Nullable String taskHeader) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.audience = Objects.requireNonNull(audience, "audience");
    if (audience.isBlank()) {
      throw new IllegalArgumentException("audience must not be blank");
    }
    if (taskHeader != null && taskHeader.isBlank()) {
      throw new IllegalArgumentException("taskHeader must not be blank, got '" + taskHeader + "'");
    }
    this.taskHeader = taskHeader;
  }

  @Override
  public OAuth2TokenValidatorResult validate(Jwt token) {
    Objects.requireNonNull(token, "token");
    Verification v;
    try {
      VerificationRequest.Builder request = VerificationRequest.builder(audience);
      HttpServletRequest http = currentRequest();
      if (http != null) {
        fromRequest(http, request);
      }
      v = verifier.verify(token.getTokenValue(), request.build());
    } catch (RuntimeException e) {
      // fail closed; the exception's text may quote the request, so only its type is reported
      return refused("the grant token could not be checked (" + e.getClass().getSimpleName() + ")");
    }
    if (v instanceof Verification.Rejected r) {
      return refused("the grant token was refused: " + r.reason().name().toLowerCase(Locale.ROOT));
    }
    return OAuth2TokenValidatorResult.success();
  }

  private void fromRequest(HttpServletRequest http, VerificationRequest.Builder request) {
    if (taskHeader != null) {
      String task = http.getHeader(taskHeader);
      if (task != null) {
        request.taskId(task);
      }
    }
    String dpop = http.getHeader("DPoP");
    if (dpop != null) {
      request.dpop(dpop, http.getMethod(), http.getRequestURL().toString());
    }
    if (http.getAttribute("jakarta.servlet.request.X509Certificate") instanceof X509Certificate[] chain
        && chain.length > 0) {
      request.peerCertificate(chain[0]);
    }
  }

  private static @Nullable HttpServletRequest currentRequest() {
    if (!SERVLET_WEB) {
      return null;
    }
    RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
    return attributes instanceof ServletRequestAttributes servlet ? servlet.getRequest() : null;
  }

  private static OAuth2TokenValidatorResult refused(String description) {
    return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, description, null));
  }

  @Override
  public String toString() {
    return "JitTokenValidator[audience=" + audience + ", taskHeader=" + taskHeader + "]";
  }
}
