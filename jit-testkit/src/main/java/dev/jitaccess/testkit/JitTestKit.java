package dev.jitaccess.testkit;

import dev.jitaccess.Credential;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.internal.Arguments;
import dev.jitaccess.oidc.OidcIdentityVerifier;
import dev.jitaccess.policy.Policy;
import dev.jitaccess.policy.Rule;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.IdSource;
import dev.jitaccess.spi.InMemoryApprovalHandler;
import dev.jitaccess.spi.PolicyEvaluator;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A complete in-memory broker for tests, ready in one line:
 * <pre>{@code
 * try (JitTestKit kit = JitTestKit.create()) {
 *   Grant grant = kit.broker().request(kit.request("spiffe://example.org/ci/deploy")
 *       .taskId("deploy-42").purpose("deploy").resource("db://prod").actions("write")
 *       .environment("prod").ttl(Duration.ofMinutes(5)).build());
 *   kit.clock().advance(Duration.ofMinutes(5));            // fires onExpiring, then onExpired
 *   assertThat(kit.listener().grantIds(Kind.EXPIRED)).containsExactly(grant.id());
 * }
 * }</pre>
 *
 * <p>What {@link #create()} wires (each default can be changed with {@link #builder()}):
 * <ul>
 *   <li>a {@link ManualClock} standing at {@link #DEFAULT_START}, which is also the broker's scheduler:
 *       nothing happens until the test advances it, and then due callbacks run on the test's thread;
 *   <li>broker issuer {@value #DEFAULT_ISSUER}; every listener callback on the calling thread;
 *   <li>a {@link TestTrustDomain} {@value #DEFAULT_TRUST_DOMAIN} and a {@link TestOidcIssuer}
 *       {@value #DEFAULT_OIDC_ISSUER}, and the real verifiers for them, all accepting the audience
 *       {@value #DEFAULT_AUDIENCE}: JWT-SVID (owner from the claim {@code owner}), X.509-SVID, and OIDC
 *       (owner from the claim {@code owner}, else {@code repository_owner}, else the Kubernetes
 *       namespace);
 *   <li>a {@link RulePolicy} that allows every request for at most 1 hour (rule {@value
 *       #ALLOW_ALL_RULE}), unless a policy is given;
 *   <li>an {@link InMemoryApprovalHandler} (groups from {@link Builder#approvers});
 *   <li>a {@link RecordingAuditSink} and a {@link RecordingListener}; the in-memory grant store.
 * </ul>
 *
 * <p>Thread-safe as the broker is. {@link #close()} closes the broker and the OIDC verifier. Test use only.
 */
public final class JitTestKit implements AutoCloseable {
  /** Where the clock stands when the kit is created: {@code 2030-01-01T00:00:00Z}. */
  public static final Instant DEFAULT_START = Instant.parse("2030-01-01T00:00:00Z");
  /** The default trust domain. */
  public static final String DEFAULT_TRUST_DOMAIN = "example.org";
  /** The default audience the verifiers accept, and the kit's credentials carry. */
  public static final String DEFAULT_AUDIENCE = "jit-broker";
  /** The default broker issuer ({@code iss} of grant tokens). */
  public static final String DEFAULT_ISSUER = "https://jit.test";
  /** The default OIDC issuer. */
  public static final String DEFAULT_OIDC_ISSUER = "https://oidc.test";
  /** The id of the default policy's only rule. */
  public static final String ALLOW_ALL_RULE = "testkit-allow-all";

  private final ManualClock clock;
  private final String audience;
  private final TestTrustDomain trustDomain;
  private final TestOidcIssuer oidcIssuer;
  private final OidcIdentityVerifier oidcVerifier;
  private final PolicyEvaluator policy;
  private final InMemoryApprovalHandler approvals;
  private final RecordingAuditSink audit = new RecordingAuditSink();
  private final RecordingListener listener = new RecordingListener();
  private final GrantBroker broker;
  private final GrantVerifier verifier;

  private JitTestKit(Builder b) {
    this.clock = ManualClock.at(b.start != null ? b.start : DEFAULT_START);
    this.audience = b.audience != null ? b.audience : DEFAULT_AUDIENCE;
    this.trustDomain =
        TestTrustDomain.create(b.trustDomain != null ? b.trustDomain : DEFAULT_TRUST_DOMAIN, clock);
    this.oidcIssuer = TestOidcIssuer.create(b.oidcIssuer != null ? b.oidcIssuer : DEFAULT_OIDC_ISSUER, clock);
    this.oidcVerifier = oidcIssuer.verifier(audience).owner(JitTestKit::oidcOwner).build();
    this.policy = b.policy != null ? b.policy : RulePolicy.of(allowAll());
    InMemoryApprovalHandler.Builder ah = ApprovalHandler.inMemory(clock);
    b.groups.forEach(ah::group);
    this.approvals = ah.build();
    GrantBroker.Builder gb = GrantBroker.builder()
        .issuer(b.issuer != null ? b.issuer : DEFAULT_ISSUER)
        .identityVerifier(trustDomain.jwtSvidVerifier(audience))
        .identityVerifier(trustDomain.x509SvidVerifier())
        .identityVerifier(oidcVerifier)
        .policy(policy)
        .approvalHandler(approvals)
        .auditSink(audit)
        .listener(listener)
        .clock(clock)
        .scheduler(clock)
        .callbackExecutor(Runnable::run);
    try {
      if (b.customizer != null) {
        b.customizer.accept(gb);
      }
      this.broker = gb.build();
    } catch (RuntimeException e) {
      oidcVerifier.close();
      throw e;
    }
    this.verifier = broker.verifier();
  }

  /** A kit with every default. */
  public static JitTestKit create() {
    return builder().build();
  }

  /** Starts a builder to change the defaults. */
  public static Builder builder() {
    return new Builder();
  }
  /**
   * A deterministic id source for tests: two sources with the same seed return the same ids in the same
   * order (ids have the default's form, 22 base64url characters). Give it to
   * {@code GrantBroker.builder().idSource(...)} for reproducible grant ids; never use it in production,
   * where ids must be unguessable.
   */
  public static IdSource seededIds(long seed) {
    java.util.Random random = new java.util.Random(seed);
    return () -> {
      synchronized (random) {
        return IdSource.encode(random);
      }
    };
  }


  /** The broker. */
  public GrantBroker broker() {
    return broker;
  }

  /** The manual clock, also the broker's scheduler: advance it to fire due expiries and timeouts. */
  public ManualClock clock() {
    return clock;
  }

  /** The throwaway SPIFFE trust domain whose SVIDs the broker accepts. */
  public TestTrustDomain trustDomain() {
    return trustDomain;
  }

  /** The throwaway OIDC issuer whose tokens (for {@link #audience()}) the broker accepts. */
  public TestOidcIssuer oidcIssuer() {
    return oidcIssuer;
  }

  /** The audience the broker's identity verifiers accept. */
  public String audience() {
    return audience;
  }

  /** Every audit event the broker wrote. */
  public RecordingAuditSink audit() {
    return audit;
  }

  /** Every listener callback the broker made. */
  public RecordingListener listener() {
    return listener;
  }

  /** The approval handler: approve or reject pending requests of {@code requestAsync} here. */
  public InMemoryApprovalHandler approvals() {
    return approvals;
  }

  /** The broker's policy: the default allow-all {@link RulePolicy}, or the one given to the builder. */
  public PolicyEvaluator policy() {
    return policy;
  }

  /** The broker's grant-token verifier ({@code broker().verifier()}), which sees revocations at once. */
  public GrantVerifier verifier() {
    return verifier;
  }

  /**
   * A request builder with only the credential filled in: a fresh JWT-SVID for {@code spiffeId} and
   * {@link #audience()}, valid for {@link TestTrustDomain#DEFAULT_JWT_SVID_TTL}. Every other option of
   * {@link GrantRequest.Builder} may be set only once, so the kit sets none of them: add the required
   * {@code taskId}, {@code purpose}, {@code resource}, {@code actions}, {@code environment} and {@code
   * ttl} yourself.
   *
   * @throws IllegalArgumentException if the ID is not a SPIFFE ID with a path in the kit's trust domain
   */
  public GrantRequest.Builder request(String spiffeId) {
    return GrantRequest.builder().credential(trustDomain.credential(spiffeId, audience));
  }

  /**
   * A request builder with only this credential filled in (for example an X.509-SVID's {@code
   * credential()} or {@code Credential.oidcToken(kit.oidcIssuer().githubActionsToken(...))}).
   */
  public GrantRequest.Builder request(Credential credential) {
    return GrantRequest.builder().credential(credential);
  }

  /**
   * Forgets what the recording audit sink and listener hold, so a test can assert on what follows.
   * Grants, the clock, keys and pending approvals are left as they are.
   */
  public void reset() {
    audit.clear();
    listener.clear();
  }

  /** Closes the broker and the OIDC verifier; idempotent. */
  @Override
  public void close() {
    try {
      broker.close();
    } finally {
      oidcVerifier.close();
    }
  }

  @Override
  public String toString() {
    return "JitTestKit[" + trustDomain.trustDomain().name() + ", audience=" + audience + ", " + clock + "]";
  }

  private static Policy allowAll() {
    return Policy.builder()
        .name("jit-testkit allow-all")
        .maxTtl(Duration.ofHours(1))
        .rule(Rule.builder(ALLOW_ALL_RULE)
            .owner("jit-testkit")
            .description("the test kit's default: allow every request for at most 1 hour")
            .allow()
            .build())
        .build();
  }

  private static @Nullable String oidcOwner(Map<String, Object> claims) {
    for (String name : new String[] {"owner", "repository_owner"}) {
      Object v = claims.get(name);
      if (v instanceof String s) {
        return s;
      }
    }
    Object k8s = claims.get("kubernetes.io");
    if (k8s instanceof Map<?, ?> m) {
      Object ns = m.get("namespace");
      if (ns instanceof String s) {
        return s;
      }
    }
    return null;
  }

  /**
   * Builds a {@link JitTestKit}. Each option may be set once; nulls are refused with a {@link
   * NullPointerException} naming the option. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable String trustDomain;
    private @Nullable String audience;
    private @Nullable String issuer;
    private @Nullable String oidcIssuer;
    private @Nullable Instant start;
    private @Nullable PolicyEvaluator policy;
    private final Map<String, String[]> groups = new LinkedHashMap<>();
    private @Nullable Consumer<GrantBroker.Builder> customizer;

    private Builder() {}

    /** The SPIFFE trust domain name; default {@value JitTestKit#DEFAULT_TRUST_DOMAIN}. */
    public Builder trustDomain(String name) {
      Objects.requireNonNull(name, "trustDomain");
      Arguments.requireUnset(trustDomain, "trustDomain");
      this.trustDomain = Arguments.requireNotBlank(name, "trustDomain");
      return this;
    }

    /** The audience the identity verifiers accept; default {@value JitTestKit#DEFAULT_AUDIENCE}. */
    public Builder audience(String audience) {
      Objects.requireNonNull(audience, "audience");
      Arguments.requireUnset(this.audience, "audience");
      this.audience = Arguments.requireNotBlank(audience, "audience");
      return this;
    }

    /** The broker's issuer; default {@value JitTestKit#DEFAULT_ISSUER}. */
    public Builder issuer(String issuer) {
      Objects.requireNonNull(issuer, "issuer");
      Arguments.requireUnset(this.issuer, "issuer");
      this.issuer = Arguments.requireNotBlank(issuer, "issuer");
      return this;
    }

    /** The OIDC issuer of the kit's {@link TestOidcIssuer}; default {@value JitTestKit#DEFAULT_OIDC_ISSUER}. */
    public Builder oidcIssuer(String issuer) {
      Objects.requireNonNull(issuer, "oidcIssuer");
      Arguments.requireUnset(this.oidcIssuer, "oidcIssuer");
      this.oidcIssuer = Arguments.requireNotBlank(issuer, "oidcIssuer");
      return this;
    }

    /** Where the manual clock starts; default {@link JitTestKit#DEFAULT_START}. */
    public Builder start(Instant start) {
      Objects.requireNonNull(start, "start");
      Arguments.requireUnset(this.start, "start");
      this.start = start;
      return this;
    }

    /**
     * A YAML policy (see jit-policy's {@code POLICY.md}) instead of the allow-all default.
     *
     * @throws dev.jitaccess.policy.InvalidPolicyException listing every error if the document is invalid
     */
    public Builder policy(String yaml) {
      Objects.requireNonNull(yaml, "policy");
      Arguments.requireUnset(this.policy, "policy");
      this.policy = RulePolicy.of(Policy.parse("jit-testkit policy", yaml).orElseThrow());
      return this;
    }

    /** A policy built in Java instead of the allow-all default. */
    public Builder policy(Policy policy) {
      Objects.requireNonNull(policy, "policy");
      Arguments.requireUnset(this.policy, "policy");
      this.policy = RulePolicy.of(policy);
      return this;
    }

    /** Any policy evaluator instead of the allow-all default. */
    public Builder policy(PolicyEvaluator policy) {
      Objects.requireNonNull(policy, "policy");
      Arguments.requireUnset(this.policy, "policy");
      this.policy = policy;
      return this;
    }

    /** An approver group of the {@link InMemoryApprovalHandler} and its members; call once per group. */
    public Builder approvers(String group, String... members) {
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(members, "members");
      Arguments.requireState(!groups.containsKey(group), "approver group '" + group + "' was already set");
      groups.put(Arguments.requireNotBlank(group, "group"), members.clone());
      return this;
    }

    /**
     * Further broker options, applied after the kit's own (for example {@code b -> b.maxTtl(...)
     * .maxGrantsPerTask(2)}). Do not set what the kit sets (issuer, policy, approval handler, audit sink,
     * clock, scheduler, callback executor): the broker builder refuses a second value. Identity verifiers
     * and listeners added here come after the kit's.
     */
    public Builder broker(Consumer<GrantBroker.Builder> customizer) {
      Objects.requireNonNull(customizer, "broker");
      Arguments.requireUnset(this.customizer, "broker");
      this.customizer = customizer;
      return this;
    }

    /** Builds the kit: generates keys and certificates and builds the broker. */
    public JitTestKit build() {
      return new JitTestKit(this);
    }
  }
}
