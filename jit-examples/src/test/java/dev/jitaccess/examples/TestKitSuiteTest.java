package dev.jitaccess.examples;

import static dev.jitaccess.spi.AuditEventType.EXPIRED;
import static dev.jitaccess.spi.AuditEventType.ISSUED;
import static dev.jitaccess.spi.AuditEventType.REQUESTED;
import static dev.jitaccess.spi.AuditEventType.REVOKED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.Verification;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.testkit.JitTestKit;
import dev.jitaccess.testkit.JitTestKitExtension;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.RecordingAuditSink;
import dev.jitaccess.testkit.RecordingListener;
import dev.jitaccess.testkit.RecordingListener.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 5: a test suite written with jit-testkit. The extension hands each test a fresh in-memory
 * broker, manual clock, throwaway trust domain and recorders: no infrastructure, no sleeping. The nested
 * suite {@link ExamplesPolicyKitTest} runs the examples' own policy, the way a team tests its policy
 * before shipping it.
 */
@ExtendWith(JitTestKitExtension.class)
class TestKitSuiteTest {

  @Test
  void aDeployJobGetsAGrantThatEndsWithTheTask(JitTestKit kit, RecordingAuditSink audit) {
    try (Grant grant = kit.broker().request(kit.request("spiffe://example.org/ci/deploy")
        .taskId("deploy-42").purpose("deploy").resource("db://prod").actions("write")
        .environment("prod").ttl(Duration.ofMinutes(5)).build())) {
      assertThat(kit.verifier().verify(grant.token(), "db://prod").isVerified()).isTrue();
    }
    assertThat(audit.types()).containsSubsequence(REQUESTED, ISSUED, REVOKED);
    assertThat(audit.last(REVOKED).field(AuditEvent.REASON)).contains("COMPLETED");
  }

  @Test
  void aGrantExpiresWhenTheManualClockPassesItsTtl(GrantBroker broker, ManualClock clock, JitTestKit kit,
      RecordingListener listener, RecordingAuditSink audit) {
    Grant grant = broker.request(kit.request("spiffe://example.org/jobs/report")
        .taskId("report-7").purpose("report").resource("https://reports.test").actions("read")
        .environment("dev").ttl(Duration.ofMinutes(10)).build());

    clock.advance(Duration.ofMinutes(8));
    assertThat(listener.grantIds(Kind.EXPIRING)).containsExactly(grant.id());
    assertThat(listener.grantIds(Kind.EXPIRED)).isEmpty();

    clock.advance(Duration.ofMinutes(2));
    assertThat(listener.grantIds(Kind.EXPIRED)).containsExactly(grant.id());
    assertThat(audit.forGrant(grant.id())).extracting(AuditEvent::type).contains(EXPIRED);
    assertThat(broker.verifier().verify(grant.token(), "https://reports.test"))
        .isInstanceOfSatisfying(Verification.Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(Verification.RejectionReason.EXPIRED));
  }
}
