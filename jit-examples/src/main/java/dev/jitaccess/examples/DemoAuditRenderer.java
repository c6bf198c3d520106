package dev.jitaccess.examples;

import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import java.io.PrintStream;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The demo's view of the audit trail: one short line per event, in the narration's own layout, for a
 * person reading a terminal. It shows the time (UTC, time of day), the event type and, per type, the few
 * fields that tell it apart (task, grant, approval, deciding rules, approvers, expiry, token hash,
 * reason); identity, owner, resource and the like are already in the narration. Ids and hashes are
 * shortened to {@value #SHORT} characters and every line is cut at {@value #MAX_WIDTH} characters.
 *
 * <p>Demo only: a production trail keeps every field in full ({@link AuditSink#slf4j()},
 * {@link AuditSink#jsonLines}). Like every sink it never sees a token, only its SHA-256, of which it
 * prints the first {@value #SHORT} characters. A value holding a control character is not printed at all
 * (it could forge a line of the narration); such a value never occurs in the demo's own scenarios.
 */
final class DemoAuditRenderer implements AuditSink {
  /** The longest line this renderer prints, its indentation included. */
  static final int MAX_WIDTH = 120;
  /** How many characters of an id or a hash are shown. */
  static final int SHORT = 8;
  /** The label column of every audit line, aligned with {@link Narrator#step}. */
  static final String LABEL = "audit";

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private static final Field TASK = new Field(AuditEvent.TASK_ID, "task", false);
  private static final Field GRANT = new Field(AuditEvent.GRANT_ID, "grant", true);
  private static final Field APPROVAL = new Field(AuditEvent.APPROVAL_ID, "approval", true);
  private static final Field RULES = new Field(AuditEvent.RULES, "rules", false);
  private static final Field APPROVERS = new Field(AuditEvent.APPROVERS, "by", false);
  private static final Field UNTIL = new Field(AuditEvent.EXPIRES_AT, "until", false);
  private static final Field TOKEN = new Field(AuditEvent.TOKEN_SHA256, "token", true);
  private static final Field REASON = new Field(AuditEvent.REASON, "reason", false);

  /**
   * The fields shown per event type, in this order; the reason comes last, as it is the one cut short.
   * A type not listed here (a newer one) shows its grant and reason.
   */
  private static final Map<AuditEventType, List<Field>> SHOWN = shown();

  private static Map<AuditEventType, List<Field>> shown() {
    Map<AuditEventType, List<Field>> m = new EnumMap<>(AuditEventType.class);
    m.put(AuditEventType.REQUESTED, List.of(TASK));
    m.put(AuditEventType.EVALUATED, List.of(RULES, REASON));
    m.put(AuditEventType.DENIED, List.of(RULES, REASON));
    m.put(AuditEventType.APPROVAL_REQUESTED, List.of(APPROVAL, RULES));
    m.put(AuditEventType.APPROVAL_APPROVED, List.of(APPROVAL, APPROVERS));
    m.put(AuditEventType.APPROVAL_REJECTED, List.of(APPROVAL, APPROVERS, REASON));
    m.put(AuditEventType.APPROVAL_TIMED_OUT, List.of(APPROVAL, REASON));
    m.put(AuditEventType.ISSUED, List.of(GRANT, RULES, UNTIL, TOKEN));
    m.put(AuditEventType.BREAK_GLASS, List.of(GRANT, RULES, UNTIL, TOKEN));
    m.put(AuditEventType.REMINTED, List.of(GRANT, UNTIL, TOKEN));
    m.put(AuditEventType.RENEWED, List.of(GRANT, UNTIL, REASON));
    m.put(AuditEventType.DELEGATED, List.of(GRANT, UNTIL, REASON));
    m.put(AuditEventType.REVOKED, List.of(GRANT, REASON));
    m.put(AuditEventType.EXPIRED, List.of(GRANT, REASON));
    m.put(AuditEventType.VERIFIED, List.of(GRANT));
    // with its hash: a token that names no grant (tampered, foreign) is known by nothing else
    m.put(AuditEventType.VERIFY_REJECTED, List.of(GRANT, TOKEN, REASON));
    m.put(AuditEventType.REPLAY_BLOCKED, List.of(GRANT, REASON));
    m.put(AuditEventType.REUSE_BLOCKED, List.of(GRANT, REASON));
    return m;
  }

  private final PrintStream out;

  DemoAuditRenderer(PrintStream out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  @Override
  public void record(AuditEvent event) {
    out.println(render(event));
  }

  /** The line for {@code event}, at most {@value #MAX_WIDTH} characters, without a line break. */
  static String render(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    StringBuilder line = new StringBuilder(String.format("  %-10s %s %-18s", LABEL, time(event.at()),
        event.type().name()));
    for (Field f : SHOWN.getOrDefault(event.type(), List.of(GRANT, REASON))) {
      String value = event.fields().get(f.key());
      if (value == null || value.isEmpty()) {
        continue;
      }
      line.append(' ').append(f.label()).append(' ').append(show(f, value));
    }
    return cut(line.toString().stripTrailing());
  }

  private static String show(Field f, String value) {
    if (value.codePoints().anyMatch(Character::isISOControl)) {
      return "(not shown: control characters)";
    }
    if (f.key().equals(AuditEvent.EXPIRES_AT)) {
      try {
        return time(Instant.parse(value));
      } catch (DateTimeParseException notAnInstant) {
        return value;
      }
    }
    return f.shorten() && value.length() > SHORT + 3 ? value.substring(0, SHORT) + "..." : value;
  }

  /** The time of day in UTC; an instant outside the calendar's range as it is. */
  private static String time(Instant at) {
    try {
      return TIME.format(at);
    } catch (DateTimeException outOfRange) {
      return at.toString();
    }
  }

  private static String cut(String line) {
    return line.length() <= MAX_WIDTH ? line : line.substring(0, MAX_WIDTH - 3) + "...";
  }

  @Override
  public String toString() {
    return "DemoAuditRenderer";
  }

  /** One shown field: its audit key, its label in the line, and whether its value is shortened. */
  private record Field(String key, String label, boolean shorten) {}
}
