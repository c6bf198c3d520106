package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Fixtures.FakeIdentities;
import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.Fixtures.RecordingListener;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantListener;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the guards that came with the broker's split into config, admission, issuer,
 * lifecycle and events: the TTL rule (break-glass cap included) is the same at re-mint as at first
 * issue, a throwing listener changes no outcome, and {@code isLive} is public. The builder and config
 * guards are in {@link BrokerConfigTest}, the scheduler guards in {@link GuardedSchedulerTest}.
 */
class BrokerSplitRegressionTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final RecordingAudit audit = new RecordingAudit();
  final RecordingListener listener = new RecordingListener();

  @Test
  void remintAppliesTheBreakGlassCapAsFirstIssueDoes() {
    PolicyEvaluatorStub policy = new PolicyEvaluatorStub();
    try (GrantBroker broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new FakeIdentities())
        .policy(policy::evaluate).clock(clock).scheduler(clock).auditSink(audit)
        .breakGlassTtl(Duration.ofMinutes(4)).build()) {
      Grant grant = broker.request(Fixtures.request(DEPLOYER).taskId("t1").renewing(true)
          .ttl(Duration.ofMinutes(30)).build());
      assertThat(grant.info().breakGlass()).isTrue();
      assertThat(Duration.between(clock.instant(), grant.expiresAt())).isEqualTo(Duration.ofMinutes(4));
      clock.advance(Duration.ofMinutes(3)); // past the re-mint point (half the lifetime)
      assertThat(audit.of(AuditEventType.REMINTED)).isNotEmpty();
      // the re-mint used to skip the cap and give the full 30 minutes
      assertThat(grant.expiresAt()).isBeforeOrEqualTo(clock.instant().plus(Duration.ofMinutes(4)));
    }
  }

  /** A policy that grants renewing break-glass terms. */
  static final class PolicyEvaluatorStub {
    Decision evaluate(dev.jitaccess.spi.PolicyContext ctx) {
      GrantTerms terms = new GrantTerms(ctx.request().actions(), Duration.ofHours(1), null, false, true,
          true, 0);
      return new Decision.Allow(terms, List.of("standing-break-glass"), List.of(), "v1");
    }
  }

  @Test
  void throwingListenerChangesNoOutcome() {
    GrantListener throwing = new GrantListener() {
      @Override
      public void onIssued(GrantInfo grant) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void onRevoked(GrantInfo grant, RevocationReason reason) {
        throw new IllegalStateException("listener bug");
      }
    };
    try (GrantBroker broker = Fixtures.minimalBroker(audit).clock(clock).scheduler(clock).listener(throwing)
        .listener(listener).build()) {
      Grant grant = broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5)).build());
      assertThat(grant.isLive()).isTrue();
      assertThat(broker.revoke(grant.id())).isTrue();
      assertThat(listener.calls).contains("issued:" + grant.id(), "revoked-EXPLICIT:" + grant.id());
      assertThat(audit.types()).contains(AuditEventType.ISSUED, AuditEventType.REVOKED);
    }
  }

  @Test
  void isLiveIsPartOfThePublicContract() {
    try (GrantBroker broker = Fixtures.minimalBroker(audit).clock(clock).scheduler(clock).build()) {
      Grant grant = broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5)).build());
      assertThat(broker.isLive(grant.id())).isTrue();
      assertThat(broker.isLive("no-such-grant")).isFalse();
      grant.close();
      assertThat(broker.isLive(grant.id())).isFalse();
    }
  }
}
