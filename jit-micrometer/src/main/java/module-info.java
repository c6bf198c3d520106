/**
 * jit-micrometer: Micrometer metrics for a {@code GrantBroker}, wired through its public SPIs only
 * ({@link dev.jitaccess.spi.GrantListener} and an {@link dev.jitaccess.spi.AuditSink} decorator). Exports
 * {@code dev.jitaccess.micrometer}; Micrometer's {@code MeterRegistry} and {@code ObservationRegistry} are
 * part of its API, so their modules are required transitively. Observations of request, evaluate, verify
 * and delegate come through jit-core's {@link dev.jitaccess.spi.BrokerObserver} hook.
 */
@SuppressWarnings("requires-transitive-automatic")
module dev.jitaccess.micrometer {
  requires static transitive org.jspecify;
  requires transitive dev.jitaccess.core;
  requires transitive micrometer.core;
  requires transitive micrometer.observation;
  requires micrometer.commons;

  exports dev.jitaccess.micrometer;
}
