package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Fixtures.FakeIdentities;
import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.Fixtures.RecordingListener;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the lifecycle timer and bulk revocation: an ended grant leaves no timer entry
 * behind (closed try-with-resources grants used to keep two entries each until they fell due), and
 * revoking a task reports each grant exactly once.
 */
class LifecycleTimerRegressionTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final RecordingAudit audit = new RecordingAudit();
  final RecordingListener listener = new RecordingListener();
  final DefaultGrantBroker broker = (DefaultGrantBroker) GrantBroker.builder()
      .issuer(ISSUER)
      .identityVerifier(new FakeIdentities())
      .policy(Fixtures.allowAll(Duration.ofMinutes(10)))
      .clock(clock)
      .scheduler(clock)
      .auditSink(audit)
      .listener(listener)
      .maxGrantsPerIdentity(1_000)
      .maxGrantsPerTask(1_000)
      .build();

  @AfterEach
  void close() {
    broker.close();
  }

  Grant grant(String task) {
    return broker.request(Fixtures.request(DEPLOYER).taskId(task).ttl(Duration.ofMinutes(5)).build());
  }

  @Test
  void closedGrantLeavesNoTimerEntry() {
    try (Grant g = grant("t1")) {
      assertThat(g.isLive()).isTrue();
      assertThat(broker.pendingTimerEntries()).isEqualTo(1); // one entry per grant, not EXPIRING + EXPIRY
    }
    assertThat(broker.pendingTimerEntries()).isZero();
    assertThat(broker.trackedGrants()).isZero();
  }

  @Test
  void revokedGrantLeavesNoTimerEntryAndNoLaterCallback() {
    Grant g = grant("t1");
    assertThat(broker.revoke(g.id())).isTrue();
    assertThat(broker.pendingTimerEntries()).isZero();
    clock.advance(Duration.ofMinutes(30));
    assertThat(listener.count("expiring:")).isZero();
    assertThat(listener.count("expired:")).isZero();
    assertThat(listener.count("revoked-EXPLICIT:")).isEqualTo(1);
  }

  @Test
  void manyClosedGrantsKeepTheTimerEmpty() {
    for (int i = 0; i < 500; i++) {
      try (Grant g = grant("t" + i)) {
        assertThat(g.id()).isNotEmpty();
      }
    }
    assertThat(broker.pendingTimerEntries()).isZero();
    // cancelled entries are dropped lazily but never pile up: at most MIN_COMPACT of them wait
    assertThat(broker.queuedTimerEntries()).isLessThan(LifecycleTimer.MIN_COMPACT);
  }

  @Test
  void expiringThenExpiryFireFromOneEntryAndThenItIsGone() {
    Grant g = grant("t1");
    clock.advance(Duration.ofMinutes(4)); // 80% of 5 minutes
    assertThat(listener.calls).contains("expiring:" + g.id());
    assertThat(broker.pendingTimerEntries()).isEqualTo(1); // the same entry, now at the expiry
    clock.advance(Duration.ofMinutes(1));
    assertThat(listener.calls).containsSubsequence("expiring:" + g.id(), "expired:" + g.id());
    assertThat(broker.pendingTimerEntries()).isZero();
    assertThat(broker.trackedGrants()).isZero();
  }

  @Test
  void timerEntryOfARevokedGrantInAPendingFireIsNotRescheduled() {
    Grant a = grant("t1");
    Grant b = grant("t2");
    broker.revoke(a.id());
    clock.advance(Duration.ofMinutes(5));
    assertThat(listener.calls).contains("expired:" + b.id()).doesNotContain("expired:" + a.id());
    assertThat(broker.pendingTimerEntries()).isZero();
  }

  @Test
  void revokeTaskReportsEachGrantExactlyOnce() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ids.add(grant("bulk").id());
    }
    Grant other = grant("other");
    assertThat(broker.revokeTask("bulk")).isEqualTo(300);
    assertThat(broker.revokeTask("bulk")).isZero(); // idempotent
    List<AuditEvent> revoked = audit.of(AuditEventType.REVOKED);
    assertThat(revoked).hasSize(300);
    Set<String> audited = new HashSet<>();
    revoked.forEach(e -> audited.add(e.grantId().orElseThrow()));
    assertThat(audited).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(revoked).allSatisfy(e -> assertThat(e.field(AuditEvent.REASON)).hasValue("TASK"));
    assertThat(listener.count("revoked-TASK:")).isEqualTo(300);
    for (String id : ids) {
      assertThat(listener.calls.stream().filter(c -> c.equals("revoked-TASK:" + id)).count()).isEqualTo(1);
      assertThat(broker.isLive(id)).isFalse();
    }
    assertThat(broker.isLive(other.id())).isTrue();
    assertThat(broker.pendingTimerEntries()).isEqualTo(1); // only the other task's grant
    clock.advance(Duration.ofMinutes(30));
    assertThat(audit.of(AuditEventType.REVOKED)).hasSize(300); // nothing reported twice by a late timer
    assertThat(listener.count("expired:")).isEqualTo(1);
    assertThat(broker.pendingTimerEntries()).isZero();
  }
}
