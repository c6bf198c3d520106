package dev.jitaccess.oauth;

import dev.jitaccess.GrantBroker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Serves the broker's {@link GrantBroker#publicJwks()} to stand-alone verifiers (for example ones built with
 * {@code GrantVerifier.builder().jwksUri(...)}), framework-neutral like {@link TokenExchange}: {@code GET}
 * or {@code HEAD} answers 200 with {@code Content-Type: application/jwk-set+json},
 * {@code Cache-Control: public, max-age=...} and a strong {@code ETag}; a request whose
 * {@code If-None-Match} names the current ETag answers 304; other methods answer 405. Keep the max age
 * shorter than the time a rotated-in key is published before it signs (verifiers that see an unknown
 * {@code kid} refetch anyway). Thread-safe.
 */
public final class JwksEndpoint {
  /** The default {@code max-age}: 5 minutes. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);
  /** The media type of a JWK Set (RFC 7517 section 8.5.1). */
  public static final String JWK_SET_TYPE = "application/jwk-set+json";

  private final GrantBroker broker;
  private final long maxAgeSeconds;

  private JwksEndpoint(GrantBroker broker, Duration maxAge) {
    this.broker = broker;
    this.maxAgeSeconds = maxAge.toSeconds();
  }

  /** An endpoint serving {@code broker}'s keys with the {@linkplain #DEFAULT_MAX_AGE default max age}. */
  public static JwksEndpoint of(GrantBroker broker) {
    return of(broker, DEFAULT_MAX_AGE);
  }

  /**
   * An endpoint serving {@code broker}'s keys, cacheable for {@code maxAge} (0 to 1 day, whole seconds).
   *
   * @throws IllegalArgumentException if {@code maxAge} is negative or longer than a day
   */
  public static JwksEndpoint of(GrantBroker broker, Duration maxAge) {
    Objects.requireNonNull(broker, "broker");
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxAge.isNegative() || maxAge.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("maxAge must be between 0 and 1 day, got " + maxAge);
    }
    return new JwksEndpoint(broker, maxAge);
  }

  /** Answers one request; never throws for bad input (a broker failure answers 500 with no body). */
  public HttpResponse serve(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    boolean head = "HEAD".equals(request.method());
    if (!head && !"GET".equals(request.method())) {
      return new HttpResponse(405, Map.of("Allow", "GET, HEAD", "Cache-Control", "no-store"), "");
    }
    String jwks;
    try {
      jwks = broker.publicJwks();
    } catch (RuntimeException e) {
      return new HttpResponse(500, Map.of("Cache-Control", "no-store"), "");
    }
    String etag = "\"" + sha256(jwks) + "\"";
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Cache-Control", "public, max-age=" + maxAgeSeconds);
    headers.put("ETag", etag);
    if (request.header("If-None-Match").map(v -> matches(v, etag)).orElse(false)) {
      return new HttpResponse(304, headers, "");
    }
    headers.put("Content-Type", JWK_SET_TYPE);
    return new HttpResponse(200, headers, head ? "" : jwks);
  }

  /** RFC 9110 section 13.1.2: {@code *} or a list of entity tags, compared weakly. */
  private static boolean matches(String ifNoneMatch, String etag) {
    for (String candidate : ifNoneMatch.split(",", -1)) {
      String c = candidate.trim();
      if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  private static String sha256(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }
}
