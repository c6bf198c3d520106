package dev.jitaccess.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * An SLF4J logger that knows nothing of key-value pairs, as slf4j-simple and the JUL and Log4j 1 bridges:
 * SLF4J's fluent API then renders the pairs itself as {@code key=value ...} in front of the message, and
 * this logger keeps the rendered text line by line, as a plain-text backend would print it.
 */
final class RenderingLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;

  private final transient List<String> lines = new CopyOnWriteArrayList<>();

  RenderingLogger() {
    this.name = Slf4jAuditSink.LOGGER_NAME;
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public boolean isTraceEnabled() {
    return true;
  }

  @Override
  public boolean isDebugEnabled() {
    return true;
  }

  @Override
  public boolean isInfoEnabled() {
    return true;
  }

  @Override
  public boolean isWarnEnabled() {
    return true;
  }

  @Override
  public boolean isErrorEnabled() {
    return true;
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
    lines.add(MessageFormatter.basicArrayFormat(pattern, arguments));
  }
}
