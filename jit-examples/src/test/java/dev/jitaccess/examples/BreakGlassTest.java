package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Decision;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BreakGlassTest {

  @Test
  void breakGlassPassesTheApprovalWithAShortTtlAnAlertAndAReviewFlagButNeverAHardDeny() {
    BreakGlass.Result[] result = new BreakGlass.Result[1];
    String printed = Outputs.capture(out -> result[0] = BreakGlass.run(out));
    BreakGlass.Result r = result[0];

    assertThat(r.normal()).isInstanceOfSatisfying(Decision.NeedsApproval.class,
        d -> assertThat(d.requirement().approvals()).isEqualTo(2));
    assertThat(r.grant().breakGlass()).isTrue();
    assertThat(Duration.between(r.grant().issuedAt(), r.grant().expiresAt()))
        .isEqualTo(Duration.ofMinutes(15)); // asked for 30m, forced to the break-glass TTL
    assertThat(r.alerts()).singleElement().asString()
        .contains("PAGE security-oncall", r.grant().grantId(), BreakGlass.ONCALL);
    assertThat(r.hardDeny()).isInstanceOf(Decision.Deny.class);
    assertThat(r.hardDeny().ruleIds()).containsExactly("never-drop-prod");
    assertThat(r.flaggedForReview()).extracting(AuditEvent::type)
        .contains(AuditEventType.ISSUED, AuditEventType.BREAK_GLASS);
    assertThat(r.flaggedForReview()).filteredOn(e -> e.type() == AuditEventType.ISSUED)
        .singleElement()
        .satisfies(e -> assertThat(e.field(AuditEvent.JUSTIFICATION)).contains(BreakGlass.JUSTIFICATION));
    assertThat(r.audit()).filteredOn(e -> e.type() == AuditEventType.ISSUED).hasSize(1);
    assertThat(printed).contains("ALERT", "hard deny");
    Outputs.assertNoSecrets(printed, r.audit());
  }
}
