package dev.jitaccess.spring.boot;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.SigningAlgorithm;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;

/**
 * Spring Security resource servers, when {@code jit.resource-server.audience} is set and
 * spring-security-oauth2-resource-server is on the class path: the revocation-aware
 * {@link JitTokenValidator}, a {@link JwtDecoder} reading the broker's own keys (so no JWKS URL is needed
 * in the broker's JVM; Spring Boot's decoder is used instead when the application declares one), and a
 * {@link JwtAuthenticationConverter} mapping the token's actions ({@code scope}) to authorities and its
 * {@code sub} to the principal name.
 */
@AutoConfiguration(after = JitAutoConfiguration.class,
    beforeName = "org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.OAuth2ResourceServerAutoConfiguration")
@ConditionalOnClass({JwtDecoder.class, JwtAuthenticationConverter.class})
@ConditionalOnProperty(prefix = "jit.resource-server", name = "audience")
public class JitSecurityAutoConfiguration {

  /** Creates the configuration (Spring calls it). */
  public JitSecurityAutoConfiguration() {}

  /** Checks revocation, single use, task and sender constraint through the broker's verifier. */
  @Bean
  @ConditionalOnMissingBean(JitTokenValidator.class)
  @ConditionalOnBean(GrantVerifier.class)
  JitTokenValidator jitTokenValidator(GrantVerifier verifier, JitProperties properties) {
    JitProperties.ResourceServer rs = properties.getResourceServer();
    return new JitTokenValidator(verifier, JitAutoConfiguration.require(rs.getAudience(), "jit.resource-server.audience"),
        rs.getTaskHeader());
  }

  /**
   * Decodes grant tokens with the broker's current public keys ({@code typ at+jwt}, the configured
   * algorithm only), then checks timestamps, issuer and type and every {@code OAuth2TokenValidator<Jwt>}
   * bean, {@link JitTokenValidator} among them, stopping at the first failure.
   */
  @Bean
  @ConditionalOnMissingBean(JwtDecoder.class)
  @ConditionalOnBean(GrantBroker.class)
  JwtDecoder jitJwtDecoder(GrantBroker broker, JitProperties properties,
      ObjectProvider<OAuth2TokenValidator<Jwt>> validators) {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
    JWKSource<SecurityContext> keys = (selector, context) -> {
      try {
        return selector.select(JWKSet.parse(broker.publicJwks()));
      } catch (ParseException e) {
        throw new IllegalStateException("the broker's JWKS does not parse", e);
      }
    };
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(jws(properties.getSigning().getAlgorithm()), keys));
    processor.setJWTClaimsSetVerifier((claims, context) -> {
      // claims are checked by the validators below, as Spring Security expects
    });
    NimbusJwtDecoder decoder = new NimbusJwtDecoder(processor);
    List<OAuth2TokenValidator<Jwt>> all = new ArrayList<>();
    all.add(new JwtTimestampValidator());
    all.add(new JwtIssuerValidator(JitAutoConfiguration.require(properties.getIssuer(), "jit.issuer")));
    all.add(new JwtTypeValidator("at+jwt"));
    validators.orderedStream().forEach(all::add);
    decoder.setJwtValidator(firstFailure(all));
    return decoder;
  }

  /** Maps the token's actions to authorities ({@code jit.resource-server.authority-prefix}) and {@code sub} to the name. */
  @Bean
  @ConditionalOnMissingBean(JwtAuthenticationConverter.class)
  JwtAuthenticationConverter jitJwtAuthenticationConverter(JitProperties properties) {
    JwtGrantedAuthoritiesConverter authorities = new JwtGrantedAuthoritiesConverter();
    authorities.setAuthoritiesClaimName("scope");
    authorities.setAuthorityPrefix(properties.getResourceServer().getAuthorityPrefix());
    JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
    converter.setJwtGrantedAuthoritiesConverter(authorities);
    converter.setPrincipalClaimName("sub");
    return converter;
  }

  /**
   * The validators in order, stopping at the first failure: a token refused for its issuer or type never
   * reaches {@link JitTokenValidator}, so it cannot spend a single-use grant's one use.
   */
  static OAuth2TokenValidator<Jwt> firstFailure(List<OAuth2TokenValidator<Jwt>> validators) {
    List<OAuth2TokenValidator<Jwt>> copy = List.copyOf(validators);
    return jwt -> {
      for (OAuth2TokenValidator<Jwt> v : copy) {
        OAuth2TokenValidatorResult result = v.validate(jwt);
        if (result == null || result.hasErrors()) {
          return result != null ? result : OAuth2TokenValidatorResult.failure(
              new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, "a token validator gave no result", null));
        }
      }
      return OAuth2TokenValidatorResult.success();
    };
  }

  private static JWSAlgorithm jws(SigningAlgorithm algorithm) {
    return switch (algorithm) {
      case ES256 -> JWSAlgorithm.ES256;
      case EDDSA -> JWSAlgorithm.EdDSA;
      case RS256 -> JWSAlgorithm.RS256;
    };
  }
}
