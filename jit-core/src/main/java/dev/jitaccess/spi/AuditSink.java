package dev.jitaccess.spi;

import dev.jitaccess.internal.JsonLinesAuditSink;
import dev.jitaccess.internal.Slf4jAuditSink;
import java.nio.file.Path;

/**
 * Receives every audit event. Must be thread-safe. By default a sink that throws blocks issuance (fail
 * closed); the broker builder can make audit failures non-fatal.
 */
@FunctionalInterface
public interface AuditSink {

  /** Records one event; throwing signals the event was not recorded. */
  void record(AuditEvent event);

  /** The default sink: SLF4J logger {@code dev.jitaccess.audit} at INFO, with key-value pairs. */
  static AuditSink slf4j() {
    return new Slf4jAuditSink();
  }

  /**
   * A tamper-evident file: one JSON object per line, each carrying the SHA-256 of the previous line, so
   * {@link dev.jitaccess.AuditTrail#verify(Path)} finds the first altered, removed or reordered record.
   * Appends to an existing trail, continuing its chain.
   */
  static AuditSink jsonLines(Path file) {
    return JsonLinesAuditSink.open(file);
  }
}
