package dev.jitaccess.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * What the starter ships: the auto-configurations it registers, that a user can replace every bean, and
 * the generated property metadata IDEs complete keys from.
 */
class StarterPackagingTest {
  static final List<Class<?>> AUTO_CONFIGURATIONS = List.of(JitAutoConfiguration.class,
      JitMetricsAutoConfiguration.class, JitSecurityAutoConfiguration.class, JitOAuthEndpointsAutoConfiguration.class,
      JitHealthAutoConfiguration.class);
  /** Internal state holders and the starter's own customizer: not parts a user replaces. */
  static final Set<String> NOT_REPLACEABLE = Set.of("jitPolicyState", "jitSpiffeBundle", "jitMicrometerCustomizer");

  static String resource(String name) throws Exception {
    try (InputStream in = StarterPackagingTest.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void theImportsFileRegistersExactlyTheAutoConfigurations() throws Exception {
    List<String> imports = Arrays.stream(resource(
        "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports").split("\n"))
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertThat(imports).containsExactlyElementsOf(AUTO_CONFIGURATIONS.stream().map(Class::getName).toList());
    for (Class<?> c : AUTO_CONFIGURATIONS) {
      assertThat(c.isAnnotationPresent(AutoConfiguration.class)).as(c.getName()).isTrue();
    }
  }

  @Test
  void everyBeanAUserMayReplaceIsConditionalOnMissingBean() {
    List<String> unguarded = new ArrayList<>();
    List<Class<?>> classes = new ArrayList<>(AUTO_CONFIGURATIONS);
    for (Class<?> c : AUTO_CONFIGURATIONS) {
      classes.addAll(Arrays.asList(c.getDeclaredClasses()));
    }
    int beans = 0;
    for (Class<?> c : classes) {
      for (Method m : c.getDeclaredMethods()) {
        if (m.isAnnotationPresent(Bean.class)) {
          beans++;
          if (!m.isAnnotationPresent(ConditionalOnMissingBean.class) && !NOT_REPLACEABLE.contains(m.getName())) {
            unguarded.add(c.getSimpleName() + "." + m.getName());
          }
        }
      }
    }
    assertThat(beans).isGreaterThan(15);
    assertThat(unguarded).isEmpty();
  }

  @Test
  void thePropertyMetadataIsGeneratedWithDescriptions() throws Exception {
    String metadata = resource("META-INF/spring-configuration-metadata.json");
    assertThat(metadata).contains("\"jit.issuer\"", "\"jit.signing.key-location\"", "\"jit.signing.generate-dev-key\"",
        "\"jit.policy.location\"", "\"jit.identity.spiffe.bundle-endpoint\"",
        "\"jit.identity.oidc.github-actions.required-claims\"", "\"jit.store.type\"", "\"jit.audit.type\"",
        "\"jit.oauth.endpoints.enabled\"", "\"jit.resource-server.audience\"")
        .contains("of every grant token");
  }

  @Test
  void theFailureAnalyzerIsRegisteredInTheStartersOwnSpringFactories() throws Exception {
    java.nio.file.Path main = java.nio.file.Path.of("target/classes/META-INF/spring.factories");
    assertThat(java.nio.file.Files.readString(main))
        .contains("org.springframework.boot.diagnostics.FailureAnalyzer=", JitPolicyFailureAnalyzer.class.getName());
  }
}
