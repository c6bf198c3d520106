package dev.jitaccess.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.RevocationReason;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link GrantStore.Change}: what a change feed tells; every rejection path with bad material. */
class GrantStoreChangeTest {
  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void nullsAreNamed() {
    assertThatThrownBy(() -> new GrantStore.Change(null, GrantState.EXPIRED, null))
        .isInstanceOf(NullPointerException.class).hasMessage("grantId");
    assertThatThrownBy(() -> new GrantStore.Change("g", null, null))
        .isInstanceOf(NullPointerException.class).hasMessage("state");
    assertThatThrownBy(() -> GrantStore.Change.of(null))
        .isInstanceOf(NullPointerException.class).hasMessage("record");
  }

  @Test
  void aReasonGoesExactlyWithRevoked() {
    assertThatThrownBy(() -> new GrantStore.Change("g", GrantState.REVOKED, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("REVOKED with null");
    assertThatThrownBy(() -> new GrantStore.Change("g", GrantState.EXPIRED, RevocationReason.TASK))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EXPIRED with TASK");
    assertThatThrownBy(() -> new GrantStore.Change("g", GrantState.LIVE, RevocationReason.EXPLICIT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LIVE with EXPLICIT");
    assertThat(new GrantStore.Change("g", GrantState.REVOKED, RevocationReason.TASK).revocationReason())
        .isEqualTo(RevocationReason.TASK);
  }

  @Test
  void ofARecordKeepsItsIdStateAndReason() {
    Instant now = Instant.parse("2026-12-04T20:00:00Z");
    GrantInfo info = GrantInfo.builder().grantId("g-1").subject("spiffe://example.org/w").issuer("https://jit.test")
        .resource("db://x").actions(Set.of("read")).taskId("t").purpose("p").environment("test")
        .issuedAt(now).expiresAt(now.plusSeconds(60)).build();
    GrantRecord live = GrantRecord.live(info, null, Instant.MAX);
    assertThat(GrantStore.Change.of(live)).isEqualTo(new GrantStore.Change("g-1", GrantState.LIVE, null));
    assertThat(GrantStore.Change.of(live.withState(GrantState.REVOKED, RevocationReason.IDENTITY)))
        .isEqualTo(new GrantStore.Change("g-1", GrantState.REVOKED, RevocationReason.IDENTITY));
  }
}
