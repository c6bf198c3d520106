package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.IdentityResult;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CredentialCacheTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final AtomicInteger verifications = new AtomicInteger();
  final Fixtures.FakeIdentities identities = new Fixtures.FakeIdentities() {
    @Override
    public IdentityResult verify(Credential credential) {
      verifications.incrementAndGet();
      return super.verify(credential);
    }
  };

  GrantBroker broker(boolean cache) {
    GrantBroker.Builder b = GrantBroker.builder().issuer(ISSUER).identityVerifier(identities)
        .policy(Fixtures.allowAll(Duration.ofMinutes(5))).clock(clock).scheduler(clock).auditSink(e -> {})
        .maxGrantsPerIdentity(1000);
    if (cache) {
      b.credentialCache(Duration.ofMinutes(10), 1000);
    }
    return b.build();
  }

  GrantRequest step(int i) {
    return Fixtures.request(DEPLOYER).taskId("step-" + i).ttl(Duration.ofMinutes(1)).build();
  }

  @Test
  void withoutTheCacheEveryRequestVerifiesTheCredential() {
    try (GrantBroker broker = broker(false)) {
      for (int i = 0; i < 5; i++) {
        broker.request(step(i));
      }
      assertThat(verifications).hasValue(5);
    }
  }

  @Test
  void aRepeatedCredentialIsVerifiedOnceUntilTheCacheMaxAge() {
    try (GrantBroker broker = broker(true)) {
      for (int i = 0; i < 5; i++) {
        broker.request(step(i));
      }
      assertThat(verifications).hasValue(1);
      clock.advance(Duration.ofMinutes(10));
      broker.request(step(6));
      assertThat(verifications).hasValue(2);
    }
  }

  @Test
  void aCachedCredentialNeverOutlivesItsOwnExpiry() {
    identities.credentialExpiry = clock.instant().plus(Duration.ofMinutes(2));
    try (GrantBroker broker = broker(true)) {
      broker.request(step(1));
      clock.advance(Duration.ofMinutes(2));
      assertThatThrownBy(() -> broker.request(step(2))).isInstanceOf(AccessDeniedException.class)
          .hasMessageContaining("expired");
      assertThat(verifications).hasValue(2);
    }
  }

  @Test
  void revokingTheIdentityForgetsItsCachedCredentials() {
    try (GrantBroker broker = broker(true)) {
      broker.request(step(1));
      broker.revokeIdentity(DEPLOYER);
      // verified again (not served from the cache), then refused by the revocation watermark: the fake
      // credential's issue time is unknown
      assertThatThrownBy(() -> broker.request(step(2))).isInstanceOf(AccessDeniedException.class)
          .hasMessageContaining("revoked");
      assertThat(verifications).hasValue(2);
    }
  }

  @Test
  void rejectionsAreNeverCached() {
    try (GrantBroker broker = broker(true)) {
      GrantRequest bad = GrantRequest.builder().credential(Credential.jwtSvid("garbage")).taskId("t").purpose("p")
          .resource("r").actions("read").environment("e").ttl(Duration.ofMinutes(1)).build();
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> broker.request(bad)).isInstanceOf(AccessDeniedException.class);
      }
      assertThat(verifications).hasValue(3);
    }
  }

  @Test
  void cacheOptionsAreValidated() {
    assertThatThrownBy(() -> GrantBroker.builder().credentialCache(Duration.ofHours(2), 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT2H");
    assertThatThrownBy(() -> GrantBroker.builder().credentialCache(Duration.ofMinutes(1), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
  }
}
