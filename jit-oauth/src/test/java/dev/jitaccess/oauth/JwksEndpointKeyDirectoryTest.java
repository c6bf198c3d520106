package dev.jitaccess.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityVerifier;
import dev.jitaccess.spi.KeyDirectory;
import dev.jitaccess.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link JwksEndpoint} over brokers sharing a {@link KeyDirectory}: both serve the same body and ETag;
 * once the directory has been unreadable past its bound the endpoint answers 500 with {@code no-store}
 * (never a stale or empty key set that clients would cache), and serves again when the directory is back.
 */
class JwksEndpointKeyDirectoryTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");

  /** The in-memory directory, failing on demand. */
  static final class Flaky implements KeyDirectory {
    final KeyDirectory delegate = KeyDirectory.inMemory();
    volatile boolean down;

    @Override
    public void publish(PublishedKey key) {
      check();
      delegate.publish(key);
    }

    @Override
    public boolean retire(String kid, Instant retireAfter) {
      check();
      return delegate.retire(kid, retireAfter);
    }

    @Override
    public List<PublishedKey> keys(Instant at) {
      check();
      return delegate.keys(at);
    }

    @Override
    public Subscription subscribe(Runnable onChange) {
      return delegate.subscribe(onChange);
    }

    private void check() {
      if (down) {
        throw new IllegalStateException("directory down (test)");
      }
    }
  }

  GrantBroker broker(KeyDirectory directory) {
    IdentityVerifier nobody = new IdentityVerifier() {
      @Override
      public boolean supports(Credential credential) {
        return true;
      }

      @Override
      public IdentityResult verify(Credential credential) {
        return IdentityResult.rejected("test: nobody");
      }
    };
    return GrantBroker.builder().issuer("https://jit.example.org").identityVerifier(nobody)
        .policy(ctx -> Decision.deny("test")).clock(clock).scheduler(clock).auditSink(e -> {})
        .keyDirectory(directory).build();
  }

  @Test
  void replicasServeTheSameKeysAndAnOutagePastTheBoundAnswers500NoStore() throws Exception {
    Flaky directory = new Flaky();
    try (GrantBroker a = broker(directory); GrantBroker b = broker(directory)) {
      HttpResponse fromA = JwksEndpoint.of(a).serve(HttpRequest.builder("GET").build());
      HttpResponse fromB = JwksEndpoint.of(b).serve(HttpRequest.builder("GET").build());
      assertThat(fromA.status()).isEqualTo(200);
      assertThat(fromA.body()).isEqualTo(fromB.body());
      assertThat(fromA.headers().get("ETag")).isEqualTo(fromB.headers().get("ETag"));
      assertThat(JWKSet.parse(fromA.body()).getKeys()).hasSize(2);

      directory.down = true;
      clock.advance(Duration.ofMinutes(5));
      HttpResponse down = JwksEndpoint.of(a).serve(HttpRequest.builder("GET").build());
      assertThat(down.status()).isEqualTo(500);
      assertThat(down.headers()).containsEntry("Cache-Control", "no-store");
      assertThat(down.body()).isEmpty();

      directory.down = false;
      clock.advance(Duration.ofSeconds(1));
      assertThat(JwksEndpoint.of(a).serve(HttpRequest.builder("GET").build()).body()).isEqualTo(fromA.body());
    }
  }
}
