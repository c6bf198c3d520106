package dev.jitaccess;

import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Fixtures.FakeIdentities;
import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.Scheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * Issue 18 item 1: {@code GrantBroker.builder().build()} refuses a broker whose audit sink would drop
 * every record (the guard is {@link AuditSink#requireDelivering()}, called by {@code build()}), naming
 * the fix; discarding audit takes the explicit {@link AuditSink#discardEveryRecord()}. jit-core's tests
 * have no SLF4J provider, so the default sink is exactly the case a new user meets.
 */
class BuildRefusesAnAuditSinkThatDropsRecordsTest {
  final ManualClock clock = ManualClock.at("2026-12-04T09:00:00Z");

  GrantBroker.Builder builder() {
    return GrantBroker.builder().issuer(ISSUER).identityVerifier(new FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(10))).clock(clock).scheduler(clock);
  }

  @Test
  void theDefaultSlf4jSinkWithoutAProviderIsRefusedAndTheMessageNamesTheFix() {
    assertThat(LoggerFactory.getILoggerFactory()).as("no SLF4J provider in jit-core's tests")
        .isInstanceOf(NOPLoggerFactory.class);
    assertThatThrownBy(() -> builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("AuditSink.slf4j() would drop every audit record")
        .hasMessageContaining("Add an SLF4J backend")
        .hasMessageContaining("AuditSink.jsonLines(path)")
        .hasMessageContaining("AuditSink.discardEveryRecord()");
    assertThatThrownBy(() -> builder().auditSink(AuditSink.slf4j()).build())
        .as("the same sink given explicitly").isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no SLF4J provider is bound");
  }

  @Test
  void aSinkThatSaysItCannotDeliverStopsTheBuildBeforeAnythingIsScheduled() {
    IllegalStateException refusal = new IllegalStateException("the audit database is read-only");
    AtomicInteger scheduled = new AtomicInteger();
    Scheduler counting = (task, at) -> {
      scheduled.incrementAndGet();
      return clock.schedule(task, at);
    };
    AuditSink refusing = new AuditSink() {
      @Override
      public void record(AuditEvent event) {}

      @Override
      public void requireDelivering() {
        throw refusal;
      }
    };
    assertThatThrownBy(() -> GrantBroker.builder().issuer(ISSUER).identityVerifier(new FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(10))).clock(clock).scheduler(counting)
        .auditSink(refusing).build()).isSameAs(refusal);
    assertThat(scheduled).hasValue(0);
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void aClosedJsonLinesSinkIsRefused(@TempDir Path dir) {
    AuditSink closed = AuditSink.jsonLines(dir.resolve("audit.jsonl"));
    closed.close();
    assertThatThrownBy(() -> builder().auditSink(closed).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
  }

  @Test
  void anExplicitSinkThatDeliversIsAccepted() {
    RecordingAudit audit = new RecordingAudit();
    try (GrantBroker broker = builder().auditSink(audit).build()) {
      assertThat(broker).isNotNull();
    }
  }

  @Test
  void discardingAuditIsPossibleOnlyThroughTheLoudlyNamedOption() {
    try (GrantBroker broker = builder().auditSink(AuditSink.discardEveryRecord()).build()) {
      assertThat(broker).isNotNull();
    }
    assertThat(AuditSink.discardEveryRecord()).hasToString("AuditSink.discardEveryRecord()");
  }
}
