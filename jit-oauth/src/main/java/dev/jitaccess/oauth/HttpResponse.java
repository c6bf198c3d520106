package dev.jitaccess.oauth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to send back: the status, the headers, and the body. The OAuth endpoints of {@link TokenExchange}
 * always send {@code Cache-Control: no-store} and {@code Pragma: no-cache} ({@code Content-Type:
 * application/json} with a body); {@link JwksEndpoint} sends public caching headers. {@code toString()}
 * never shows the body (it may carry a token).
 *
 * @param status the HTTP status
 * @param headers the response headers
 * @param body the body (JSON), or empty
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