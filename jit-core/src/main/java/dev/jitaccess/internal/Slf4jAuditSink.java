package dev.jitaccess.internal;

import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditSink;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLogger;
import org.slf4j.helpers.SubstituteLogger;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Audit to SLF4J: logger {@value #LOGGER_NAME}, level INFO, one line per event.
 *
 * <p>The line carries the key-value pairs {@code type} and {@code at} (ISO-8601) followed by the event's
 * fields in their order, through the SLF4J 2 fluent API, so a structured backend (logstash encoder,
 * JSON layouts) gets them as separate fields. The message is {@code audit <TYPE>} plus
 * {@code grant=<id>} when the event concerns one grant. Events carry no secrets (a token appears at
 * most as its SHA-256), so every field is logged.
 *
 * <p>Every value is written in logfmt form by {@link UntrustedText#escape(String)} (bare when it is
 * plain, otherwise in double quotes with {@code \"}, {@code \\}, {@code \n}, {@code \r}, {@code \t} and
 * backslash-u escapes; a null value stays null), and every key keeps only {@code [A-Za-z0-9_.-]}, other
 * characters written as {@code %XXXX} (the UTF-16 code unit in hex; an empty key as a lone {@code %}). So a backend that prints
 * the pairs as {@code key=value} (SLF4J's own fallback, Logback's {@code %kvp{NONE}}) writes a line that
 * parses back to exactly the event's fields: caller data (a task id such as
 * {@code build-1 type=REVOKED grant_id=g-2}, a CR/LF, an ESC) can neither add a field nor forge a line.
 *
 * <p>{@link #requireDelivering()} refuses when SLF4J would drop every line: no provider bound (SLF4J's
 * no-operation fallback) or INFO disabled for {@value #LOGGER_NAME}.
 */
public final class Slf4jAuditSink implements AuditSink {
  /** The logger name. */
  public static final String LOGGER_NAME = "dev.jitaccess.audit";
  /** Key of the event type. */
  static final String TYPE_KEY = "type";
  /** Key of the event time. */
  static final String AT_KEY = "at";

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final Logger logger;

  /** Logs to {@value #LOGGER_NAME}. */
  public Slf4jAuditSink() {
    this(LoggerFactory.getLogger(LOGGER_NAME));
  }

  Slf4jAuditSink(Logger logger) {
    this.logger = Objects.requireNonNull(logger, "logger");
  }

  @Override
  public void record(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    if (!logger.isInfoEnabled()) {
      return;
    }
    LoggingEventBuilder line =
        logger
            .atInfo()
            .addKeyValue(TYPE_KEY, event.type().name())
            .addKeyValue(AT_KEY, event.at().toString());
    for (Map.Entry<String, String> field : event.fields().entrySet()) {
      line = line.addKeyValue(key(String.valueOf(field.getKey())), value(field.getValue()));
    }
    String message = "audit " + event.type().name();
    String grantId = event.fields().get(AuditEvent.GRANT_ID);
    if (grantId != null) {
      message += " grant=" + UntrustedText.escape(grantId);
    }
    line.log(message);
  }

  /**
   * Refuses when every record would be dropped: SLF4J bound to its no-operation logger (no provider on
   * the class path, or slf4j-nop), or INFO disabled for {@value #LOGGER_NAME}.
   */
  @Override
  public void requireDelivering() {
    Logger target = logger;
    if (target instanceof SubstituteLogger substitute && substitute.isDelegateNOP()) {
      target = NOPLogger.NOP_LOGGER;
    }
    if (target instanceof NOPLogger) {
      throw new IllegalStateException("AuditSink.slf4j() would drop every audit record: no SLF4J provider is bound"
          + " (SLF4J falls back to its no-operation logger). Add an SLF4J backend (Logback, Log4j 2, slf4j-simple)"
          + " to the class path, or give the broker another sink (AuditSink.jsonLines(path), your own), or"
          + " AuditSink.discardEveryRecord() to run without an audit trail");
    }
    if (!target.isInfoEnabled()) {
      throw new IllegalStateException("AuditSink.slf4j() would drop every audit record: INFO is disabled for logger "
          + LOGGER_NAME + ". Enable INFO for it in the logging configuration, or give the broker another sink"
          + " (AuditSink.jsonLines(path), your own), or AuditSink.discardEveryRecord() to run without an audit trail");
    }
  }

  @Override
  public String toString() {
    return "Slf4jAuditSink[" + logger.getName() + "]";
  }

  /** A field value as logged: {@link UntrustedText#escape(String)}, null kept as null. */
  static @Nullable String value(@Nullable String value) {
    return value == null ? null : UntrustedText.escape(value);
  }

  /**
   * A field name as logged: {@code [A-Za-z0-9_.-]} as is, every other UTF-16 code unit as {@code %XXXX}
   * (four hex digits, so lone surrogates survive too), the empty name as a lone {@code %}.
   */
  static String key(String key) {
    if (key.isEmpty()) {
      return "%";
    }
    int i = 0;
    while (i < key.length() && plainKeyChar(key.charAt(i))) {
      i++;
    }
    if (i == key.length()) {
      return key;
    }
    StringBuilder out = new StringBuilder(key.length() + 16).append(key, 0, i);
    for (; i < key.length(); i++) {
      char c = key.charAt(i);
      if (plainKeyChar(c)) {
        out.append(c);
      } else {
        out.append('%').append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
            .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
      }
    }
    return out.toString();
  }

  private static boolean plainKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  }
}
