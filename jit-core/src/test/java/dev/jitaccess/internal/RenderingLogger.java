package dev.jitaccess.internal;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.event.EventRecordingLogger;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.SubstituteLogger;

/**
 * An SLF4J logger that knows nothing of key-value pairs, as slf4j-simple and the JUL and Log4j 1 bridges:
 * SLF4J's fluent API then renders the pairs itself as {@code key=value ...} in front of the message, and
 * {@link #lines()} gives the rendered text line by line, as a plain-text backend would print it. The logger
 * is SLF4J's own all-levels {@link EventRecordingLogger}, so no logger is written here.
 */
final class RenderingLogger {
  private final Queue<SubstituteLoggingEvent> events = new ConcurrentLinkedQueue<>();
  private final Logger logger =
      new EventRecordingLogger(new SubstituteLogger(Slf4jAuditSink.LOGGER_NAME, events, false), events);

  /** The logger to hand to the code under test. */
  Logger logger() {
    return logger;
  }

  /** Every line logged so far, rendered as a plain-text backend would. */
  List<String> lines() {
    return events.stream().map(e -> MessageFormatter.basicArrayFormat(e.getMessage(), e.getArgumentArray())).toList();
  }
}
