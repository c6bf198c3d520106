package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The accessor for a builder option has the option's name; a renamed accessor keeps its old name as an alias. */
class GrantRequestNamesTest {

  @Test
  void theTtlSetWithTtlIsReadWithTtl() {
    GrantRequest r = GrantRequestToBuilderTest.base().toBuilder().ttl(Duration.ofSeconds(90)).build();
    assertThat(r.ttl()).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  @SuppressWarnings("removal")
  void theDeprecatedRequestedTtlAliasReturnsTheTtl() {
    GrantRequest r = GrantRequestToBuilderTest.base().toBuilder().ttl(Duration.ofSeconds(90)).build();
    assertThat(r.requestedTtl()).isEqualTo(r.ttl()).isEqualTo(Duration.ofSeconds(90));
  }
}
