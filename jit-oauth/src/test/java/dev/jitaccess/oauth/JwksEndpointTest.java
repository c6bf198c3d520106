package dev.jitaccess.oauth;

import static dev.jitaccess.oauth.ExchangeFixture.DEPLOYER;
import static dev.jitaccess.oauth.ExchangeFixture.RESOURCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import dev.jitaccess.GrantVerifier;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 item 5: the broker's public keys served with caching headers, and a stand-alone verifier that
 * fetches them from that URL over real loopback HTTP.
 */
class JwksEndpointTest {
  private ExchangeFixture f;
  private HttpServer server;
  private final AtomicInteger served = new AtomicInteger();
  private URI jwksUri;

  @BeforeEach
  void start() throws IOException {
    f = new ExchangeFixture();
    JwksEndpoint endpoint = JwksEndpoint.of(f.broker, Duration.ofMinutes(2));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/jwks", h -> {
      try (h) {
        served.incrementAndGet();
        HttpRequest.Builder b = HttpRequest.builder(h.getRequestMethod());
        h.getRequestHeaders().forEach((k, vs) -> vs.forEach(v -> b.header(k, v)));
        HttpResponse r = endpoint.serve(b.build());
        r.headers().forEach((k, v) -> h.getResponseHeaders().add(k, v));
        byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
        h.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
          try (OutputStream os = h.getResponseBody()) {
            os.write(out);
          }
        }
      }
    });
    server.start();
    jwksUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
  }

  @AfterEach
  void stop() {
    server.stop(0);
    f.close();
  }

  private String grant(String task) {
    return OAuthClient.success(new OAuthClient(f).send(new OAuthClient(f).direct(f.identity(DEPLOYER), "read", task).build()))
        .getTokens().getAccessToken().getValue();
  }

  @Test
  void theKeysAreServedWithCachingHeadersAndAnEtag() throws Exception {
    HttpResponse r = JwksEndpoint.of(f.broker).serve(HttpRequest.builder("GET").build());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers()).containsEntry("Content-Type", "application/jwk-set+json")
        .containsEntry("Cache-Control", "public, max-age=300").containsKey("ETag");
    assertThat(JWKSet.parse(r.body()).getKeys()).isNotEmpty().allSatisfy(k -> assertThat(k.isPrivate()).isFalse());
    assertThat(r.body()).isEqualTo(f.broker.publicJwks());

    String etag = r.headers().get("ETag");
    HttpResponse same = JwksEndpoint.of(f.broker).serve(HttpRequest.builder("GET").header("If-None-Match", etag).build());
    assertThat(same.status()).isEqualTo(304);
    assertThat(same.body()).isEmpty();
    f.broker.rotateKeys();
    HttpResponse changed = JwksEndpoint.of(f.broker).serve(HttpRequest.builder("GET").header("If-None-Match", etag).build());
    assertThat(changed.status()).as("a rotation changes the ETag").isEqualTo(200);
    assertThat(changed.headers().get("ETag")).isNotEqualTo(etag);
  }

  @Test
  void otherMethodsAndBadOptionsAreRefused() {
    HttpResponse post = JwksEndpoint.of(f.broker).serve(HttpRequest.builder("POST").build());
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.headers()).containsEntry("Allow", "GET, HEAD");
    assertThat(JwksEndpoint.of(f.broker).serve(HttpRequest.builder("HEAD").build()).body()).isEmpty();
    assertThatThrownBy(() -> JwksEndpoint.of(f.broker, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> JwksEndpoint.of(null)).isInstanceOf(NullPointerException.class).hasMessage("broker");
  }

  @Test
  void aStandAloneVerifierFetchesTheKeysFromTheUrlOnce() {
    GrantVerifier v = GrantVerifier.builder().issuer(ExchangeFixture.ISSUER).jwksUri(jwksUri).clock(f.clock).build();
    String token = grant("task-jwks");
    assertThat(v.verify(token, RESOURCE).isVerified()).isTrue();
    assertThat(v.verify(token, RESOURCE).isVerified()).isTrue();
    assertThat(served).hasValue(1);
  }
}
