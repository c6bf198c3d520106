package dev.jitaccess.internal;

import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditSink;

/** Audit to SLF4J. */
public final class Slf4jAuditSink implements AuditSink {
  @Override
  public void record(AuditEvent event) {
    throw new UnsupportedOperationException();
  }
}
