package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * The light change the feed builds from a row (grant id, state, reason): a row the schema would not hold
 * (hand-edited with its checks dropped) fails the read, so the feed retries instead of delivering a made-up
 * state; the store's cache has already dropped the grant by then, so its verifier reads the database.
 */
class ChangeReadsTest {
  @Test
  void aValidRowIsTheChange() throws SQLException {
    assertThat(ChangeReads.change("g", "REVOKED", "TASK"))
        .isEqualTo(new GrantStore.Change("g", GrantState.REVOKED, RevocationReason.TASK));
    assertThat(ChangeReads.change("g", "EXPIRED", null)).isEqualTo(new GrantStore.Change("g", GrantState.EXPIRED, null));
  }

  @Test
  void anUnknownStateOrReasonFailsTheRead() {
    assertThatThrownBy(() -> ChangeReads.change("g", "ENDED", null)).isInstanceOf(SQLException.class)
        .hasMessageContaining("grant g");
    assertThatThrownBy(() -> ChangeReads.change("g", "REVOKED", "BECAUSE")).isInstanceOf(SQLException.class);
  }

  @Test
  void aReasonThatDoesNotFitTheStateFailsTheRead() {
    assertThatThrownBy(() -> ChangeReads.change("g", "REVOKED", null)).isInstanceOf(SQLException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChangeReads.change("g", "EXPIRED", "TASK")).isInstanceOf(SQLException.class);
  }
}
