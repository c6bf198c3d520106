package dev.jitaccess.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.store.postgres.PostgresAuditSink;
import dev.jitaccess.store.postgres.PostgresGrantStore;
import dev.jitaccess.testkit.TestTrustDomain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code jit.store.type=postgres} and {@code jit.audit.type=postgres} on the application's DataSource,
 * against the real PostgreSQL of the build (JIT_PG_URL, JIT_PG_USER, JIT_PG_PASSWORD; a missing database
 * fails the test, it is never skipped), in a schema of its own that the starter migrates.
 */
class StarterPostgresTest {
  static final String SCHEMA = "jit_starter_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
      .toLowerCase(Locale.ROOT);

  @TempDir
  static Path dir;

  static DataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(env("JIT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/jit_test"));
    ds.setUser(env("JIT_PG_USER", "jit"));
    ds.setPassword(env("JIT_PG_PASSWORD", "jit"));
    return ds;
  }

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** An application with a DataSource and only the starter's core auto-configuration. */
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(JitAutoConfiguration.class)
  static class WithDataSource {
    @Bean
    DataSource dataSource() {
      return StarterPostgresTest.dataSource();
    }
  }

  @AfterAll
  static void dropSchema() throws Exception {
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }
  }

  @Test
  void thePostgresStoreAndAuditSinkUseTheApplicationsDataSource() throws Exception {
    TestTrustDomain spire = TestTrustDomain.create("prod.example.org", Clock.systemUTC());
    Path policy = Files.writeString(dir.resolve("policy.yaml"), StarterApplicationTest.POLICY);
    Path bundle = Files.writeString(dir.resolve("bundle.json"), StarterApplicationTest.bundleJson(spire));
    List<String> properties = List.of(
        "jit.issuer=https://jit.example.org",
        "jit.signing.generate-dev-key=true",
        "jit.policy.location=" + policy,
        "jit.identity.spiffe.trust-domain=prod.example.org",
        "jit.identity.spiffe.bundle-file=" + bundle,
        "jit.identity.spiffe.audiences=jit-broker",
        "jit.store.type=postgres",
        "jit.store.schema=" + SCHEMA,
        "jit.store.migrate=true",
        "jit.audit.type=postgres",
        "spring.config.location=optional:classpath:/none/");
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(WithDataSource.class)
        .web(WebApplicationType.NONE).properties(properties.toArray(String[]::new)).run()) {
      assertThat(context.getBean(GrantStore.class)).isInstanceOf(PostgresGrantStore.class);
      assertThat(context.getBean(AuditSink.class)).isInstanceOf(PostgresAuditSink.class);
      GrantBroker broker = context.getBean(GrantBroker.class);
      Grant grant = broker.request(GrantRequest.builder()
          .credential(Credential.jwtSvid(spire.jwtSvid(StarterApplicationTest.SPIFFE_ID, "jit-broker")))
          .taskId("pg-1").purpose("report").environment("prod").resource(StarterApplicationTest.RESOURCE)
          .actions("read").ttl(Duration.ofMinutes(5)).build());
      try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
          var rows = s.executeQuery("SELECT count(*) FROM " + SCHEMA + ".jit_grant WHERE grant_id = '"
              + grant.id() + "'")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getInt(1)).as("the grant is a row of the application's database").isEqualTo(1);
      }
      assertThat(broker.verifier().verify(grant.token(), StarterApplicationTest.RESOURCE).isVerified()).isTrue();
    }
  }
}
