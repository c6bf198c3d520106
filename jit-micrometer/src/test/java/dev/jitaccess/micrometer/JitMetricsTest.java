package dev.jitaccess.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Decision;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.JitException;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.micrometer.JitMetrics.DenialReason;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.RecordingAuditSink;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JitMetricsTest {
  private static final String RESOURCE = ReportsBroker.RESOURCE;
  private static final String CI = ReportsBroker.CI;

  private final ReportsBroker world = new ReportsBroker();
  private final ManualClock clock = world.clock;
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final JitMetrics metrics = JitMetrics.register(registry, clock);
  private final RecordingAuditSink recorded = new RecordingAuditSink();
  private final GrantBroker broker = world.broker()
      .maxGrantsPerTask(1)
      .listener(metrics.listener())
      .auditSink(metrics.auditSink(recorded))
      .build();

  @AfterEach
  void close() {
    broker.close();
  }

  private GrantRequest.Builder request(String task) {
    return request(task, RESOURCE, "jit-broker");
  }

  /** A request by the CI workload with an SVID minted for {@code audience} (the broker's is "jit-broker"). */
  private GrantRequest.Builder request(String task, String resource, String audience) {
    return world.request(task, resource, audience);
  }

  private double count(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  /** Issue 18 item 1: the metered wrapper must not hide a sink that drops every record from build(). */
  @Test
  void theMeteredAuditSinkForwardsRequireDelivering() {
    IllegalStateException refusal = new IllegalStateException("drops every record");
    AuditSink refusing = new AuditSink() {
      @Override
      public void record(AuditEvent event) {}

      @Override
      public void requireDelivering() {
        throw refusal;
      }
    };
    assertThatThrownBy(() -> metrics.auditSink(refusing).requireDelivering()).isSameAs(refusal);
    assertThatThrownBy(() -> metrics.auditSink(AuditSink.slf4j()).requireDelivering())
        .as("no SLF4J provider in this module's tests").isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("would drop every audit record");
    metrics.auditSink(new RecordingAuditSink()).requireDelivering();
  }

  @Test
  void everyMeterIsRegisteredUpFrontAtZero() {
    assertThat(count(JitMetrics.GRANTS_ISSUED, "break_glass", "false", "delegated", "false")).isZero();
    assertThat(count(JitMetrics.GRANTS_DENIED, "reason", "quota", "decision", "deny")).isZero();
    assertThat(count(JitMetrics.GRANTS_REVOKED, "reason", "completed")).isZero();
    assertThat(count(JitMetrics.GRANTS_EXPIRED, "reason", "idle")).isZero();
    assertThat(count(JitMetrics.TOKENS_VERIFIED, "outcome", "rejected", "reason", "bad_signature")).isZero();
    assertThat(count(JitMetrics.APPROVALS, "outcome", "timed_out")).isZero();
    assertThat(registry.get(JitMetrics.GRANTS_LIVE).gauge().value()).isZero();
    assertThat(registry.get(JitMetrics.GRANT_LIFETIME).tags("outcome", "expired").timer().count()).isZero();
  }

  @Test
  void aGrantClosedAfterTwoMinutesCountsIssuedRevokedCompletedAndItsLifetime() {
    Grant grant = broker.request(request("build-1").build());
    assertThat(count(JitMetrics.GRANTS_ISSUED, "break_glass", "false", "delegated", "false")).isEqualTo(1);
    assertThat(registry.get(JitMetrics.GRANTS_LIVE).gauge().value()).isEqualTo(1);
    assertThat(metrics.liveGrants()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(2));
    grant.close();

    assertThat(count(JitMetrics.GRANTS_REVOKED, "reason", "completed")).isEqualTo(1);
    assertThat(registry.get(JitMetrics.GRANTS_LIVE).gauge().value()).isZero();
    var lifetime = registry.get(JitMetrics.GRANT_LIFETIME).tags("outcome", "revoked").timer();
    assertThat(lifetime.count()).isEqualTo(1);
    assertThat(lifetime.totalTime(TimeUnit.SECONDS)).isEqualTo(120);
  }

  @Test
  void aGrantThatRunsOutCountsExpiredTtlWithItsFullLifetime() {
    broker.request(request("build-2").build());
    clock.advance(Duration.ofMinutes(5));

    assertThat(count(JitMetrics.GRANTS_EXPIRED, "reason", "ttl")).isEqualTo(1);
    assertThat(count(JitMetrics.GRANTS_EXPIRED, "reason", "idle")).isZero();
    assertThat(metrics.liveGrants()).isZero();
    assertThat(registry.get(JitMetrics.GRANT_LIFETIME).tags("outcome", "expired").timer()
        .totalTime(TimeUnit.SECONDS)).isEqualTo(300);
  }

  @Test
  void aGrantEndedBeforeItsExpiryIsCountedIdle() {
    GrantInfo info = GrantInfo.builder().grantId("g1").subject(CI).issuer("https://jit.example.org")
        .resource(RESOURCE).actions(Set.of("read")).taskId("t").purpose("p").environment("prod")
        .issuedAt(clock.instant()).expiresAt(clock.instant().plus(Duration.ofMinutes(30))).build();
    metrics.listener().onIssued(info);
    clock.advance(Duration.ofMinutes(5));
    metrics.listener().onExpired(info);

    assertThat(count(JitMetrics.GRANTS_EXPIRED, "reason", "idle")).isEqualTo(1);
    assertThat(count(JitMetrics.GRANTS_EXPIRED, "reason", "ttl")).isZero();
  }

  @Test
  void denialsAreCountedByCategoryPolicyIdentityAndQuota() {
    assertThatThrownBy(() -> broker.request(request("t-policy", "https://other.example.org", "jit-broker").build()))
        .isInstanceOf(AccessDeniedException.class);
    assertThatThrownBy(() -> broker.request(request("t-identity", RESOURCE, "someone-else").build()))
        .isInstanceOf(AccessDeniedException.class);
    broker.request(request("t-quota").build());
    assertThatThrownBy(() -> broker.request(request("t-quota").build())).isInstanceOf(AccessDeniedException.class);

    assertThat(count(JitMetrics.GRANTS_DENIED, "reason", "policy", "decision", "deny")).isEqualTo(1);
    assertThat(count(JitMetrics.GRANTS_DENIED, "reason", "identity", "decision", "deny")).isEqualTo(1);
    assertThat(count(JitMetrics.GRANTS_DENIED, "reason", "quota", "decision", "deny")).isEqualTo(1);
    assertThat(registry.find(JitMetrics.GRANTS_DENIED).counters().stream().mapToDouble(c -> c.count()).sum())
        .isEqualTo(3);
  }

  @Test
  void denialCategoriesFollowTheFirstReasonAndFallBackToPolicy() {
    Map<String, DenialReason> table = Map.of(
        "identity: B8: token has expired", DenialReason.IDENTITY,
        "quota: task t already holds 1 live grants", DenialReason.QUOTA,
        "delegation: no parent", DenialReason.DELEGATION,
        "approval apr-1 rejected by bob", DenialReason.APPROVAL,
        "audit: the audit sink failed, so nothing was issued", DenialReason.UNAVAILABLE,
        "store: the grant store failed", DenialReason.UNAVAILABLE,
        "signing: the token could not be signed", DenialReason.UNAVAILABLE,
        "denied by rule agents-never-write", DenialReason.POLICY,
        "identityish text without the colon", DenialReason.POLICY);
    table.forEach((reason, expected) ->
        assertThat(JitMetrics.categorize(Decision.deny(reason))).as(reason).isEqualTo(expected));
    assertThat(JitMetrics.categorize(Decision.deny())).isEqualTo(DenialReason.POLICY);
  }

  @Test
  void verificationsAreCountedByOutcomeAndRejectionReason() {
    Grant grant = broker.request(request("build-3").build());
    String token = grant.token();
    broker.verifier().verify(token, RESOURCE);
    broker.verifier().verify(token.substring(0, token.length() - 4) + "AAAA", RESOURCE);
    grant.close();
    broker.verifier().verify(token, RESOURCE);

    assertThat(count(JitMetrics.TOKENS_VERIFIED, "outcome", "accepted", "reason", "none")).isEqualTo(1);
    assertThat(count(JitMetrics.TOKENS_VERIFIED, "outcome", "rejected", "reason", "bad_signature")).isEqualTo(1);
    assertThat(count(JitMetrics.TOKENS_VERIFIED, "outcome", "rejected", "reason", "revoked")).isEqualTo(1);
  }

  @Test
  void aRejectionWhoseReasonNamesNoKnownCodeCountsAsError() {
    AuditSink sink = metrics.auditSink(e -> { });
    sink.record(new AuditEvent(AuditEventType.VERIFY_REJECTED, clock.instant(),
        Map.of(AuditEvent.REASON, "spiffe://prod.example.org/ci/build: something new")));
    sink.record(new AuditEvent(AuditEventType.REPLAY_BLOCKED, clock.instant(), Map.of()));
    sink.record(new AuditEvent(AuditEventType.REUSE_BLOCKED, clock.instant(), Map.of()));

    assertThat(count(JitMetrics.TOKENS_VERIFIED, "outcome", "rejected", "reason", "error")).isEqualTo(1);
    assertThat(count(JitMetrics.TOKENS_VERIFIED, "outcome", "rejected", "reason", "replayed")).isEqualTo(1);
    assertThat(count(JitMetrics.TOKENS_VERIFIED, "outcome", "rejected", "reason", "wrong_task")).isEqualTo(1);
  }

  @Test
  void approvalEventsAreCountedByOutcome() {
    AuditSink sink = metrics.auditSink(e -> { });
    for (AuditEventType t : List.of(AuditEventType.APPROVAL_REQUESTED, AuditEventType.APPROVAL_REQUESTED,
        AuditEventType.APPROVAL_APPROVED, AuditEventType.APPROVAL_REJECTED)) {
      sink.record(new AuditEvent(t, clock.instant(), Map.of(AuditEvent.APPROVAL_ID, "apr-1")));
    }
    assertThat(count(JitMetrics.APPROVALS, "outcome", "requested")).isEqualTo(2);
    assertThat(count(JitMetrics.APPROVALS, "outcome", "approved")).isEqualTo(1);
    assertThat(count(JitMetrics.APPROVALS, "outcome", "rejected")).isEqualTo(1);
  }

  @Test
  void aFailingDelegateStillFailsAndItsEventIsNotCounted() {
    AuditSink sink = metrics.auditSink(e -> {
      throw new IllegalStateException("disk full");
    });
    AuditEvent verified = new AuditEvent(AuditEventType.VERIFIED, clock.instant(), Map.of());
    assertThatThrownBy(() -> sink.record(verified)).isInstanceOf(IllegalStateException.class).hasMessage("disk full");
    assertThat(count(JitMetrics.TOKENS_VERIFIED, "outcome", "accepted", "reason", "none")).isZero();
  }

  @Test
  void closingTheDecoratedSinkClosesItsDelegate() {
    boolean[] closed = new boolean[1];
    AuditSink delegate = new AuditSink() {
      @Override
      public void record(AuditEvent event) {}

      @Override
      public void close() {
        closed[0] = true;
      }
    };
    metrics.auditSink(delegate).close();
    assertThat(closed[0]).isTrue();
  }

  @Test
  void aBrokerWhoseDecoratedSinkFailsIssuesNothingAndCountsNoIssue() {
    MeterRegistry own = new SimpleMeterRegistry();
    JitMetrics m = JitMetrics.register(own, clock);
    try (GrantBroker failing = world.broker()
        .listener(m.listener())
        .auditSink(m.auditSink(e -> {
          throw new IllegalStateException("audit down");
        }))
        .build()) {
      assertThatThrownBy(() -> failing.request(request("build-4").build())).isInstanceOf(JitException.class);
    }
    assertThat(own.get(JitMetrics.GRANTS_ISSUED).counters().stream().mapToDouble(c -> c.count()).sum()).isZero();
    assertThat(m.liveGrants()).isZero();
  }

  @Test
  void noMeterCarriesAnIdentityTaskResourceOrGrantId() {
    Grant grant = broker.request(request("build-5").build());
    broker.verifier().verify(grant.token(), RESOURCE);
    grant.close();
    assertThatThrownBy(() -> broker.request(request("build-6", "https://other.example.org", "jit-broker").build()))
        .isInstanceOf(AccessDeniedException.class);

    Set<String> tagValues = registry.getMeters().stream().map(Meter::getId).flatMap(id -> id.getTags().stream())
        .map(Tag::getValue).collect(Collectors.toSet());
    assertThat(tagValues).noneMatch(v -> v.contains("spiffe://") || v.contains("build-") || v.contains("https://")
        || v.contains(grant.info().grantId()));
    // every tag value is lower-case letters and underscores from a closed set
    assertThat(tagValues).allMatch(v -> v.matches("[a-z_]+"));
    assertThat(registry.getMeters()).allMatch(mt -> mt.getId().getName().matches("jit\\.[a-z]+(\\.[a-z]+)*"));
  }

  @Test
  void aRevocationReasonOfEveryKindHasItsCounter() {
    for (RevocationReason r : RevocationReason.values()) {
      assertThat(registry.find(JitMetrics.GRANTS_REVOKED).tag("reason", r.name().toLowerCase(java.util.Locale.ROOT))
          .counter()).as(r.name()).isNotNull();
    }
  }

  @Test
  void nullArgumentsAreRefusedByName() {
    assertThatNullPointerException().isThrownBy(() -> JitMetrics.register(null, clock)).withMessage("registry");
    assertThatNullPointerException().isThrownBy(() -> JitMetrics.register(registry, null)).withMessage("clock");
    assertThatNullPointerException().isThrownBy(() -> metrics.auditSink(null)).withMessage("delegate");
  }

  @Test
  void toStringShowsNoIds() {
    broker.request(request("build-7").build());
    assertThat(metrics.toString()).isEqualTo("JitMetrics[live=1]");
    assertThat(metrics.auditSink(recorded).toString()).startsWith("JitMetrics.auditSink(");
  }

  @Test
  void keyAgeCountsFromTheBrokersCurrentSigningKeyAndRestartsAtRotation() {
    MeterRegistry own = new SimpleMeterRegistry();
    JitMetrics.register(own, clock).keyAge(broker::signingKeyActiveSince);
    var gauge = own.get(JitMetrics.KEY_AGE).gauge();
    double before = gauge.value();
    clock.advance(Duration.ofSeconds(90));
    assertThat(gauge.value()).isEqualTo(before + 90);
    broker.rotateKeys();
    assertThat(gauge.value()).as("a rotated key starts a new age").isZero();
  }

  @Test
  void keyAgeIsUnknownWhenTheSourceIsEmptyOrThrows() {
    MeterRegistry own = new SimpleMeterRegistry();
    JitMetrics m = JitMetrics.register(own, clock);
    m.keyAge(Optional::empty);
    assertThat(own.get(JitMetrics.KEY_AGE).gauge().value()).isNaN();
    MeterRegistry other = new SimpleMeterRegistry();
    JitMetrics.register(other, clock).keyAge(() -> {
      throw new IllegalStateException("directory down");
    });
    assertThat(other.get(JitMetrics.KEY_AGE).gauge().value()).isNaN();
    assertThatNullPointerException().isThrownBy(() -> m.keyAge(null)).withMessage("activeSince");
  }
}
