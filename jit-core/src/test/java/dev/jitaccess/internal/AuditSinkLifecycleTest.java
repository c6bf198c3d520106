package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AuditTrail;
import dev.jitaccess.JitException;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * Issue 18 items 1 and 6: sinks are closeable, the JSON-lines sink opens again after close in the same JVM,
 * its device flush is a public option, and a sink that would drop every record says so before the broker
 * starts.
 */
class AuditSinkLifecycleTest {
  @TempDir Path dir;

  @Test
  void theJsonLinesSinkOpensAgainAfterCloseInTheSameJvmAndContinuesItsChain() {
    Path file = dir.resolve("audit.jsonl");
    try (AuditSink first = AuditSink.jsonLines(file)) {
      first.record(JsonLinesAuditSinkTest.event(1));
    }
    // an in-JVM restart (tests, Spring DevTools): the same path, a new sink
    try (AuditSink second = AuditSink.jsonLines(file)) {
      second.requireDelivering();
      second.record(JsonLinesAuditSinkTest.event(2));
    }
    assertThat(AuditTrail.verify(file)).isEqualTo(new AuditTrail.Check(true, 2, 0, ""));
  }

  @Test
  void aSinkThatWasNotClosedStillHoldsTheFile() {
    Path file = dir.resolve("audit.jsonl");
    try (AuditSink open = AuditSink.jsonLines(file)) {
      assertThatThrownBy(() -> AuditSink.jsonLines(file))
          .isInstanceOf(JitException.class).hasMessageContaining("already open for writing");
      open.record(JsonLinesAuditSinkTest.event(1));
    }
  }

  @Test
  void deviceDurabilityForcesEachLineAndTheDefaultDoesNot() {
    try (AuditSink device = AuditSink.jsonLines(dir.resolve("device.jsonl"), AuditSink.Durability.DEVICE);
        AuditSink os = AuditSink.jsonLines(dir.resolve("os.jsonl"), AuditSink.Durability.OPERATING_SYSTEM);
        AuditSink plain = AuditSink.jsonLines(dir.resolve("plain.jsonl"))) {
      assertThat(((JsonLinesAuditSink) device).forcesEachLine()).isTrue();
      assertThat(((JsonLinesAuditSink) os).forcesEachLine()).isFalse();
      assertThat(((JsonLinesAuditSink) plain).forcesEachLine()).isFalse();
      device.record(JsonLinesAuditSinkTest.event(1));
    }
    assertThat(AuditTrail.verify(dir.resolve("device.jsonl")).records()).isEqualTo(1);
  }

  @Test
  void jsonLinesRefusesNullArgumentsByName() {
    assertThatThrownBy(() -> AuditSink.jsonLines(null)).isInstanceOf(NullPointerException.class).hasMessage("file");
    assertThatThrownBy(() -> AuditSink.jsonLines(null, AuditSink.Durability.DEVICE))
        .isInstanceOf(NullPointerException.class).hasMessage("file");
    assertThatThrownBy(() -> AuditSink.jsonLines(dir.resolve("a.jsonl"), null))
        .isInstanceOf(NullPointerException.class).hasMessage("durability");
  }

  @Test
  void aClosedJsonLinesSinkIsNotDelivering() {
    AuditSink sink = AuditSink.jsonLines(dir.resolve("audit.jsonl"));
    sink.close();
    assertThatThrownBy(sink::requireDelivering).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> sink.record(JsonLinesAuditSinkTest.event(1))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeAndRequireDeliveringAreNoOpsForASinkThatHoldsNothing() {
    List<AuditEvent> seen = new ArrayList<>();
    AuditSink lambda = seen::add;
    lambda.requireDelivering();
    lambda.close();
    lambda.record(JsonLinesAuditSinkTest.event(1));
    assertThat(seen).hasSize(1);
  }

  /** Issue 18 item 1: this test class path has no SLF4J provider, so SLF4J drops every line. */
  @Test
  void theSlf4jSinkRefusesWhenNoSlf4jProviderIsBound() {
    assertThat(LoggerFactory.getILoggerFactory()).as("no SLF4J provider in jit-core's tests")
        .isInstanceOf(NOPLoggerFactory.class);
    assertThatThrownBy(() -> AuditSink.slf4j().requireDelivering())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no SLF4J provider is bound")
        .hasMessageContaining("AuditSink.jsonLines(path)")
        .hasMessageContaining("AuditSink.discardEveryRecord()");
  }

  @Test
  void theSlf4jSinkRefusesWhenInfoIsDisabledForTheAuditLogger() {
    Slf4jAuditSink quiet = new Slf4jAuditSink(new RecordingLogger(Slf4jAuditSink.LOGGER_NAME, Level.WARN));
    assertThatThrownBy(quiet::requireDelivering)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("INFO is disabled for logger dev.jitaccess.audit");
  }

  @Test
  void theSlf4jSinkDeliversThroughALoggerWithInfoEnabled() {
    Slf4jAuditSink sink = new Slf4jAuditSink(new RecordingLogger(Slf4jAuditSink.LOGGER_NAME, Level.INFO));
    assertThatCode(sink::requireDelivering).doesNotThrowAnyException();
    assertThatCode(sink::close).doesNotThrowAnyException();
  }

  @Test
  void discardingIsExplicitAndLoudlyNamed() {
    AuditSink discard = AuditSink.discardEveryRecord();
    assertThatCode(discard::requireDelivering).doesNotThrowAnyException();
    discard.record(JsonLinesAuditSinkTest.event(1));
    assertThat(discard).hasToString("AuditSink.discardEveryRecord()");
    assertThatThrownBy(() -> discard.record(null)).isInstanceOf(NullPointerException.class).hasMessage("event");
  }
}
