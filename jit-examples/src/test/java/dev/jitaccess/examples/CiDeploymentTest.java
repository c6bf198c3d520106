package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.Verification;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CiDeploymentTest {

  @Test
  void deployGetsAFiveMinuteWriteGrantOnlyAfterOneApprovalAndLosesItWhenTheStepEnds() {
    CiDeployment.Result[] result = new CiDeployment.Result[1];
    String printed = Outputs.capture(out -> result[0] = CiDeployment.run(out));
    CiDeployment.Result r = result[0];

    assertThat(r.requestedTtl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(r.grantedTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(r.approvers()).containsExactly("alice", "bob");
    assertThat(r.successfulDeploy()).isEqualTo(RevocationReason.COMPLETED);
    assertThat(r.failedDeploy()).isEqualTo(RevocationReason.FAILED);
    assertThat(r.afterDeploy()).isInstanceOfSatisfying(Verification.Rejected.class,
        rej -> assertThat(rej.reason()).isEqualTo(Verification.RejectionReason.REVOKED));

    // the plain request() is refused (it needs an approval); each issued grant carries its approver
    assertThat(r.audit()).filteredOn(e -> e.type() == AuditEventType.DENIED)
        .singleElement()
        .satisfies(e -> assertThat(e.field(AuditEvent.REASON)).hasValueSatisfying(
            reason -> assertThat(reason).contains("approval required")));
    assertThat(r.audit()).filteredOn(e -> e.type() == AuditEventType.ISSUED)
        .extracting(e -> e.field(AuditEvent.APPROVERS).orElse(""))
        .containsExactly("alice", "bob");
    assertThat(r.audit()).filteredOn(e -> e.type() == AuditEventType.ISSUED)
        .allSatisfy(e -> assertThat(e.field(AuditEvent.APPROVAL_ID)).isPresent());
    assertThat(r.audit()).filteredOn(e -> e.type() == AuditEventType.REVOKED)
        .extracting(e -> e.field(AuditEvent.REASON).orElse(""))
        .containsExactly("COMPLETED", "FAILED");
    // nothing was issued before the approval
    assertThat(Outputs.types(r.audit()).indexOf(AuditEventType.APPROVAL_APPROVED))
        .isLessThan(Outputs.types(r.audit()).indexOf(AuditEventType.ISSUED));

    assertThat(printed).contains("NEEDS APPROVAL", "alice approves", "reason COMPLETED", "reason FAILED");
    Outputs.assertNoSecrets(printed, r.audit());
  }
}
