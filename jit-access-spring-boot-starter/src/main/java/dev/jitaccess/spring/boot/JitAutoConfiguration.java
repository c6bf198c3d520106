package dev.jitaccess.spring.boot;

import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.oidc.OidcIdentityVerifier;
import dev.jitaccess.policy.LoadResult;
import dev.jitaccess.policy.PolicyFileWatcher;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.IdentityVerifier;
import dev.jitaccess.spi.PolicyEvaluator;
import dev.jitaccess.spiffe.JwtSvidVerifier;
import dev.jitaccess.spiffe.RefreshingBundleSource;
import dev.jitaccess.spiffe.TrustDomain;
import dev.jitaccess.store.postgres.PostgresAuditSink;
import dev.jitaccess.store.postgres.PostgresGrantStore;
import dev.jitaccess.store.postgres.PostgresSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Builds a {@link GrantBroker} from the {@code jit.*} properties: the policy file, the identity
 * verifiers, the store, the audit sink, the signing key, and every {@link JitBrokerCustomizer}. Every
 * bean is {@code @ConditionalOnMissingBean}: declare your own to replace it. A missing or contradictory
 * setting fails startup with a message naming the property; nothing falls back silently to a weaker
 * setup (a requested PostgreSQL store without a {@code DataSource} is an error, not an in-memory store).
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@EnableConfigurationProperties(JitProperties.class)
public class JitAutoConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(JitAutoConfiguration.class);

  /** Creates the configuration (Spring calls it). */
  public JitAutoConfiguration() {}

  /** The clock of every part: the application's {@link Clock} bean if it has one, else the system's. */
  static Clock clock(ObjectProvider<Clock> clock) {
    return clock.getIfAvailable(Clock::systemUTC);
  }

  /** The policy's reload state, read by the health indicator. */
  @Bean
  PolicyState jitPolicyState() {
    return new PolicyState();
  }

  /**
   * The policy from {@code jit.policy.location}. A file with errors fails startup with an
   * {@code InvalidPolicyException} listing each as file:line:column (see {@link JitPolicyFailureAnalyzer}).
   */
  @Bean
  @ConditionalOnMissingBean(PolicyEvaluator.class)
  RulePolicy jitPolicy(JitProperties properties, PolicyState state) {
    Path location = properties.getPolicy().getLocation();
    if (location == null) {
      throw new IllegalStateException(
          "jit.policy.location is required: the YAML policy file (or declare a PolicyEvaluator bean)");
    }
    RulePolicy policy = RulePolicy.builder().load(location).listener(state).build();
    state.attach(policy);
    return policy;
  }

  /**
   * Hot reload of {@code jit.policy.location} ({@code jit.policy.reload}, on by default): jit-policy's
   * {@link PolicyFileWatcher} reloads the policy when the file changes (atomic renames and ConfigMap
   * symlink swaps included); a file with errors is refused, logged with file:line:column and shown by
   * the health indicator, and the last good policy stays in force.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(PolicyFileWatcher.class)
  @ConditionalOnBean(RulePolicy.class)
  @ConditionalOnProperty(prefix = "jit.policy", name = "location")
  @ConditionalOnBooleanProperty(name = "jit.policy.reload", matchIfMissing = true)
  PolicyFileWatcher jitPolicyFileWatcher(RulePolicy policy, JitProperties properties,
      ObjectProvider<Clock> clock) {
    Path location = require(properties.getPolicy().getLocation(), "jit.policy.location");
    return PolicyFileWatcher.builder(policy, location).clock(clock(clock)).listener(result -> {
      if (result instanceof LoadResult.Loaded) {
        LOG.info("policy file {} reloaded, version {}", location, policy.version());
      }
    }).build();
  }

  /** The bundle source of {@code jit.identity.spiffe.*}, refreshing in the background. */
  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(prefix = "jit.identity.spiffe", name = "trust-domain")
  SpiffeBundleState jitSpiffeBundle(JitProperties properties, ObjectProvider<Clock> clock) {
    JitProperties.Spiffe spiffe = properties.getIdentity().getSpiffe();
    TrustDomain domain = TrustDomain.parse(require(spiffe.getTrustDomain(), "jit.identity.spiffe.trust-domain"));
    Path file = spiffe.getBundleFile();
    String endpoint = spiffe.getBundleEndpoint();
    if ((file == null) == (endpoint == null)) {
      throw new IllegalStateException("set exactly one of jit.identity.spiffe.bundle-file and "
          + "jit.identity.spiffe.bundle-endpoint, got " + (file == null ? "neither" : "both"));
    }
    Clock c = clock(clock);
    SpiffeBundleState state = new SpiffeBundleState(c);
    RefreshingBundleSource.Builder b = file != null
        ? RefreshingBundleSource.fromFile(domain, file)
        : RefreshingBundleSource.fromEndpoint(domain, URI.create(endpoint));
    b.clock(c).listener(state).retryInterval(SpiffeBundleState.RETRY);
    if (spiffe.getRefreshInterval() != null) {
      b.defaultRefreshInterval(spiffe.getRefreshInterval());
    }
    state.attach(b.build());
    return state;
  }

  /** The JWT-SVID verifier of {@code jit.identity.spiffe.*}. */
  @Bean
  @ConditionalOnProperty(prefix = "jit.identity.spiffe", name = "trust-domain")
  @ConditionalOnMissingBean(JwtSvidVerifier.class)
  JwtSvidVerifier jitJwtSvidVerifier(JitProperties properties, SpiffeBundleState bundle,
      ObjectProvider<Clock> clock) {
    JitProperties.Spiffe spiffe = properties.getIdentity().getSpiffe();
    if (spiffe.getAudiences().isEmpty()) {
      throw new IllegalStateException("jit.identity.spiffe.audiences is required: the audiences a JWT-SVID "
          + "presented to the broker must name");
    }
    RefreshingBundleSource source = bundle.source();
    JwtSvidVerifier.Builder b = JwtSvidVerifier.builder().bundleSource(source)
        .audiences(spiffe.getAudiences().toArray(String[]::new)).clock(clock(clock));
    if (spiffe.getOwnerClaim() != null) {
      b.ownerClaim(spiffe.getOwnerClaim());
    }
    return b.build();
  }

  /** GitHub Actions ID tokens ({@code jit.identity.oidc.github-actions.*}). */
  @Bean
  @ConditionalOnProperty(prefix = "jit.identity.oidc.github-actions", name = "audience")
  @ConditionalOnMissingBean(name = "jitGitHubActionsVerifier")
  OidcIdentityVerifier jitGitHubActionsVerifier(JitProperties properties, ObjectProvider<Clock> clock) {
    JitProperties.GitHubActions gha = properties.getIdentity().getOidc().getGithubActions();
    OidcIdentityVerifier.Builder b = OidcIdentityVerifier.githubActions(
        require(gha.getAudience(), "jit.identity.oidc.github-actions.audience")).clock(clock(clock));
    requireClaims(b, gha.getRequiredClaims());
    return b.build();
  }

  /** Kubernetes service-account tokens ({@code jit.identity.oidc.kubernetes.*}). */
  @Bean
  @ConditionalOnProperty(prefix = "jit.identity.oidc.kubernetes", name = "issuer")
  @ConditionalOnMissingBean(name = "jitKubernetesVerifier")
  OidcIdentityVerifier jitKubernetesVerifier(JitProperties properties, ObjectProvider<Clock> clock) {
    JitProperties.Kubernetes k8s = properties.getIdentity().getOidc().getKubernetes();
    OidcIdentityVerifier.Builder b = OidcIdentityVerifier.kubernetes(
        require(k8s.getIssuer(), "jit.identity.oidc.kubernetes.issuer"),
        require(k8s.getJwksUrl(), "jit.identity.oidc.kubernetes.jwks-url"),
        require(k8s.getAudience(), "jit.identity.oidc.kubernetes.audience")).clock(clock(clock));
    requireClaims(b, k8s.getRequiredClaims());
    return b.build();
  }

  private static void requireClaims(OidcIdentityVerifier.Builder b, Map<String, String> claims) {
    claims.forEach(b::requireClaim);
  }

  /** The audit sink of {@code jit.audit.type}: SLF4J (default) or a JSON-lines file. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(AuditSink.class)
  @ConditionalOnProperty(prefix = "jit.audit", name = "type", havingValue = "slf4j", matchIfMissing = true)
  AuditSink jitSlf4jAuditSink() {
    return AuditSink.slf4j();
  }

  /** The hash-chained JSON-lines audit file of {@code jit.audit.path}. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(AuditSink.class)
  @ConditionalOnProperty(prefix = "jit.audit", name = "type", havingValue = "json-lines")
  AuditSink jitJsonLinesAuditSink(JitProperties properties) {
    return AuditSink.jsonLines(require(properties.getAudit().getPath(), "jit.audit.path"));
  }

  /** The broker's verifier: revocation and single use take effect at once. */
  @Bean
  @ConditionalOnMissingBean(GrantVerifier.class)
  GrantVerifier jitGrantVerifier(GrantBroker broker) {
    return broker.verifier();
  }

  /**
   * The broker, from the properties, every {@link IdentityVerifier}, {@link PolicyEvaluator},
   * {@link GrantStore}, {@link AuditSink}, {@link ApprovalHandler} and {@link GrantListener} bean, and every
   * {@link JitBrokerCustomizer}.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(GrantBroker.class)
  GrantBroker jitGrantBroker(JitProperties properties, ObjectProvider<IdentityVerifier> verifiers,
      PolicyEvaluator policy, ObjectProvider<GrantStore> store, AuditSink auditSink,
      ObjectProvider<ApprovalHandler> approvals, ObjectProvider<GrantListener> listeners,
      ObjectProvider<JitBrokerCustomizer> customizers, ObjectProvider<Clock> clock) {
    GrantBroker.Builder b = GrantBroker.builder()
        .issuer(require(properties.getIssuer(), "jit.issuer"))
        .policy(policy)
        .algorithm(properties.getSigning().getAlgorithm());
    List<IdentityVerifier> identityVerifiers = verifiers.orderedStream().toList();
    if (identityVerifiers.isEmpty()) {
      throw new IllegalStateException("no identity verifier: set jit.identity.spiffe.trust-domain, "
          + "jit.identity.oidc.github-actions.audience or jit.identity.oidc.kubernetes.issuer, or declare an "
          + "IdentityVerifier bean");
    }
    identityVerifiers.forEach(b::identityVerifier);
    signingKey(properties.getSigning(), b);
    GrantStore s = store.getIfAvailable();
    if (s != null) {
      b.store(s);
    } else if (properties.getStore().getType() != JitProperties.StoreType.MEMORY) {
      throw new IllegalStateException("jit.store.type=" + properties.getStore().getType()
          + " needs jit-store-postgres on the class path and a DataSource bean");
    }
    Clock c = clock.getIfAvailable();
    if (c != null) {
      b.clock(c);
    }
    if (properties.getMaxTtl() != null) {
      b.maxTtl(properties.getMaxTtl());
    }
    if (properties.getBreakGlassTtl() != null) {
      b.breakGlassTtl(properties.getBreakGlassTtl());
    }
    if (properties.getClockSkew() != null) {
      b.clockSkew(properties.getClockSkew());
    }
    if (properties.getMaxGrantsPerIdentity() != null) {
      b.maxGrantsPerIdentity(properties.getMaxGrantsPerIdentity());
    }
    if (properties.getMaxGrantsPerTask() != null) {
      b.maxGrantsPerTask(properties.getMaxGrantsPerTask());
    }
    if (properties.getCredentialCache().getMaxAge() != null) {
      b.credentialCache(properties.getCredentialCache().getMaxAge(), properties.getCredentialCache().getMaxEntries());
    }
    ApprovalHandler approvalHandler = approvals.getIfAvailable();
    if (approvalHandler != null) {
      b.approvalHandler(approvalHandler);
    }
    listeners.orderedStream().forEach(b::listener);
    AuditSink sink = auditSink;
    for (JitBrokerCustomizer customizer : customizers.orderedStream().toList()) {
      customizer.customize(b);
      sink = customizer.decorate(sink);
    }
    b.auditSink(sink);
    return b.build();
  }

  private static void signingKey(JitProperties.Signing signing, GrantBroker.Builder b) {
    Path key = signing.getKeyLocation();
    if (key != null && signing.isGenerateDevKey()) {
      throw new IllegalStateException("set jit.signing.key-location or jit.signing.generate-dev-key=true, not both");
    }
    if (key != null) {
      try {
        b.signingKey(Files.readString(key));
      } catch (IOException e) {
        // the path only: never the file's content
        throw new UncheckedIOException("jit.signing.key-location: cannot read " + key, e);
      }
      return;
    }
    if (!signing.isGenerateDevKey()) {
      throw new IllegalStateException("jit.signing.key-location is required: the private signing key file "
          + "(JWK or PEM) shared by the replicas; for development only, jit.signing.generate-dev-key=true");
    }
    LOG.warn("*** jit.signing.generate-dev-key=true: the broker signs with a key generated at startup. Tokens "
        + "stop verifying when this application restarts and replicas do not share keys. Development only: "
        + "set jit.signing.key-location in production. ***");
  }

  static <T> T require(@Nullable T value, String property) {
    if (value == null || (value instanceof String s && s.isBlank())) {
      throw new IllegalStateException(property + " is required");
    }
    return value;
  }

  /** {@code jit.store.type=postgres} and {@code jit.audit.type=postgres}: jit-store-postgres on the application's DataSource. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.jitaccess.store.postgres.PostgresGrantStore")
  static class PostgresConfiguration {

    /** The PostgreSQL grant store on the application's DataSource. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(GrantStore.class)
    @ConditionalOnProperty(prefix = "jit.store", name = "type", havingValue = "postgres")
    @ConditionalOnBean(DataSource.class)
    PostgresGrantStore jitPostgresGrantStore(JitProperties properties, DataSource dataSource,
        ObjectProvider<Clock> clock) {
      String schema = properties.getStore().getSchema();
      if (properties.getStore().isMigrate()) {
        (schema == null ? PostgresSchema.of(dataSource) : PostgresSchema.of(dataSource, schema)).migrate();
      }
      PostgresGrantStore.Builder b = PostgresGrantStore.builder().dataSource(dataSource).clock(clock(clock));
      if (schema != null) {
        b.schema(schema);
      }
      return b.build();
    }

    /** The PostgreSQL audit sink, committing each ISSUED record with its grant when the store is PostgreSQL too. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(AuditSink.class)
    @ConditionalOnProperty(prefix = "jit.audit", name = "type", havingValue = "postgres")
    AuditSink jitPostgresAuditSink(JitProperties properties, ObjectProvider<DataSource> dataSource,
        ObjectProvider<PostgresGrantStore> store) {
      DataSource ds = dataSource.getIfAvailable();
      if (ds == null) {
        throw new IllegalStateException("jit.audit.type=postgres needs a DataSource bean");
      }
      PostgresAuditSink.Builder b = PostgresAuditSink.builder().dataSource(ds);
      String schema = properties.getStore().getSchema();
      if (schema != null) {
        b.schema(schema);
      }
      PostgresGrantStore s = store.getIfAvailable();
      if (s != null) {
        b.grantStore(s);
      }
      return b.build();
    }
  }
}
