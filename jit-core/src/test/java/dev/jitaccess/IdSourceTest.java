package dev.jitaccess;

import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Fixtures.FakeIdentities;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.IdSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** GrantBroker.Builder.idSource: deterministic ids when seeded, unguessable and unrepeated by default. */
class IdSourceTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");

  GrantBroker.Builder broker() {
    return GrantBroker.builder().issuer(ISSUER).identityVerifier(new FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(10))).auditSink(new Fixtures.RecordingAudit()).clock(clock)
        .scheduler(clock);
  }

  static IdSource seeded(long seed) {
    Random random = new Random(seed);
    return () -> IdSource.encode(random);
  }

  List<String> issueIds(GrantBroker b, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(b.request(Fixtures.request(Fixtures.DEPLOYER).taskId("task-" + i).ttl(Duration.ofMinutes(5)).build())
          .info().grantId());
    }
    return ids;
  }

  @Test
  void twoBrokersWithTheSameSeedIssueTheSameIds() {
    List<String> first;
    List<String> second;
    try (GrantBroker a = broker().idSource(seeded(42)).build()) {
      first = issueIds(a, 5);
    }
    try (GrantBroker b = broker().idSource(seeded(42)).build()) {
      second = issueIds(b, 5);
    }
    assertThat(second).isEqualTo(first).doesNotHaveDuplicates();
    try (GrantBroker c = broker().idSource(seeded(43)).build()) {
      assertThat(issueIds(c, 5)).doesNotContainAnyElementsOf(first);
    }
  }

  @Test
  void theDefaultNeverRepeatsAndHas128Bits() {
    try (GrantBroker a = broker().build(); GrantBroker b = broker().build()) {
      Set<String> ids = new HashSet<>(issueIds(a, 50));
      ids.addAll(issueIds(b, 50));
      assertThat(ids).hasSize(100).allMatch(id -> id.length() == 22 && IdSource.FORMAT.matcher(id).matches());
    }
    IdSource source = IdSource.secureRandom();
    Set<String> many = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      many.add(source.nextId());
    }
    assertThat(many).hasSize(10_000);
  }

  @Test
  void aMalformedIdFailsClosedAndIssuesNothing() {
    try (GrantBroker b = broker().idSource(() -> "short").build()) {
      assertThatThrownBy(() -> issueIds(b, 1)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("malformed id").hasMessageNotContaining("short");
      assertThat(b.find("short")).isEmpty();
    }
  }

  @Test
  void anIdWithForbiddenCharactersFailsClosed() {
    try (GrantBroker b = broker().idSource(() -> "aaaaaaaaaaaaaaaa.bbbb").build()) {
      assertThatThrownBy(() -> issueIds(b, 1)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("malformed id");
    }
  }

  @Test
  void aNullIdFailsClosed() {
    try (GrantBroker b = broker().idSource(IdSourceTest::nullId).build()) {
      assertThatThrownBy(() -> issueIds(b, 1)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("length null");
    }
  }

  @Test
  void idSourceIsSetOnceAndNeverNull() {
    assertThatThrownBy(() -> broker().idSource(nul())).isInstanceOf(NullPointerException.class).hasMessage("idSource");
    assertThatThrownBy(() -> broker().idSource(seeded(1)).idSource(seeded(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("idSource");
  }

  @SuppressWarnings("NullAway")
  private static String nullId() {
    return null;
  }

  @SuppressWarnings("NullAway")
  private static <T> T nul() {
    return null;
  }
}
