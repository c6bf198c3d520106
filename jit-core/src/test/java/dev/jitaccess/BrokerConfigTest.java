package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.internal.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Guards of {@code build()} and {@link BrokerConfig}: building never changes the builder (a later setter
 * does not throw "already set"), the break-glass TTL default is resolved in the config, and the config's
 * {@code toString()} redacts the signing key.
 */
class BrokerConfigTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final RecordingAudit audit = new RecordingAudit();

  @Test
  void buildNeverMutatesItsBuilder() {
    GrantBroker.Builder b = Fixtures.minimalBroker(audit).maxTtl(Duration.ofMinutes(5)).scheduler(clock);
    b.build().close();
    // build() used to write the resolved defaults back (breakGlassTtl = maxTtl, clock = systemUTC),
    // so these setters threw "already set"
    assertThatCode(() -> b.breakGlassTtl(Duration.ofMinutes(2))).doesNotThrowAnyException();
    assertThatCode(() -> b.clock(clock)).doesNotThrowAnyException();
    b.build().close();
  }

  @Test
  void breakGlassTtlDefaultsToMaxTtlWhenThatIsShorter() {
    BrokerConfig c = BrokerConfig.of(Fixtures.minimalBroker(audit).maxTtl(Duration.ofMinutes(5)).scheduler(clock));
    assertThat(c.breakGlassTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(BrokerConfig.of(Fixtures.minimalBroker(audit).scheduler(clock)).breakGlassTtl()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void configToStringRedactsTheSigningKey() {
    String pem = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAsecretsecret\n-----END PRIVATE KEY-----";
    GrantBroker.Builder b = Fixtures.minimalBroker(audit).scheduler(clock).signingKey(pem);
    assertThat(BrokerConfig.of(b).toString()).doesNotContain("secretsecret").contains("<redacted>");
  }
}
