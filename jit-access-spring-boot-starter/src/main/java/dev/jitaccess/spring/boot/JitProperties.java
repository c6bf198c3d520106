package dev.jitaccess.spring.boot;

import dev.jitaccess.SigningAlgorithm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code jit.*} application properties. Unset options keep the library's defaults (see the README's
 * builder options); a bad value fails startup with the library's message naming the option and the value.
 */
@ConfigurationProperties(prefix = "jit")
public class JitProperties {
  /** The issuer ({@code iss}) of every grant token, for example {@code https://jit.example.org}. Required. */
  private @Nullable String issuer;
  /** The ceiling on every grant's lifetime (1 second to 24 hours); library default 1 hour. */
  private @Nullable Duration maxTtl;
  /** The forced lifetime of break-glass grants; library default 15 minutes. */
  private @Nullable Duration breakGlassTtl;
  /** The clock skew the verifier tolerates (0 to 5 minutes); library default 30 seconds. */
  private @Nullable Duration clockSkew;
  /** The most live grants one identity may hold; library default 100. */
  private @Nullable Integer maxGrantsPerIdentity;
  /** The most live grants one task may hold; library default 10. */
  private @Nullable Integer maxGrantsPerTask;

  private final Signing signing = new Signing();
  private final CredentialCache credentialCache = new CredentialCache();
  private final PolicyFile policy = new PolicyFile();
  private final Identity identity = new Identity();
  private final Store store = new Store();
  private final Audit audit = new Audit();
  private final OAuth oauth = new OAuth();
  private final ResourceServer resourceServer = new ResourceServer();

  /** The issuer. */
  public @Nullable String getIssuer() {
    return issuer;
  }

  /** Sets the issuer. */
  public void setIssuer(@Nullable String issuer) {
    this.issuer = issuer;
  }

  /** The TTL ceiling. */
  public @Nullable Duration getMaxTtl() {
    return maxTtl;
  }

  /** Sets the TTL ceiling. */
  public void setMaxTtl(@Nullable Duration maxTtl) {
    this.maxTtl = maxTtl;
  }

  /** The break-glass TTL. */
  public @Nullable Duration getBreakGlassTtl() {
    return breakGlassTtl;
  }

  /** Sets the break-glass TTL. */
  public void setBreakGlassTtl(@Nullable Duration breakGlassTtl) {
    this.breakGlassTtl = breakGlassTtl;
  }

  /** The tolerated clock skew. */
  public @Nullable Duration getClockSkew() {
    return clockSkew;
  }

  /** Sets the tolerated clock skew. */
  public void setClockSkew(@Nullable Duration clockSkew) {
    this.clockSkew = clockSkew;
  }

  /** The quota per identity. */
  public @Nullable Integer getMaxGrantsPerIdentity() {
    return maxGrantsPerIdentity;
  }

  /** Sets the quota per identity. */
  public void setMaxGrantsPerIdentity(@Nullable Integer maxGrantsPerIdentity) {
    this.maxGrantsPerIdentity = maxGrantsPerIdentity;
  }

  /** The quota per task. */
  public @Nullable Integer getMaxGrantsPerTask() {
    return maxGrantsPerTask;
  }

  /** Sets the quota per task. */
  public void setMaxGrantsPerTask(@Nullable Integer maxGrantsPerTask) {
    this.maxGrantsPerTask = maxGrantsPerTask;
  }

  /** The signing options. */
  public Signing getSigning() {
    return signing;
  }

  /** The credential cache options. */
  public CredentialCache getCredentialCache() {
    return credentialCache;
  }

  /** The policy file options. */
  public PolicyFile getPolicy() {
    return policy;
  }

  /** The identity verifier options. */
  public Identity getIdentity() {
    return identity;
  }

  /** The store options. */
  public Store getStore() {
    return store;
  }

  /** The audit sink options. */
  public Audit getAudit() {
    return audit;
  }

  /** The OAuth endpoint options. */
  public OAuth getOauth() {
    return oauth;
  }

  /** The resource-server (Spring Security) options. */
  public ResourceServer getResourceServer() {
    return resourceServer;
  }

  /** {@code jit.signing.*}: how grant tokens are signed. */
  public static class Signing {
    /** The signing algorithm: ES256 (default), EDDSA or RS256. */
    private SigningAlgorithm algorithm = SigningAlgorithm.ES256;
    /**
     * The private signing key file, JWK JSON or PEM (PKCS#8, SEC1 or PKCS#1), shared by the replicas. Its
     * type must match the algorithm. Required unless generate-dev-key is true.
     */
    private @Nullable Path keyLocation;
    /**
     * Development only: generate a signing key at startup instead of reading key-location (logged as a
     * WARN). Tokens then stop verifying when the application restarts, and replicas do not share keys.
     */
    private boolean generateDevKey;

    /** The algorithm. */
    public SigningAlgorithm getAlgorithm() {
      return algorithm;
    }

    /** Sets the algorithm. */
    public void setAlgorithm(SigningAlgorithm algorithm) {
      this.algorithm = algorithm;
    }

    /** The key file. */
    public @Nullable Path getKeyLocation() {
      return keyLocation;
    }

    /** Sets the key file. */
    public void setKeyLocation(@Nullable Path keyLocation) {
      this.keyLocation = keyLocation;
    }

    /** Whether a development key is generated. */
    public boolean isGenerateDevKey() {
      return generateDevKey;
    }

    /** Sets whether a development key is generated. */
    public void setGenerateDevKey(boolean generateDevKey) {
      this.generateDevKey = generateDevKey;
    }
  }

  /** {@code jit.credential-cache.*}: the cache of verified bearer credentials (off unless max-age is set). */
  public static class CredentialCache {
    /** How long a verified credential is cached (1 second to 1 hour), never past its own expiry. */
    private @Nullable Duration maxAge;
    /** The most cached credentials. */
    private int maxEntries = 10_000;

    /** The maximum age, or null when the cache is off. */
    public @Nullable Duration getMaxAge() {
      return maxAge;
    }

    /** Sets the maximum age. */
    public void setMaxAge(@Nullable Duration maxAge) {
      this.maxAge = maxAge;
    }

    /** The size. */
    public int getMaxEntries() {
      return maxEntries;
    }

    /** Sets the size. */
    public void setMaxEntries(int maxEntries) {
      this.maxEntries = maxEntries;
    }
  }

  /** {@code jit.policy.*}: the YAML policy file. */
  public static class PolicyFile {
    /** The YAML policy file. Required unless the application defines its own PolicyEvaluator bean. */
    private @Nullable Path location;
    /** Whether a change of the file on disk is loaded while the application runs (the last good policy stays on error). */
    private boolean reload = true;

    /** The policy file. */
    public @Nullable Path getLocation() {
      return location;
    }

    /** Sets the policy file. */
    public void setLocation(@Nullable Path location) {
      this.location = location;
    }

    /** Whether the file is reloaded on change. */
    public boolean isReload() {
      return reload;
    }

    /** Sets whether the file is reloaded on change. */
    public void setReload(boolean reload) {
      this.reload = reload;
    }
  }

  /** {@code jit.identity.*}: who may ask for grants. */
  public static class Identity {
    private final Spiffe spiffe = new Spiffe();
    private final Oidc oidc = new Oidc();

    /** SPIFFE JWT-SVIDs. */
    public Spiffe getSpiffe() {
      return spiffe;
    }

    /** OIDC tokens. */
    public Oidc getOidc() {
      return oidc;
    }
  }

  /** {@code jit.identity.spiffe.*}: JWT-SVIDs checked against a trust bundle. */
  public static class Spiffe {
    /** The trust domain, for example {@code prod.example.org}; setting it turns on the JWT-SVID verifier. */
    private @Nullable String trustDomain;
    /** A SPIFFE bundle file, re-read on refresh. Exactly one of bundle-file and bundle-endpoint. */
    private @Nullable Path bundleFile;
    /** An HTTPS SPIFFE bundle endpoint, fetched on refresh. Exactly one of bundle-file and bundle-endpoint. */
    private @Nullable String bundleEndpoint;
    /** How often the bundle is refreshed when it gives no refresh hint; library default 5 minutes. */
    private @Nullable Duration refreshInterval;
    /** The audiences a JWT-SVID must name (at least one), usually the broker's own. */
    private List<String> audiences = new ArrayList<>();
    /** A JWT-SVID claim that names the workload's owner (team), if any. */
    private @Nullable String ownerClaim;
    /** Refreshes failing for longer than this make the health indicator report DOWN. */
    private Duration maxBundleAge = Duration.ofHours(1);

    /** The trust domain. */
    public @Nullable String getTrustDomain() {
      return trustDomain;
    }

    /** Sets the trust domain. */
    public void setTrustDomain(@Nullable String trustDomain) {
      this.trustDomain = trustDomain;
    }

    /** The bundle file. */
    public @Nullable Path getBundleFile() {
      return bundleFile;
    }

    /** Sets the bundle file. */
    public void setBundleFile(@Nullable Path bundleFile) {
      this.bundleFile = bundleFile;
    }

    /** The bundle endpoint. */
    public @Nullable String getBundleEndpoint() {
      return bundleEndpoint;
    }

    /** Sets the bundle endpoint. */
    public void setBundleEndpoint(@Nullable String bundleEndpoint) {
      this.bundleEndpoint = bundleEndpoint;
    }

    /** The refresh interval. */
    public @Nullable Duration getRefreshInterval() {
      return refreshInterval;
    }

    /** Sets the refresh interval. */
    public void setRefreshInterval(@Nullable Duration refreshInterval) {
      this.refreshInterval = refreshInterval;
    }

    /** The accepted audiences. */
    public List<String> getAudiences() {
      return audiences;
    }

    /** Sets the accepted audiences. */
    public void setAudiences(List<String> audiences) {
      this.audiences = audiences;
    }

    /** The owner claim. */
    public @Nullable String getOwnerClaim() {
      return ownerClaim;
    }

    /** Sets the owner claim. */
    public void setOwnerClaim(@Nullable String ownerClaim) {
      this.ownerClaim = ownerClaim;
    }

    /** The bundle age past which health is DOWN. */
    public Duration getMaxBundleAge() {
      return maxBundleAge;
    }

    /** Sets the bundle age past which health is DOWN. */
    public void setMaxBundleAge(Duration maxBundleAge) {
      this.maxBundleAge = maxBundleAge;
    }
  }

  /** {@code jit.identity.oidc.*}: OIDC presets. */
  public static class Oidc {
    private final GitHubActions githubActions = new GitHubActions();
    private final Kubernetes kubernetes = new Kubernetes();

    /** GitHub Actions ID tokens. */
    public GitHubActions getGithubActions() {
      return githubActions;
    }

    /** Kubernetes service-account tokens. */
    public Kubernetes getKubernetes() {
      return kubernetes;
    }
  }

  /** {@code jit.identity.oidc.github-actions.*}: GitHub Actions ID tokens (on when audience is set). */
  public static class GitHubActions {
    /** The audience the workflow requests its token for; setting it turns the verifier on. */
    private @Nullable String audience;
    /** Claims that must have exactly this value, for example {@code repository_owner: my-org}. */
    private Map<String, String> requiredClaims = new LinkedHashMap<>();

    /** The audience. */
    public @Nullable String getAudience() {
      return audience;
    }

    /** Sets the audience. */
    public void setAudience(@Nullable String audience) {
      this.audience = audience;
    }

    /** The required claims. */
    public Map<String, String> getRequiredClaims() {
      return requiredClaims;
    }

    /** Sets the required claims. */
    public void setRequiredClaims(Map<String, String> requiredClaims) {
      this.requiredClaims = requiredClaims;
    }
  }

  /** {@code jit.identity.oidc.kubernetes.*}: Kubernetes service-account tokens (on when issuer is set). */
  public static class Kubernetes {
    /** The cluster's service-account issuer; setting it turns the verifier on. */
    private @Nullable String issuer;
    /** The cluster's JWKS URL (HTTPS). */
    private @Nullable String jwksUrl;
    /** The audience the pod's projected token is minted for. */
    private @Nullable String audience;
    /** Claims that must have exactly this value. */
    private Map<String, String> requiredClaims = new LinkedHashMap<>();

    /** The issuer. */
    public @Nullable String getIssuer() {
      return issuer;
    }

    /** Sets the issuer. */
    public void setIssuer(@Nullable String issuer) {
      this.issuer = issuer;
    }

    /** The JWKS URL. */
    public @Nullable String getJwksUrl() {
      return jwksUrl;
    }

    /** Sets the JWKS URL. */
    public void setJwksUrl(@Nullable String jwksUrl) {
      this.jwksUrl = jwksUrl;
    }

    /** The audience. */
    public @Nullable String getAudience() {
      return audience;
    }

    /** Sets the audience. */
    public void setAudience(@Nullable String audience) {
      this.audience = audience;
    }

    /** The required claims. */
    public Map<String, String> getRequiredClaims() {
      return requiredClaims;
    }

    /** Sets the required claims. */
    public void setRequiredClaims(Map<String, String> requiredClaims) {
      this.requiredClaims = requiredClaims;
    }
  }

  /** Where grant state lives. */
  public enum StoreType {
    /** In memory (one replica). */
    MEMORY,
    /** PostgreSQL through the application's DataSource (jit-store-postgres). */
    POSTGRES
  }

  /** Where audit records go. */
  public enum AuditType {
    /** SLF4J, logger {@code jit.audit}. */
    SLF4J,
    /** A hash-chained JSON-lines file. */
    JSON_LINES,
    /** PostgreSQL (jit-store-postgres), in the store's schema. */
    POSTGRES
  }

  /** {@code jit.store.*}. */
  public static class Store {
    /** memory (default) or postgres. */
    private StoreType type = StoreType.MEMORY;
    /** The PostgreSQL schema of the jit-access tables; library default {@code jit}. */
    private @Nullable String schema;
    /** Whether the starter creates or migrates the PostgreSQL schema at startup (off: run the scripts yourself). */
    private boolean migrate;

    /** The type. */
    public StoreType getType() {
      return type;
    }

    /** Sets the type. */
    public void setType(StoreType type) {
      this.type = type;
    }

    /** The schema. */
    public @Nullable String getSchema() {
      return schema;
    }

    /** Sets the schema. */
    public void setSchema(@Nullable String schema) {
      this.schema = schema;
    }

    /** Whether the schema is migrated at startup. */
    public boolean isMigrate() {
      return migrate;
    }

    /** Sets whether the schema is migrated at startup. */
    public void setMigrate(boolean migrate) {
      this.migrate = migrate;
    }
  }

  /** {@code jit.audit.*}. */
  public static class Audit {
    /** slf4j (default), json-lines or postgres. */
    private AuditType type = AuditType.SLF4J;
    /** The JSON-lines file (type json-lines). */
    private @Nullable Path path;

    /** The type. */
    public AuditType getType() {
      return type;
    }

    /** Sets the type. */
    public void setType(AuditType type) {
      this.type = type;
    }

    /** The JSON-lines file. */
    public @Nullable Path getPath() {
      return path;
    }

    /** Sets the JSON-lines file. */
    public void setPath(@Nullable Path path) {
      this.path = path;
    }
  }

  /** {@code jit.oauth.*}. */
  public static class OAuth {
    private final Endpoints endpoints = new Endpoints();

    /** The endpoints. */
    public Endpoints getEndpoints() {
      return endpoints;
    }
  }

  /** {@code jit.oauth.endpoints.*}: RFC 8693 token exchange, introspection, revocation and the JWKS. */
  public static class Endpoints {
    /** Whether the endpoints are mapped (needs jit-oauth and Spring MVC). Off by default. */
    private boolean enabled;
    /** The path under which token, introspect, revoke and jwks are mapped. */
    private String path = "/oauth2";
    /** The purpose of a grant when the request names none. */
    private @Nullable String defaultPurpose;
    /** The environment of a grant when the request names none. */
    private @Nullable String defaultEnvironment;
    /** The lifetime of a grant when the request asks for none; library default 5 minutes. */
    private @Nullable Duration defaultTtl;
    /** Development only: error descriptions give the policy's reasons. */
    private boolean denialDetails;

    /** Whether the endpoints are mapped. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether the endpoints are mapped. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** The base path. */
    public String getPath() {
      return path;
    }

    /** Sets the base path. */
    public void setPath(String path) {
      this.path = path;
    }

    /** The default purpose. */
    public @Nullable String getDefaultPurpose() {
      return defaultPurpose;
    }

    /** Sets the default purpose. */
    public void setDefaultPurpose(@Nullable String defaultPurpose) {
      this.defaultPurpose = defaultPurpose;
    }

    /** The default environment. */
    public @Nullable String getDefaultEnvironment() {
      return defaultEnvironment;
    }

    /** Sets the default environment. */
    public void setDefaultEnvironment(@Nullable String defaultEnvironment) {
      this.defaultEnvironment = defaultEnvironment;
    }

    /** The default TTL. */
    public @Nullable Duration getDefaultTtl() {
      return defaultTtl;
    }

    /** Sets the default TTL. */
    public void setDefaultTtl(@Nullable Duration defaultTtl) {
      this.defaultTtl = defaultTtl;
    }

    /** Whether denial details are shown. */
    public boolean isDenialDetails() {
      return denialDetails;
    }

    /** Sets whether denial details are shown. */
    public void setDenialDetails(boolean denialDetails) {
      this.denialDetails = denialDetails;
    }
  }

  /** {@code jit.resource-server.*}: checking grant tokens with Spring Security. */
  public static class ResourceServer {
    /** This resource server's audience (a grant's resource); setting it turns the validator and decoder on. */
    private @Nullable String audience;
    /** A request header naming the task the caller works for; when present, a token of another task is refused. */
    private @Nullable String taskHeader;
    /** The prefix of the authorities made from the token's actions. */
    private String authorityPrefix = "SCOPE_";

    /** The audience. */
    public @Nullable String getAudience() {
      return audience;
    }

    /** Sets the audience. */
    public void setAudience(@Nullable String audience) {
      this.audience = audience;
    }

    /** The task header. */
    public @Nullable String getTaskHeader() {
      return taskHeader;
    }

    /** Sets the task header. */
    public void setTaskHeader(@Nullable String taskHeader) {
      this.taskHeader = taskHeader;
    }

    /** The authority prefix. */
    public String getAuthorityPrefix() {
      return authorityPrefix;
    }

    /** Sets the authority prefix. */
    public void setAuthorityPrefix(String authorityPrefix) {
      this.authorityPrefix = authorityPrefix;
    }
  }
}
