package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.slf4j.event.Level;

/**
 * Issue 14 item 4: one audit record always parses back to exactly its fields, whatever the field values
 * (and names) are, both as a plain-text backend prints it and as a structured backend receives it.
 */
class Slf4jAuditSinkParseBackProperties {
  private static final Instant AT = Instant.parse("2026-03-01T10:00:00.123Z");
  private static final List<String> NAMES = List.of(AuditEvent.GRANT_ID, AuditEvent.TASK_ID, AuditEvent.IDENTITY,
      AuditEvent.OWNER, AuditEvent.PURPOSE, AuditEvent.RESOURCE, AuditEvent.REASON, AuditEvent.JUSTIFICATION);

  @Provide
  Arbitrary<String> untrusted() {
    // every character class that matters: separators, quotes, escapes, controls, bidi, surrogates, words
    Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(40);
    Arbitrary<String> tricky = Arbitraries.strings()
        .withChars(' ', '=', '"', '\\', '\n', '\r', '\t', '\u001b', '\u202e', '\u2028', '\ud83d', '\ude00', 'a', '%')
        .ofMaxLength(20);
    Arbitrary<String> words = Arbitraries.of("null", "", "type=REVOKED", "grant_id=g-2", "\"", "a b", "audit");
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, any), net.jqwik.api.Tuple.of(3, tricky), net.jqwik.api.Tuple.of(1, words));
  }

  @Provide
  Arbitrary<Map<String, String>> fields() {
    Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of(NAMES), untrusted());
    return Arbitraries.maps(name, untrusted().injectNull(0.05)).ofMaxSize(8)
        .filter(m -> !m.containsKey("type") && !m.containsKey("at"));
  }

  @Property(tries = 200)
  void aRenderedLineParsesBackToExactlyTheEventsFields(@ForAll("fields") Map<String, String> fields,
      @ForAll AuditEventType type) {
    RenderingLogger plain = new RenderingLogger();
    new Slf4jAuditSink(plain.logger()).record(new AuditEvent(type, AT, fields));

    assertThat(plain.lines()).hasSize(1);
    String line = plain.lines().get(0);
    assertThat(line).doesNotContain("\n", "\r", "\u001b", "\u2028", "\u202e");
    LogfmtLine parsed = LogfmtLine.parse(line);
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("type", type.name());
    expected.put("at", AT.toString());
    expected.putAll(fields);
    assertThat(parsed.fields()).containsExactlyEntriesOf(expected);
    String grant = fields.get(AuditEvent.GRANT_ID);
    assertThat(parsed.message())
        .isEqualTo("audit " + type.name() + (grant == null ? "" : " grant=" + UntrustedText.escape(grant)));
  }

  @Property(tries = 100)
  void structuredPairsDecodeToExactlyTheEventsFields(@ForAll("fields") Map<String, String> fields) {
    RecordingLogger structured = new RecordingLogger(Slf4jAuditSink.LOGGER_NAME, Level.INFO);
    new Slf4jAuditSink(structured).record(new AuditEvent(AuditEventType.REVOKED, AT, fields));

    Map<String, String> decoded = new LinkedHashMap<>();
    structured.entries().get(0).keyValues().forEach((k, v) ->
        decoded.put(LogfmtLine.parse(k + "=x").fields().keySet().iterator().next(),
            v == null ? null : UntrustedText.unescape((String) v)));
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("type", "REVOKED");
    expected.put("at", AT.toString());
    expected.putAll(fields);
    assertThat(decoded).containsExactlyEntriesOf(expected);
  }

  @Property(tries = 200)
  void anEscapedValueIsOneTokenAndUnescapesToTheOriginal(@ForAll("untrusted") String value) {
    String escaped = UntrustedText.escape(value);
    assertThat(UntrustedText.unescape(escaped)).isEqualTo(value);
    assertThat(escaped.chars().allMatch(c -> UntrustedText.isPrintable(c) || Character.isSurrogate((char) c)))
        .as(escaped).isTrue();
    if (!escaped.startsWith("\"")) {
      assertThat(escaped).doesNotContain(" ", "=", "\"", "\\");
    }
  }

  @Provide
  Arbitrary<String> longUntrusted() {
    return Arbitraries.oneOf(untrusted(), Arbitraries.strings().all().ofMinLength(50).ofMaxLength(200),
        untrusted().list().ofMaxSize(10).map(l -> String.join("", l)));
  }

  @Property(tries = 100)
  void anExcerptIsBoundedQuotedAndPrintable(@ForAll("longUntrusted") String value) {
    String excerpt = UntrustedText.excerpt(value);
    assertThat(excerpt).startsWith("\"");
    int close = excerpt.endsWith("...") ? excerpt.length() - 4 : excerpt.length() - 1;
    assertThat(excerpt.charAt(close)).isEqualTo('"');
    String shown = UntrustedText.unescape(excerpt.substring(0, close + 1));
    assertThat(value).startsWith(shown);
    assertThat(shown.length()).isLessThanOrEqualTo(UntrustedText.MAX_EXCERPT);
    assertThat(excerpt).doesNotContain("\n", "\r", "\u001b", "\u202e", "\u2028");
  }
}
