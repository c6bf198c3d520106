package dev.jitaccess.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/** An SLF4J logger that remembers what was logged, fluent key-value pairs included. */
final class RecordingLogger extends LegacyAbstractLogger implements LoggingEventAware {
  private static final long serialVersionUID = 1L;

  /** One logged line. */
  record Entry(Level level, String message, Map<String, Object> keyValues, Throwable throwable) {}

  private final transient List<Entry> entries = new CopyOnWriteArrayList<>();
  private final Level threshold;

  RecordingLogger(String name, Level threshold) {
    this.name = name;
    this.threshold = threshold;
  }

  List<Entry> entries() {
    return List.copyOf(entries);
  }

  private boolean enabled(Level level) {
    return level.toInt() >= threshold.toInt();
  }

  @Override
  public boolean isTraceEnabled() {
    return enabled(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return enabled(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return enabled(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return enabled(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return enabled(Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
    String message = MessageFormatter.basicArrayFormat(pattern, arguments);
    entries.add(new Entry(level, message, Map.of(), throwable));
  }

  @Override
  public void log(LoggingEvent event) {
    Map<String, Object> keyValues = new LinkedHashMap<>();
    List<KeyValuePair> pairs = event.getKeyValuePairs() == null ? List.of() : event.getKeyValuePairs();
    List<String> keys = new ArrayList<>();
    for (KeyValuePair pair : pairs) {
      keys.add(pair.key);
      keyValues.put(pair.key, pair.value);
    }
    if (keys.size() != keyValues.size()) {
      throw new AssertionError("duplicate keys logged: " + keys);
    }
    Object[] arguments = event.getArgumentArray();
    String message =
        MessageFormatter.basicArrayFormat(event.getMessage(), arguments == null ? new Object[0] : Arrays.copyOf(arguments, arguments.length));
    entries.add(new Entry(event.getLevel(), message, keyValues, event.getThrowable()));
  }
}
