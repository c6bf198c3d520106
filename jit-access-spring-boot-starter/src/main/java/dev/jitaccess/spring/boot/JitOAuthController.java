package dev.jitaccess.spring.boot;

import dev.jitaccess.oauth.HttpRequest;
import dev.jitaccess.oauth.HttpResponse;
import dev.jitaccess.oauth.JwksEndpoint;
import dev.jitaccess.oauth.TokenExchange;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Objects;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Maps jit-oauth's framework-neutral endpoints under {@code jit.oauth.endpoints.path} (default
 * {@code /oauth2}): {@code POST token} (RFC 8693 token exchange), {@code POST introspect} (RFC 7662),
 * {@code POST revoke} (RFC 7009) and {@code GET jwks}. The raw form body is handed to jit-oauth's strict
 * parser unchanged (read from the request stream, at most 1 MiB), with every header and the mTLS peer
 * certificate; jit-oauth answers every status and error itself.
 */
@RestController
@RequestMapping("${jit.oauth.endpoints.path:/oauth2}")
public class JitOAuthController {
  private final TokenExchange exchange;
  private final JwksEndpoint jwks;

  /**
   * The controller in front of one adapter.
   *
   * @throws NullPointerException naming the argument that is null
   */
  public JitOAuthController(TokenExchange exchange, JwksEndpoint jwks) {
    this.exchange = Objects.requireNonNull(exchange, "exchange");
    this.jwks = Objects.requireNonNull(jwks, "jwks");
  }

  /** RFC 8693 token exchange. */
  @PostMapping("/token")
  public ResponseEntity<String> token(HttpServletRequest request) {
    return form(request, exchange::exchange);
  }

  /** RFC 7662 introspection, for callers the {@code CallerAuthorizer} bean allows. */
  @PostMapping("/introspect")
  public ResponseEntity<String> introspect(HttpServletRequest request) {
    return form(request, exchange::introspect);
  }

  /** RFC 7009 revocation, for callers the {@code CallerAuthorizer} bean allows. */
  @PostMapping("/revoke")
  public ResponseEntity<String> revoke(HttpServletRequest request) {
    return form(request, exchange::revoke);
  }

  /** The broker's public keys as a JWK Set. */
  @GetMapping("/jwks")
  public ResponseEntity<String> jwks(HttpServletRequest request) {
    HttpRequest.Builder b = HttpRequest.builder("GET");
    headers(request, b);
    return response(jwks.serve(b.build()));
  }

  private static ResponseEntity<String> form(HttpServletRequest request, Function<HttpRequest, HttpResponse> endpoint) {
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes(HttpRequest.MAX_FORM_BYTES + 1);
    } catch (IOException e) {
      return ResponseEntity.badRequest().body("");
    }
    if (body.length > HttpRequest.MAX_FORM_BYTES) {
      return ResponseEntity.status(413).body("");
    }
    HttpRequest.Builder b = HttpRequest.builder(request.getMethod())
        .formBody(new String(body, StandardCharsets.UTF_8));
    if (request.getContentType() != null) {
      b.contentType(request.getContentType());
    }
    headers(request, b);
    if (request.getAttribute("jakarta.servlet.request.X509Certificate") instanceof X509Certificate[] chain
        && chain.length > 0) {
      b.peerCertificate(chain[0]);
    }
    return response(endpoint.apply(b.build()));
  }

  private static void headers(HttpServletRequest request, HttpRequest.Builder b) {
    for (String name : Collections.list(request.getHeaderNames())) {
      if (name.equalsIgnoreCase(HttpHeaders.CONTENT_TYPE)) {
        continue;
      }
      for (String value : Collections.list(request.getHeaders(name))) {
        b.header(name, value);
      }
    }
  }

  private static ResponseEntity<String> response(HttpResponse r) {
    ResponseEntity.BodyBuilder b = ResponseEntity.status(r.status());
    r.headers().forEach(b::header);
    return b.body(r.body());
  }

  @Override
  public String toString() {
    return "JitOAuthController";
  }
}
