package dev.jitaccess.oauth;

import static dev.jitaccess.oauth.OAuthErrors.error;
import static dev.jitaccess.oauth.OAuthErrors.invalidRequest;
import static dev.jitaccess.oauth.OAuthErrors.sanitizeToken;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The checks every endpoint makes before it reads a parameter: POST, the form content type in UTF-8, a
 * readable form within the size limit, and no repeated parameter (RFC 6749 section 3.2). Each answers the
 * error response, or null when the request passes.
 */
final class RequestChecks {
  private RequestChecks() {}

  /** Method, content type and form. */
  static @Nullable HttpResponse transport(HttpRequest r, int maxFormBytes) {
    HttpResponse bad = methodAndType(r);
    return bad != null ? bad : form(r, maxFormBytes);
  }

  /** 405 for another method than POST, 415 for another content type than a UTF-8 form. */
  static @Nullable HttpResponse methodAndType(HttpRequest r) {
    if (!"POST".equals(r.method())) {
      return error(405, "invalid_request", "use POST", Map.of("Allow", "POST"));
    }
    String type = r.contentType().orElse("");
    String[] parts = type.split(";", -1);
    if (!parts[0].trim().toLowerCase(Locale.ROOT).equals(TokenExchange.FORM_CONTENT_TYPE)) {
      return error(415, "invalid_request", "the content type must be " + TokenExchange.FORM_CONTENT_TYPE);
    }
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].trim().toLowerCase(Locale.ROOT);
      if (param.startsWith("charset=") && !param.equals("charset=utf-8") && !param.equals("charset=\"utf-8\"")) {
        return error(415, "invalid_request", "the form must be UTF-8");
      }
    }
    return null;
  }

  /** A form that could not be read, or one larger than {@code maxFormBytes}. */
  static @Nullable HttpResponse form(HttpRequest r, int maxFormBytes) {
    if (r.formProblem != null) {
      return invalidRequest(r.formProblem);
    }
    if (r.formBytes > maxFormBytes) {
      return invalidRequest("the form is larger than " + maxFormBytes + " bytes");
    }
    return null;
  }

  /** A parameter repeated that may not be, other than {@code multiValued}. */
  static @Nullable HttpResponse repeated(Map<String, List<String>> p, Set<String> multiValued) {
    for (Map.Entry<String, List<String>> e : p.entrySet()) {
      if (e.getValue().size() > 1 && !multiValued.contains(e.getKey())) {
        return invalidRequest("parameter " + sanitizeToken(e.getKey()) + " is repeated");
      }
    }
    return null;
  }

  /** The first value of a parameter, or null. */
  static @Nullable String first(Map<String, List<String>> p, String name) {
    List<String> values = p.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
