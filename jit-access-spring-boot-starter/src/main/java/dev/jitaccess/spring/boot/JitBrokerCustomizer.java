package dev.jitaccess.spring.boot;

import dev.jitaccess.GrantBroker;
import dev.jitaccess.spi.AuditSink;

/**
 * Adjusts the {@link GrantBroker} the starter builds, for what properties do not cover: declare a bean of
 * this type. Every customizer is applied, in {@code @Order}; the starter's own Micrometer wiring is one.
 */
public interface JitBrokerCustomizer {

  /**
   * Sets further options on the broker's builder (listeners, an approval handler, an observer, ...). An
   * option the starter already set from properties cannot be set again (the builder refuses it).
   */
  default void customize(GrantBroker.Builder builder) {}

  /**
   * Wraps the audit sink before the broker gets it, for example to count or forward records. Returns
   * {@code sink} unchanged by default. The wrapper must pass every record on and let the sink's failure
   * propagate, or the broker can no longer fail closed on an audit failure.
   */
  default AuditSink decorate(AuditSink sink) {
    return sink;
  }
}
