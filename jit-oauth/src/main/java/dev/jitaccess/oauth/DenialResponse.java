package dev.jitaccess.oauth;

import static dev.jitaccess.oauth.OAuthErrors.error;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Decision;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token endpoint's answer to a refused request: the status and error from {@link DenialStatus}, a
 * description that is generic unless {@link TokenExchange.Builder#denialDetails} is on (never for a
 * fault), and a correlation id that the INFO log line and the broker's audit record also carry.
 */
final class DenialResponse {
  private static final Logger LOG = LoggerFactory.getLogger(TokenExchange.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private DenialResponse() {}

  /** A new correlation id: 96 random bits, base64url. */
  static String correlationId() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /**
   * The response to a refusal: 503 {@code temporarily_unavailable} when a component is unavailable, 500
   * {@code server_error} for another fault, 429 for a quota, 400 {@code invalid_target} for a policy that
   * refused only the resource, otherwise 400 {@code invalid_request} as RFC 8693 section 2.2.2 asks.
   *
   * @param details whether the description gives the broker's reasons (development only)
   */
  static HttpResponse of(AccessDeniedException e, String correlationId, boolean details) {
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
    } else if (details) {
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
}
