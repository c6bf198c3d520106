package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.jitaccess.spi.KeyDirectory;
import dev.jitaccess.spi.KeyDirectory.PublishedKey;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** White-box: refused directory entries are logged once, by kid, never with their material. */
class TrustedKeysTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final KeyDirectory directory = KeyDirectory.inMemory();
  final RecordingLogger log = new RecordingLogger("keys", Level.INFO);
  final TrustedKeys trusted = new TrustedKeys(directory, JWSAlgorithm.ES256, clock, Duration.ofSeconds(30), log);

  PublishedKey entry(String kid, String jwk) {
    return new PublishedKey(kid, jwk, clock.instant(), clock.instant().plus(Duration.ofHours(1)));
  }

  @Test
  void refusedEntriesAreLoggedOnceByKidWithoutTheirMaterial() throws Exception {
    ECKey good = new ECKeyGenerator(Curve.P_256).keyID("good").generate();
    ECKey priv = new ECKeyGenerator(Curve.P_256).keyID("private").generate();
    String rsa = new RSAKeyGenerator(2048).keyID("rsa").generate().toPublicJWK().toJSONString();
    directory.publish(entry("good", good.toPublicJWK().toJSONString()));
    directory.publish(entry("garbage", "{\"kty\":\"EC\",\"x\":\"SECRET-MATERIAL-1\"}"));
    directory.publish(entry("not-json", "SECRET-MATERIAL-2"));
    directory.publish(entry("private", priv.toJSONString()));
    directory.publish(entry("rsa", rsa));

    assertThat(trusted.apply("good")).isPresent();
    assertThat(trusted.apply("garbage")).isEmpty();
    assertThat(trusted.apply("private")).isEmpty();
    assertThat(trusted.apply("rsa")).isEmpty();
    clock.advance(Duration.ofMinutes(1));                 // a refresh reads the garbage again
    assertThat(trusted.apply("good")).isPresent();

    assertThat(log.entries()).filteredOn(e -> e.level() == Level.WARN).hasSize(4)
        .allSatisfy(e -> assertThat(e.message()).doesNotContain("SECRET-MATERIAL", priv.getD().toString()))
        .anySatisfy(e -> assertThat(e.message()).contains("garbage"))
        .anySatisfy(e -> assertThat(e.message()).contains("not-json"))
        .anySatisfy(e -> assertThat(e.message()).contains("private").contains("private key"))
        .anySatisfy(e -> assertThat(e.message()).contains("rsa").contains("RS256"));
  }

  @Test
  void aDirectoryFailureIsLoggedWithoutItsMessage() {
    KeyDirectory down = new KeyDirectory() {
      @Override
      public void publish(PublishedKey key) {}

      @Override
      public boolean retire(String kid, Instant retireAfter) {
        return false;
      }

      @Override
      public java.util.List<PublishedKey> keys(Instant at) {
        throw new IllegalStateException("password=SECRET-IN-MESSAGE");
      }
    };
    TrustedKeys t = new TrustedKeys(down, JWSAlgorithm.ES256, clock, Duration.ofSeconds(30), log);
    assertThat(t.apply("any")).isEmpty();
    assertThat(log.entries()).isNotEmpty().allSatisfy(e -> assertThat(e.message()).doesNotContain("SECRET"));
  }
}
