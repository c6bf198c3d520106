package dev.jitaccess.internal;

import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditSink;
import java.util.Objects;

/** {@link AuditSink#discardEveryRecord()}: drops every record, on purpose and visibly. */
public enum DiscardingAuditSink implements AuditSink {
  /** The one instance. */
  INSTANCE;

  @Override
  public void record(AuditEvent event) {
    Objects.requireNonNull(event, "event");
  }

  @Override
  public String toString() {
    return "AuditSink.discardEveryRecord()";
  }
}
