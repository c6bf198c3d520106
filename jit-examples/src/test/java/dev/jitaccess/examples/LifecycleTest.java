package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Verification;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  @Test
  void aGrantVerifiesWhileOpenIsRefusedAfterCloseAndExpiresWithItsCallbacks() {
    Lifecycle.Result[] result = new Lifecycle.Result[1];
    String printed = Outputs.capture(out -> result[0] = Lifecycle.run(out));
    Lifecycle.Result r = result[0];

    assertThat(r.whileOpen().isVerified()).isTrue();
    assertThat(r.afterClose()).isInstanceOfSatisfying(Verification.Rejected.class,
        rej -> assertThat(rej.reason()).isEqualTo(Verification.RejectionReason.REVOKED));
    assertThat(r.afterExpiry()).isInstanceOfSatisfying(Verification.Rejected.class,
        rej -> assertThat(rej.reason()).isEqualTo(Verification.RejectionReason.EXPIRED));
    assertThat(r.callbacks()).containsExactly("expiring at 2030-01-15T09:08:00Z", "expired at 2030-01-15T09:10:00Z");
    assertThat(printed).doesNotContain("eyJ");
  }
}
