package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.Verification;
import dev.jitaccess.spi.AuditEventType;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NightlyBackupTest {

  @Test
  void heartbeatsKeepTheGrantAndAHungJobLosesItAtTheIdleDeadline() {
    NightlyBackup.Result[] result = new NightlyBackup.Result[1];
    String printed = Outputs.capture(out -> result[0] = NightlyBackup.run(out));
    NightlyBackup.Result r = result[0];

    assertThat(r.grantedTtl()).isEqualTo(Duration.ofMinutes(30));
    assertThat(r.heartbeats()).isEqualTo(4); // 16 minutes of work with a 5-minute idle timeout
    assertThat(r.firstRun()).isEqualTo(RevocationReason.COMPLETED);

    // run 2 starts at 09:16, heart-beats at 09:20, then hangs: lost at 09:25, not at 09:46
    Instant start = Instant.parse(Scene.START);
    assertThat(r.secondRunHardExpiry()).isEqualTo(start.plus(Duration.ofMinutes(16 + 30)));
    assertThat(r.secondRunExpiredAt()).isEqualTo(start.plus(Duration.ofMinutes(16 + 4 + 5)));
    assertThat(r.secondRunExpiredAt()).isBefore(r.secondRunHardExpiry());
    assertThat(r.secondRunError()).contains("heartbeat refused");
    assertThat(r.afterHang()).isInstanceOfSatisfying(Verification.Rejected.class,
        rej -> assertThat(rej.reason()).isEqualTo(Verification.RejectionReason.EXPIRED));

    assertThat(Outputs.types(r.audit())).contains(AuditEventType.RENEWED, AuditEventType.EXPIRED)
        .doesNotContain(AuditEventType.APPROVAL_REQUESTED);
    assertThat(r.audit()).filteredOn(e -> e.type() == AuditEventType.RENEWED).hasSize(5);
    assertThat(printed).contains("ALLOW", "EXPIRED    callback");
    Outputs.assertNoSecrets(printed, r.audit());
  }
}
