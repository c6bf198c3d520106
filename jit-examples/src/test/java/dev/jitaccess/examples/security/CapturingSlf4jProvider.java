package dev.jitaccess.examples.security;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * A test-only SLF4J 2 provider, registered in the test resources so that it comes before slf4j-simple on the
 * class path: every level is enabled, every line (with the full text of any throwable and its causes) is
 * kept while a capture is open, and WARN and ERROR lines also go to standard error as slf4j-simple's test
 * configuration did, so other tests see no difference.
 */
public final class CapturingSlf4jProvider implements SLF4JServiceProvider {
  private static final List<String> LINES = new ArrayList<>();
  private static volatile boolean capturing;

  private final ILoggerFactory factory = new Factory();
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  /** Public no-argument constructor for the ServiceLoader. */
  public CapturingSlf4jProvider() {}

  static void start() {
    synchronized (LINES) {
      LINES.clear();
    }
    capturing = true;
  }

  static List<String> stop() {
    capturing = false;
    synchronized (LINES) {
      return List.copyOf(LINES);
    }
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  static final class Factory implements ILoggerFactory {
    private final ConcurrentHashMap<String, Logger> loggers = new ConcurrentHashMap<>();

    @Override
    public Logger getLogger(String name) {
      return loggers.computeIfAbsent(name, CapturingLogger::new);
    }
  }

  static final class CapturingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    CapturingLogger(String name) {
      this.name = name;
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
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
      String text = level + " " + name + " " + MessageFormatter.basicArrayFormat(pattern, args);
      if (t != null) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        text += "\n" + w;
      }
      if (capturing) {
        synchronized (LINES) {
          LINES.add(text);
        }
      }
      if (level.toInt() >= Level.WARN.toInt()) {
        System.err.println(text);
      }
    }
  }
}
