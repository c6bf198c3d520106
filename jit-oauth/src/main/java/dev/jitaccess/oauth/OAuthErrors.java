package dev.jitaccess.oauth;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The adapter's responses: RFC 6749 section 5.2 errors and JSON bodies, always with
 * {@code Cache-Control: no-store} and {@code Pragma: no-cache}, and the one sanitiser for text that goes
 * into an {@code error_description}.
 */
final class OAuthErrors {
  static final String JSON = "application/json;charset=UTF-8";
  private static final int MAX_ERROR_DESCRIPTION = 400;

  private OAuthErrors() {}

  static HttpResponse invalidRequest(@Nullable String description) {
    return error(400, "invalid_request", description);
  }

  static HttpResponse error(int status, String code, @Nullable String description) {
    return error(status, code, description, Map.of());
  }

  static HttpResponse error(int status, String code, @Nullable String description, Map<String, String> extra) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("error_description", sanitize(description));
    Map<String, String> headers = new LinkedHashMap<>(extra);
    headers.put("Content-Type", JSON);
    return new HttpResponse(status, noStore(headers), JSONObjectUtils.toJSONString(body));
  }

  static HttpResponse json(int status, Map<String, Object> body) {
    return new HttpResponse(status, noStore(Map.of("Content-Type", JSON)), JSONObjectUtils.toJSONString(body));
  }

  static Map<String, String> noStore(Map<String, String> headers) {
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

  /** A header or parameter name reduced to token characters, at most 64; {@code Basic} when nothing is left. */
  static String sanitizeToken(String text) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length() && i < 64; i++) {
      char c = text.charAt(i);
      b.append(Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' ? c : '?');
    }
    return b.length() == 0 ? "Basic" : b.toString();
  }
}
