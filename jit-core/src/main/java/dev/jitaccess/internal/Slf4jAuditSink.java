package dev.jitaccess.internal;

import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditSink;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Audit to SLF4J: logger {@value #LOGGER_NAME}, level INFO, one line per event.
 *
 * <p>The line carries the key-value pairs {@code type} and {@code at} (ISO-8601) followed by the event's
 * fields in their order, through the SLF4J 2 fluent API, so a structured backend (logstash encoder,
 * JSON layouts) gets them as separate fields. The message is {@code audit <TYPE>} plus
 * {@code grant=<id>} when the event concerns one grant. Events carry no secrets (a token appears at
 * most as its SHA-256), so every field is logged. Control characters (CR, LF, ...) in any key or
 * value are written as escapes ({@code \n}, {@code \r}, {@code \t}, otherwise a backslash-u escape)
 * so that caller data cannot forge extra log lines.
 */
public final class Slf4jAuditSink implements AuditSink {
  /** The logger name. */
  public static final String LOGGER_NAME = "dev.jitaccess.audit";
  /** Key of the event type. */
  static final String TYPE_KEY = "type";
  /** Key of the event time. */
  static final String AT_KEY = "at";

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
      line = line.addKeyValue(escape(String.valueOf(field.getKey())), escape(field.getValue()));
    }
    String message = "audit " + event.type().name();
    String grantId = event.fields().get(AuditEvent.GRANT_ID);
    if (grantId != null) {
      message += " grant=" + escape(grantId);
    }
    line.log(message);
  }

  @Override
  public String toString() {
    return "Slf4jAuditSink[" + logger.getName() + "]";
  }

  /** Escapes ISO control characters; other characters, non-ASCII included, pass unchanged. */
  static @Nullable String escape(@Nullable String value) {
    if (value == null) {
      return null;
    }
    int i = 0;
    while (i < value.length() && !Character.isISOControl(value.charAt(i))) {
      i++;
    }
    if (i == value.length()) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length() + 8).append(value, 0, i);
    for (; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (Character.isISOControl(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
