package dev.jitaccess.spi;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Fetches a JWK Set document for a {@link dev.jitaccess.GrantVerifier} built with
 * {@code jwksUri(URI)}. Must be thread-safe. Any exception means "unavailable"; the verifier then keeps its
 * last good keys within its outage tolerance. Replace it in tests, or to add a proxy or client
 * authentication.
 */
@FunctionalInterface
public interface JwksFetcher {
  /** The largest JWK Set document read by {@link #http(Duration)}, in bytes. */
  int MAX_BYTES = 64 * 1024;

  /**
   * Returns the JWK Set JSON served at {@code uri}.
   *
   * @throws IOException when it cannot be fetched
   */
  String fetch(URI uri) throws IOException;

  /**
   * A fetcher over {@link HttpURLConnection}: GET, connect and read timeouts of {@code timeout}, no
   * redirects, no HTTP caches, status 200 only, at most {@value #MAX_BYTES} bytes, UTF-8.
   */
  static JwksFetcher http(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("timeout must be between 1 ms and 1 minute, got " + timeout);
    }
    int millis = (int) Math.max(1, timeout.toMillis());
    return uri -> {
      HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
      try {
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout(millis);
        c.setReadTimeout(millis);
        c.setRequestProperty("Accept", "application/jwk-set+json, application/json");
        int status = c.getResponseCode();
        if (status != 200) {
          throw new IOException("JWKS endpoint answered HTTP " + status);
        }
        try (InputStream in = c.getInputStream()) {
          byte[] body = in.readNBytes(MAX_BYTES + 1);
          if (body.length > MAX_BYTES) {
            throw new IOException("JWKS document is larger than " + MAX_BYTES + " bytes");
          }
          return new String(body, StandardCharsets.UTF_8);
        }
      } finally {
        c.disconnect();
      }
    };
  }
}
