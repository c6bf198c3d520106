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
      assertThat(e.keyValues()).containsEntry("reason", "\"no rule matched\"");
    });
  }

  @Test
  void callerDataCannotForgeLogLines() {
    sink.record(new AuditEvent(AuditEventType.REVOKED, AT, fields(
        AuditEvent.GRANT_ID, "g-1\nINFO audit ISSUED grant=forged",
        AuditEvent.JUSTIFICATION, "line1\r\nline2\ttab\u0007bell\u001b[31m",
        "weird\nkey", "v")));

    assertThat(logger.entries()).singleElement().satisfies(e -> {
      assertThat(e.message()).isEqualTo("audit REVOKED grant=\"g-1\\nINFO audit ISSUED grant=forged\"");
      assertThat(e.keyValues())
          .containsEntry("justification", "\"line1\\r\\nline2\\ttab\\u0007bell\\u001b[31m\"")
          .containsEntry("weird%000Akey", "v");
    });
  }

  /** Issue 14 item 4: a task id with spaces and '=' must not add fields to the rendered line. */
  @Test
  void aValueWithSpacesAndEqualsSignsCannotAddFields() {
    RenderingLogger plain = new RenderingLogger();
    new Slf4jAuditSink(plain.logger()).record(new AuditEvent(AuditEventType.ISSUED, AT, fields(
        AuditEvent.GRANT_ID, "g-1",
        AuditEvent.TASK_ID, "build-1 type=REVOKED grant_id=g-2",
        AuditEvent.PURPOSE, "p\" reason=\"forged",
        AuditEvent.JUSTIFICATION, "x\\\" owner=mallory")));

    String line = plain.lines().get(0);
    assertThat(line).isEqualTo("type=ISSUED at=2026-03-01T10:00:00.123Z grant_id=g-1"
        + " task_id=\"build-1 type=REVOKED grant_id=g-2\" purpose=\"p\\\" reason=\\\"forged\""
        + " justification=\"x\\\\\\\" owner=mallory\" audit ISSUED grant=g-1");
    assertThat(LogfmtLine.parse(line).fields()).containsExactly(
        Map.entry("type", "ISSUED"),
        Map.entry("at", "2026-03-01T10:00:00.123Z"),
        Map.entry("grant_id", "g-1"),
        Map.entry("task_id", "build-1 type=REVOKED grant_id=g-2"),
        Map.entry("purpose", "p\" reason=\"forged"),
        Map.entry("justification", "x\\\" owner=mallory"));
  }

  @Test
  void plainValuesStayBareAndOnlyUnsafeOnesAreQuoted() {
    assertThat(Slf4jAuditSink.value("spiffe://example.org/ci")).isEqualTo("spiffe://example.org/ci");
    assertThat(Slf4jAuditSink.value("Zoë-日本-😀")).isEqualTo("Zoë-日本-😀");
    assertThat(Slf4jAuditSink.value("Zoë \"quoted\" \\ 日本")).isEqualTo("\"Zoë \\\"quoted\\\" \\\\ 日本\"");
    assertThat(Slf4jAuditSink.value("a\u0000b\u009fc\u202e")).isEqualTo("\"a\\u0000b\\u009fc\\u202e\"");
    assertThat(Slf4jAuditSink.value("")).isEqualTo("\"\"");
    assertThat(Slf4jAuditSink.value("null")).isEqualTo("\"null\"");
    assertThat(Slf4jAuditSink.value(null)).isNull();
  }

  @Test
  void keysKeepOnlyPlainCharactersAndPercentEncodeTheRest() {
    assertThat(Slf4jAuditSink.key("grant_id")).isEqualTo("grant_id");
    assertThat(Slf4jAuditSink.key("a b=c\"")).isEqualTo("a%0020b%003Dc%0022");
    assertThat(Slf4jAuditSink.key("%")).isEqualTo("%0025");
    assertThat(Slf4jAuditSink.key("é\ud800")).isEqualTo("%00E9%D800");
    assertThat(Slf4jAuditSink.key("")).isEqualTo("%");
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
