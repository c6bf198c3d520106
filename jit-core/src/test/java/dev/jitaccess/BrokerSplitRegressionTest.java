package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.jitaccess.Fixtures.FakeIdentities;
import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.Fixtures.RecordingListener;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the guards that came with the broker's split into config, admission, issuer,
 * lifecycle and events: build() leaves its builder alone, a throwing scheduler cannot stop the lifecycle
 * timer, the TTL rule (break-glass cap included) is the same at re-mint as at first issue, and a
 * throwing listener changes no outcome.
 */
class BrokerSplitRegressionTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final RecordingAudit audit = new RecordingAudit();
  final RecordingListener listener = new RecordingListener();

  GrantBroker.Builder minimal() {
    return GrantBroker.builder().issuer(ISSUER).identityVerifier(new FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(10))).auditSink(audit);
  }

  @Test
  void buildNeverMutatesItsBuilder() {
    GrantBroker.Builder b = minimal().maxTtl(Duration.ofMinutes(5)).scheduler(clock);
    b.build().close();
    // build() used to write the resolved defaults back (breakGlassTtl = maxTtl, clock = systemUTC),
    // so these setters threw "already set"
    assertThatCode(() -> b.breakGlassTtl(Duration.ofMinutes(2))).doesNotThrowAnyException();
    assertThatCode(() -> b.clock(clock)).doesNotThrowAnyException();
    b.build().close();
  }

  @Test
  void breakGlassTtlDefaultsToMaxTtlWhenThatIsShorter() {
    BrokerConfig c = BrokerConfig.of(minimal().maxTtl(Duration.ofMinutes(5)).scheduler(clock));
    assertThat(c.breakGlassTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(BrokerConfig.of(minimal().scheduler(clock)).breakGlassTtl()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void configToStringRedactsTheSigningKey() {
    String pem = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAsecretsecret\n-----END PRIVATE KEY-----";
    GrantBroker.Builder b = minimal().scheduler(clock).signingKey(pem);
    assertThat(BrokerConfig.of(b).toString()).doesNotContain("secretsecret").contains("<redacted>");
  }

  /** A scheduler that throws on its first {@code schedule} call, then delegates to the manual clock. */
  static final class ThrowsOnce implements Scheduler {
    final Scheduler delegate;
    final AtomicInteger calls = new AtomicInteger();

    ThrowsOnce(Scheduler delegate) {
      this.delegate = delegate;
    }

    @Override
    public Cancellable schedule(Runnable task, Instant at) {
      if (calls.getAndIncrement() == 0) {
        throw new IllegalStateException("scheduler queue full");
      }
      return delegate.schedule(task, at);
    }
  }

  @Test
  void guardedSchedulerKeepsTheTimerRunningAfterAThrow() {
    ThrowsOnce scheduler = new ThrowsOnce(clock);
    try (GrantBroker broker = minimal().clock(clock).scheduler(scheduler).listener(listener)
        .build()) {
      // the first grant's wake-up is the one that throws: the request still succeeds
      Grant first = broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5)).build());
      clock.advance(Duration.ofMinutes(1));
      Grant second = broker.request(Fixtures.request(DEPLOYER).taskId("t2").ttl(Duration.ofMinutes(5)).build());
      clock.advance(Duration.ofMinutes(10));
      assertThat(scheduler.calls.get()).isGreaterThan(1);
      assertThat(listener.calls).contains("expired:" + first.id(), "expired:" + second.id());
      assertThat(audit.of(AuditEventType.EXPIRED)).hasSize(2);
    }
  }

  @Test
  void guardedSchedulerTreatsANullCancellableAsNothingScheduled() {
    AtomicInteger calls = new AtomicInteger();
    Scheduler nullOnce = (task, at) -> calls.getAndIncrement() == 0 ? null : clock.schedule(task, at);
    try (GrantBroker broker = minimal().clock(clock).scheduler(nullOnce).listener(listener).build()) {
      Grant first = broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5)).build());
      Grant second = broker.request(Fixtures.request(DEPLOYER).taskId("t2").ttl(Duration.ofMinutes(5)).build());
      clock.advance(Duration.ofMinutes(10));
      assertThat(listener.calls).contains("expired:" + first.id(), "expired:" + second.id());
    }
  }

  @Test
  void guardedSchedulerLogsATaskThatThrowsInsteadOfPassingItOn() {
    AtomicInteger ran = new AtomicInteger();
    GuardedScheduler guarded = new GuardedScheduler(clock);
    guarded.schedule(() -> {
      ran.incrementAndGet();
      throw new IllegalStateException("boom");
    }, clock.instant().plusSeconds(1));
    assertThatCode(() -> clock.advance(Duration.ofSeconds(2))).doesNotThrowAnyException();
    assertThat(ran.get()).isEqualTo(1);
  }

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
      GrantTerms terms = new GrantTerms(ctx.request().actions(), Duration.ofHours(1), Optional.empty(), false, true,
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
    try (GrantBroker broker = minimal().clock(clock).scheduler(clock).listener(throwing)
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
    try (GrantBroker broker = minimal().clock(clock).scheduler(clock).build()) {
      Grant grant = broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5)).build());
      assertThat(broker.isLive(grant.id())).isTrue();
      assertThat(broker.isLive("no-such-grant")).isFalse();
      grant.close();
      assertThat(broker.isLive(grant.id())).isFalse();
    }
  }
}
