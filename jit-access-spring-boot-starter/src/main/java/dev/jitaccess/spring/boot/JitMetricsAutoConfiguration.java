package dev.jitaccess.spring.boot;

import dev.jitaccess.GrantBroker;
import dev.jitaccess.micrometer.JitMetrics;
import dev.jitaccess.micrometer.JitObservations;
import dev.jitaccess.spi.AuditSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer through jit-micrometer, when it is on the class path and the application has a
 * {@link MeterRegistry} (Spring Boot's actuator makes one): the broker's counters, gauges and lifetimes
 * ({@link JitMetrics}), the bundle-age gauge of the SPIFFE bundle, and, with an {@link ObservationRegistry},
 * the observations of request, evaluate, verify and delegate ({@link JitObservations}).
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
    "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@ConditionalOnClass({JitMetrics.class, MeterRegistry.class})
@ConditionalOnBean(MeterRegistry.class)
public class JitMetricsAutoConfiguration {

  /** Creates the configuration (Spring calls it). */
  public JitMetricsAutoConfiguration() {}

  /** The broker's meters, registered on the application's registry. */
  @Bean
  @ConditionalOnMissingBean(JitMetrics.class)
  JitMetrics jitMetrics(MeterRegistry registry, ObjectProvider<Clock> clock,
      ObjectProvider<SpiffeBundleState> bundle) {
    JitMetrics metrics = JitMetrics.register(registry, JitAutoConfiguration.clock(clock));
    SpiffeBundleState state = bundle.getIfAvailable();
    if (state != null) {
      state.trustDomain().ifPresent(d -> metrics.bundleAge(d.name(), state::lastUpdated));
    }
    return metrics;
  }

  /**
   * Registers the signing key's age ({@value JitMetrics#KEY_AGE}) once the broker exists; a bean of this
   * name replaces it (or turns it off).
   */
  @Bean
  @ConditionalOnMissingBean(name = "jitKeyAgeGauge")
  SmartInitializingSingleton jitKeyAgeGauge(JitMetrics metrics, ObjectProvider<GrantBroker> broker) {
    return () -> broker.ifAvailable(b -> metrics.keyAge(b::signingKeyActiveSince));
  }

  /** Wires the meters, and the observations when there is an ObservationRegistry, into the broker. */
  @Bean
  JitBrokerCustomizer jitMicrometerCustomizer(JitMetrics metrics, ObjectProvider<ObservationRegistry> observations) {
    ObservationRegistry registry = observations.getIfAvailable();
    return new JitBrokerCustomizer() {
      @Override
      public void customize(GrantBroker.Builder builder) {
        builder.listener(metrics.listener());
        if (registry != null) {
          builder.observer(JitObservations.create(registry));
        }
      }

      @Override
      public AuditSink decorate(AuditSink sink) {
        return metrics.auditSink(sink);
      }

      @Override
      public String toString() {
        return "JitBrokerCustomizer[micrometer]";
      }
    };
  }
}
