package dev.jitaccess.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.GrantBroker;
import dev.jitaccess.policy.InvalidPolicyException;
import dev.jitaccess.policy.PolicyFileWatcher;
import dev.jitaccess.testkit.TestTrustDomain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Startup refuses a bad or incomplete configuration with a message naming what to fix: a policy file
 * with errors (the FailureAnalyzer's file:line:column), a missing signing key, a PostgreSQL store without
 * a DataSource, no identity verifier. Small contexts without a web server.
 */
class StarterStartupFailureTest {
  @TempDir
  static Path dir;
  static Path policy;
  static Path bundle;

  /** Only the starter's core auto-configuration. */
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(JitAutoConfiguration.class)
  static class Minimal {}

  @BeforeAll
  static void files() throws Exception {
    policy = Files.writeString(dir.resolve("policy.yaml"), StarterApplicationTest.POLICY);
    bundle = Files.writeString(dir.resolve("bundle.json"),
        StarterApplicationTest.bundleJson(TestTrustDomain.create("prod.example.org", Clock.systemUTC())));
  }

  @BeforeEach
  void clear() {
    RecordingFailureAnalysisReporter.REPORTED.clear();
  }

  static List<String> base() {
    List<String> p = new ArrayList<>(List.of(
        "jit.issuer=https://jit.example.org",
        "jit.signing.generate-dev-key=true",
        "jit.policy.location=" + policy,
        "jit.identity.spiffe.trust-domain=prod.example.org",
        "jit.identity.spiffe.bundle-file=" + bundle,
        "jit.identity.spiffe.audiences=jit-broker",
        "spring.config.location=optional:classpath:/none/"));
    return p;
  }

  static ConfigurableApplicationContext run(List<String> properties) {
    return new SpringApplicationBuilder(Minimal.class).web(WebApplicationType.NONE)
        .properties(properties.toArray(String[]::new)).run();
  }

  static List<String> with(String... extra) {
    List<String> p = base();
    for (String e : extra) {
      String key = e.substring(0, e.indexOf('=') + 1);
      p.removeIf(x -> x.startsWith(key));
      if (!e.endsWith("=")) {
        p.add(e);
      }
    }
    return p;
  }

  @Test
  void aValidConfigurationWithADevKeyStartsABroker() {
    try (ConfigurableApplicationContext context = run(base())) {
      assertThat(context.getBean(GrantBroker.class).publicJwks()).contains("\"kty\"");
      assertThat(context.getBeansOfType(PolicyFileWatcher.class)).as("hot reload on by default").hasSize(1);
    }
  }

  @Test
  void hotReloadIsOffWithReloadFalse() {
    try (ConfigurableApplicationContext context = run(with("jit.policy.reload=false"))) {
      assertThat(context.getBeansOfType(PolicyFileWatcher.class)).isEmpty();
    }
  }

  @Test
  void aBadPolicyFileFailsStartupWithTheAnalyzersFileLineAndColumn() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad-policy.yaml"), """
        version: 1
        rules:
          - id: broken
            effect: perhaps
        """);
    assertThatThrownBy(() -> run(with("jit.policy.location=" + bad)))
        .hasRootCauseInstanceOf(InvalidPolicyException.class);
    assertThat(RecordingFailureAnalysisReporter.REPORTED).hasSize(1);
    FailureAnalysis analysis = RecordingFailureAnalysisReporter.REPORTED.get(0);
    assertThat(analysis.getDescription()).contains("jit.policy.location")
        .containsPattern("bad-policy\\.yaml:\\d+:\\d+: error: ");
    assertThat(analysis.getAction()).contains("Fix the policy file");
  }

  @Test
  void aMissingSigningKeyFailsStartupNamingTheProperty() {
    assertThatThrownBy(() -> run(with("jit.signing.generate-dev-key=")))
        .hasStackTraceContaining("jit.signing.key-location is required");
  }

  @Test
  void anUnreadableSigningKeyFailsStartupNamingThePathNotTheKey() {
    assertThatThrownBy(() -> run(with("jit.signing.generate-dev-key=",
        "jit.signing.key-location=" + dir.resolve("no-such-key.pem"))))
        .hasStackTraceContaining("jit.signing.key-location: cannot read");
  }

  @Test
  void aKeyFileAndTheDevFlagTogetherAreRefused() throws Exception {
    Path key = Files.writeString(dir.resolve("k.jwk"), "{}");
    assertThatThrownBy(() -> run(with("jit.signing.key-location=" + key)))
        .hasStackTraceContaining("not both");
  }

  @Test
  void aPostgresStoreWithoutADataSourceFailsInsteadOfFallingBackToMemory() {
    assertThatThrownBy(() -> run(with("jit.store.type=postgres")))
        .hasStackTraceContaining("jit.store.type=POSTGRES needs jit-store-postgres on the class path and a DataSource bean");
  }

  @Test
  void noIdentityVerifierFailsStartup() {
    assertThatThrownBy(() -> run(with("jit.identity.spiffe.trust-domain=")))
        .hasStackTraceContaining("no identity verifier");
  }

  @Test
  void aMissingPolicyLocationOrIssuerFailsStartup() {
    assertThatThrownBy(() -> run(with("jit.policy.location="))).hasStackTraceContaining("jit.policy.location is required");
    assertThatThrownBy(() -> run(with("jit.issuer="))).hasStackTraceContaining("jit.issuer is required");
  }

  @Test
  void bothBundleSourcesOrNoneAreRefused() {
    assertThatThrownBy(() -> run(with("jit.identity.spiffe.bundle-endpoint=https://spire.example.org/bundle")))
        .hasStackTraceContaining("exactly one of jit.identity.spiffe.bundle-file and jit.identity.spiffe.bundle-endpoint");
    assertThatThrownBy(() -> run(with("jit.identity.spiffe.bundle-file=")))
        .hasStackTraceContaining("got neither");
  }
}
