package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class Slf4jAuditSinkTest {
  private static final Instant AT = Instant.parse("2026-03-01T10:00:00.123Z");

  private final RecordingLogger logger = new RecordingLogger(Slf4jAuditSink.LOGGER_NAME, Level.INFO);
  private final Slf4jAuditSink sink = new Slf4jAuditSink(logger);

  private static Map<String, String> fields(String... keyValues) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      fields.put(keyValues[i], keyValues[i + 1]);
    }
    return fields;
  }

  @Test
  void logsOneInfoLineWithTypeTimeAndFieldsAsKeyValuePairs() {
    sink.record(new AuditEvent(AuditEventType.ISSUED, AT, fields(
        AuditEvent.GRANT_ID, "g-1",
        AuditEvent.TASK_ID, "deploy-42",
        AuditEvent.IDENTITY, "spiffe://example.org/ci",
        AuditEvent.TOKEN_SHA256, "q1w2e3")));

    assertThat(logger.entries()).singleElement().satisfies(e -> {
      assertThat(e.level()).isEqualTo(Level.INFO);
      assertThat(e.message()).isEqualTo("audit ISSUED grant=g-1");
      assertThat(e.keyValues()).containsExactly(
          Map.entry("type", "ISSUED"),
          Map.entry("at", "2026-03-01T10:00:00.123Z"),
          Map.entry("grant_id", "g-1"),
          Map.entry("task_id", "deploy-42"),
          Map.entry("identity", "spiffe://example.org/ci"),
          Map.entry("token_sha256", "q1w2e3"));
      assertThat(e.throwable()).isNull();
    });
  }

  @Test
  void anEventWithoutAGrantHasNoGrantInTheMessage() {
    sink.record(new AuditEvent(AuditEventType.DENIED, AT, fields(AuditEvent.REASON, "no rule matched")));
    assertThat(logger.entries()).singleElement().satisfies(e -> {
      assertThat(e.message()).isEqualTo("audit DENIED");
      assertThat(e.keyValues()).containsEntry("reason", "no rule matched");
    });
  }

  @Test
  void callerDataCannotForgeLogLines() {
    sink.record(new AuditEvent(AuditEventType.REVOKED, AT, fields(
        AuditEvent.GRANT_ID, "g-1\nINFO audit ISSUED grant=forged",
        AuditEvent.JUSTIFICATION, "line1\r\nline2\ttab\u0007bell",
        "weird\nkey", "v")));

    assertThat(logger.entries()).singleElement().satisfies(e -> {
      assertThat(e.message()).isEqualTo("audit REVOKED grant=g-1\\nINFO audit ISSUED grant=forged");
      assertThat(e.keyValues())
          .containsEntry("justification", "line1\\r\\nline2\\ttab\\u0007bell")
          .containsEntry("weird\\nkey", "v");
    });
  }

  @Test
  void nonAsciiAndQuotesPassUnchanged() {
    assertThat(Slf4jAuditSink.escape("Zoë \"quoted\" \\ 日本 😀")).isEqualTo("Zoë \"quoted\" \\ 日本 😀");
    assertThat(Slf4jAuditSink.escape("a\u0000b\u009fc")).isEqualTo("a\\u0000b\\u009fc");
    assertThat(Slf4jAuditSink.escape(null)).isNull();
  }

  @Test
  void aNullFieldValueIsLoggedAsNull() {
    sink.record(new AuditEvent(AuditEventType.EXPIRED, AT, fields(AuditEvent.GRANT_ID, "g-1", AuditEvent.OWNER, null)));
    assertThat(logger.entries()).singleElement().satisfies(e ->
        assertThat(e.keyValues()).containsEntry("owner", null));
  }

  @Test
  void nothingIsBuiltWhenInfoIsOff() {
    RecordingLogger quiet = new RecordingLogger(Slf4jAuditSink.LOGGER_NAME, Level.WARN);
    new Slf4jAuditSink(quiet).record(new AuditEvent(AuditEventType.ISSUED, AT, fields(AuditEvent.GRANT_ID, "g")));
    assertThat(quiet.entries()).isEmpty();
  }

  @Test
  void rejectsNulls() {
    assertThatThrownBy(() -> sink.record(null)).isInstanceOf(NullPointerException.class).hasMessage("event");
    assertThatThrownBy(() -> new Slf4jAuditSink(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void theDefaultSinkUsesTheAuditLogger() {
    AuditSink sink = AuditSink.slf4j();
    assertThat(sink).isInstanceOf(Slf4jAuditSink.class);
    assertThat(sink.toString()).startsWith("Slf4jAuditSink");
    sink.record(new AuditEvent(AuditEventType.VERIFIED, AT, fields(AuditEvent.GRANT_ID, "g")));
  }
}
