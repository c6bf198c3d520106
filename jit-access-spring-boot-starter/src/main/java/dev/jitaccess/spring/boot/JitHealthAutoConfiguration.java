package dev.jitaccess.spring.boot;

import dev.jitaccess.GrantBroker;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The actuator health indicator {@code jit} ({@link JitHealthIndicator}), when spring-boot-health is present. */
@AutoConfiguration(after = JitAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
public class JitHealthAutoConfiguration {

  /** Creates the configuration (Spring calls it). */
  public JitHealthAutoConfiguration() {}

  /** Policy loaded, bundle fresh, keys published, store reachable. */
  @Bean
  @ConditionalOnMissingBean(name = "jitHealthIndicator")
  @ConditionalOnBean(GrantBroker.class)
  JitHealthIndicator jitHealthIndicator(GrantBroker broker, JitProperties properties,
      ObjectProvider<PolicyState> policy, ObjectProvider<SpiffeBundleState> bundle, ObjectProvider<Clock> clock) {
    return new JitHealthIndicator(broker, policy.getIfAvailable(), bundle.getIfAvailable(),
        properties.getIdentity().getSpiffe().getMaxBundleAge(), JitAutoConfiguration.clock(clock));
  }
}
