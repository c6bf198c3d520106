package dev.jitaccess.spring.boot;

import dev.jitaccess.GrantBroker;
import dev.jitaccess.oauth.CallerAuthorizer;
import dev.jitaccess.oauth.JwksEndpoint;
import dev.jitaccess.oauth.TokenExchange;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * The OAuth endpoints ({@code jit.oauth.endpoints.enabled=true}, jit-oauth and Spring MVC on the class
 * path): {@link JitOAuthController} in front of jit-oauth's {@link TokenExchange}, which takes the
 * {@link CallerAuthorizer} bean for introspection and revocation (without one, both answer 401). The
 * endpoints authenticate their callers themselves (the subject token, the CallerAuthorizer), so with
 * Spring Security on the class path they are left out of its filter chain.
 */
@AutoConfiguration(after = JitAutoConfiguration.class)
@ConditionalOnClass({TokenExchange.class, DispatcherServlet.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "jit.oauth.endpoints", name = "enabled", havingValue = "true")
public class JitOAuthEndpointsAutoConfiguration {

  /** Creates the configuration (Spring calls it). */
  public JitOAuthEndpointsAutoConfiguration() {}

  /** jit-oauth's adapter for the broker. */
  @Bean
  @ConditionalOnMissingBean(TokenExchange.class)
  @ConditionalOnBean(GrantBroker.class)
  TokenExchange jitTokenExchange(GrantBroker broker, JitProperties properties,
      ObjectProvider<CallerAuthorizer> authorizer, ObjectProvider<Clock> clock) {
    JitProperties.Endpoints e = properties.getOauth().getEndpoints();
    TokenExchange.Builder b = TokenExchange.builder(broker).clock(JitAutoConfiguration.clock(clock));
    if (e.getDefaultPurpose() != null) {
      b.defaultPurpose(e.getDefaultPurpose());
    }
    if (e.getDefaultEnvironment() != null) {
      b.defaultEnvironment(e.getDefaultEnvironment());
    }
    if (e.getDefaultTtl() != null) {
      b.defaultTtl(e.getDefaultTtl());
    }
    if (e.isDenialDetails()) {
      b.denialDetails(true);
    }
    CallerAuthorizer a = authorizer.getIfAvailable();
    if (a != null) {
      b.callerAuthorizer(a);
    }
    return b.build();
  }

  /** The endpoints as Spring MVC handlers. */
  @Bean
  @ConditionalOnMissingBean(JitOAuthController.class)
  @ConditionalOnBean(TokenExchange.class)
  JitOAuthController jitOAuthController(TokenExchange exchange, GrantBroker broker) {
    return new JitOAuthController(exchange, JwksEndpoint.of(broker));
  }

  /** Spring Security leaves the endpoints to their own authentication. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(WebSecurityCustomizer.class)
  static class Security {
    @Bean
    @ConditionalOnMissingBean(name = "jitOAuthEndpointsSecurity")
    WebSecurityCustomizer jitOAuthEndpointsSecurity(JitProperties properties) {
      String path = properties.getOauth().getEndpoints().getPath();
      return web -> web.ignoring().requestMatchers(path + "/token", path + "/introspect", path + "/revoke",
          path + "/jwks");
    }
  }
}
