package dev.jitaccess.spring.boot.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The README's Spring Boot sample: a service that brokers grants (the starter's token endpoint) and
 * serves reports to callers holding one. Started by the starter's tests with a real server.
 */
// README:spring-boot:start
@SpringBootApplication
public class ReportsApplication {

  public static void main(String[] args) {
    SpringApplication.run(ReportsApplication.class, args);
  }

  @Bean
  SecurityFilterChain security(HttpSecurity http) throws Exception {
    http.authorizeHttpRequests(auth -> auth
            .requestMatchers("/actuator/health", "/actuator/metrics/**").permitAll()
            .requestMatchers("/reports/**").hasAnyAuthority("SCOPE_read", "SCOPE_export")
            .anyRequest().authenticated())
        .oauth2ResourceServer(rs -> rs.jwt(Customizer.withDefaults()));
    return http.build();
  }

  @RestController
  static class Reports {
    @GetMapping("/reports/daily")
    String daily(Authentication caller) {
      return "daily report for " + caller.getName() + " "
          + caller.getAuthorities().stream().map(GrantedAuthority::getAuthority).sorted().toList();
    }
  }
}
// README:spring-boot:end
