/**
 * jit-micrometer: Micrometer metrics for a {@code GrantBroker}, wired through its public SPIs only
 * ({@link dev.jitaccess.spi.GrantListener} and an {@link dev.jitaccess.spi.AuditSink} decorator). Exports
 * {@code dev.jitaccess.micrometer}; Micrometer's {@code MeterRegistry} is part of its API, so its module
 * is required transitively.
 */
@SuppressWarnings("requires-transitive-automatic")
module dev.jitaccess.micrometer {
  requires static transitive org.jspecify;
  requires transitive dev.jitaccess.core;
  requires transitive micrometer.core;

  exports dev.jitaccess.micrometer;
}
