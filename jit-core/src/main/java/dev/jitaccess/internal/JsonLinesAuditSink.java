package dev.jitaccess.internal;

import dev.jitaccess.AuditTrail;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditSink;
import java.nio.file.Path;

/** Hash-chained JSON-lines audit file. */
public final class JsonLinesAuditSink implements AuditSink {
  private JsonLinesAuditSink() {}

  /** Opens or creates the file. */
  public static JsonLinesAuditSink open(Path file) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Verifies a file. */
  public static AuditTrail.Check verify(Path file) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void record(AuditEvent event) {
    throw new UnsupportedOperationException();
  }
}
