package dev.jitaccess.oauth;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Decision;
import dev.jitaccess.DenialCategory;
import java.util.Objects;

/**
 * The one table from a refusal's {@link DenialCategory} to the token endpoint's HTTP status and OAuth
 * error code (RFC 6749 section 5.2, RFC 8693 section 2.2.2), so no caller reads the reasons' text.
 *
 * <ul>
 *   <li>{@link DenialCategory#UNAVAILABLE}: 503 {@code temporarily_unavailable}, a component failed and
 *       nothing was issued; the client may retry.
 *   <li>another category that carries a cause (an unexpected fault): 500 {@code server_error}.
 *   <li>{@link DenialCategory#QUOTA}: 429 {@code invalid_request}, too many live grants; retry after some
 *       end.
 *   <li>{@link DenialCategory#IDENTITY}: 400 {@code invalid_request}, as RFC 8693 asks for a subject or
 *       actor token that is invalid (401 {@code invalid_client} is for the caller's own authentication,
 *       answered before any exchange).
 *   <li>{@link DenialCategory#POLICY} of the resource alone ({@link Decision.Deny.Facet#RESOURCE}: a rule
 *       would allow the request on another resource): 400 {@code invalid_target}, as RFC 8693 section
 *       2.2.2 asks when the server will not issue a token for the requested target.
 *   <li>{@link DenialCategory#POLICY}, {@link DenialCategory#APPROVAL},
 *       {@link DenialCategory#INVALID_REQUEST}: 400 {@code invalid_request}.
 * </ul>
 *
 * @param status the HTTP status
 * @param error the OAuth error code
 */
record DenialStatus(int status, String error) {
  /** Checks the values. */
  DenialStatus {
    Objects.requireNonNull(error, "error");
  }

  /**
   * The status and error for a refusal of the request as a whole ({@link Decision.Deny.Facet#REQUEST}).
   *
   * @param category the refusal's category
   * @param fault whether the refusal carries a cause (a component threw)
   */
  static DenialStatus of(DenialCategory category, boolean fault) {
    return of(category, Decision.Deny.Facet.REQUEST, fault);
  }

  /**
   * The status and error for a refusal.
   *
   * @param category the refusal's category
   * @param facet which part of the request was refused
   * @param fault whether the refusal carries a cause (a component threw)
   */
  static DenialStatus of(DenialCategory category, Decision.Deny.Facet facet, boolean fault) {
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(facet, "facet");
    return switch (category) {
      case UNAVAILABLE -> new DenialStatus(503, "temporarily_unavailable");
      case QUOTA -> fault ? serverError() : new DenialStatus(429, "invalid_request");
      case POLICY -> fault ? serverError()
          : new DenialStatus(400, facet == Decision.Deny.Facet.RESOURCE ? "invalid_target" : "invalid_request");
      case IDENTITY, APPROVAL, INVALID_REQUEST -> fault ? serverError() : new DenialStatus(400, "invalid_request");
    };
  }

  /** The status and error for a refused request, from its category, facet and cause. */
  static DenialStatus of(AccessDeniedException e) {
    Decision.Deny.Facet facet = e.decision() instanceof Decision.Deny deny ? deny.facet() : Decision.Deny.Facet.REQUEST;
    return of(e.category(), facet, e.getCause() != null);
  }

  private static DenialStatus serverError() {
    return new DenialStatus(500, "server_error");
  }
}
