package dev.jitaccess;

import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.BrokerObserver;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.IdSource;
import dev.jitaccess.spi.IdentityVerifier;
import dev.jitaccess.spi.KeyDirectory;
import dev.jitaccess.spi.PolicyEvaluator;
import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * A broker's options with every default resolved, made once by {@link GrantBroker.Builder#build()} from
 * its builder (which it never changes). The defaults live here, beside the builder javadoc that states
 * them; the parts of the broker read only this record.
 *
 * @param issuer the {@code iss} of every token
 * @param identityVerifiers the identity verifiers, in order
 * @param policy the policy
 * @param approvalHandler who approves, or null (requests needing approval are denied)
 * @param store the grant store (an in-memory one unless set)
 * @param audit the audit sink
 * @param auditBlocks whether a failing audit sink blocks issuance
 * @param listeners the broker-wide listeners
 * @param clock the clock
 * @param scheduler the scheduler, guarded so that a throwing one cannot stop the broker's timer
 * @param ownScheduler the scheduler the broker created (and so closes on close), or null when one was given
 * @param callbackExecutor where listener callbacks run
 * @param algorithm the signing algorithm
 * @param signingKey a shared signing key (JWK or PEM), or null to generate one
 * @param signingKeys shared signing keys with verify-only ones, or null
 * @param keyDirectory where the public keys of every replica are registered, or null
 * @param keyRotation the rotation interval of a generated key, or null for none
 * @param maxTtl the ceiling on every grant's TTL
 * @param breakGlassTtl the ceiling on a break-glass grant's TTL (never above maxTtl)
 * @param clockSkew the skew the verifier tolerates
 * @param expiringFraction when {@code onExpiring} fires, as a fraction of the lifetime
 * @param renewFraction when a renewing grant is re-minted, as a fraction of the token lifetime
 * @param maxPerIdentity the most live grants per identity
 * @param maxPerTask the most live grants per task
 * @param maxCredentialBytes the largest credential accepted
 * @param identityRevocationWindow how long after revokeIdentity older credentials of the identity are refused
 * @param credentialExpiryGrace the grace past the credential's expiry that caps every grant, or null (off)
 * @param credentialCacheMaxAge the credential cache's maximum age, or null when the cache is off
 * @param credentialCacheSize the credential cache's size (0 when the cache is off)
 * @param observer observes request, evaluate, verify and delegate (a no-op unless set)
 * @param idSource where grant and approval ids come from ({@link IdSource#secureRandom()} unless set)
 */
record BrokerConfig(
    String issuer,
    List<IdentityVerifier> identityVerifiers,
    PolicyEvaluator policy,
    @Nullable ApprovalHandler approvalHandler,
    GrantStore store,
    AuditSink audit,
    boolean auditBlocks,
    List<GrantListener> listeners,
    Clock clock,
    GuardedScheduler scheduler,
    Scheduler.@Nullable Threaded ownScheduler,
    Executor callbackExecutor,
    SigningAlgorithm algorithm,
    @Nullable String signingKey,
    @Nullable SigningKeys signingKeys,
    @Nullable KeyDirectory keyDirectory,
    @Nullable Duration keyRotation,
    Duration maxTtl,
    Duration breakGlassTtl,
    Duration clockSkew,
    double expiringFraction,
    double renewFraction,
    int maxPerIdentity,
    int maxPerTask,
    int maxCredentialBytes,
    Duration identityRevocationWindow,
    @Nullable Duration credentialExpiryGrace,
    @Nullable Duration credentialCacheMaxAge,
    int credentialCacheSize,
    BrokerObserver observer,
    IdSource idSource) {

  /** Default {@link GrantBroker.Builder#maxTtl}. */
  static final Duration DEFAULT_MAX_TTL = Duration.ofHours(1);
  /** Default {@link GrantBroker.Builder#breakGlassTtl}, lowered to maxTtl when that is shorter. */
  static final Duration DEFAULT_BREAK_GLASS_TTL = Duration.ofMinutes(15);
  /** Default {@link GrantBroker.Builder#keyRotation} with a {@link GrantBroker.Builder#keyDirectory}. */
  static final Duration DEFAULT_DIRECTORY_KEY_ROTATION = Duration.ofDays(1);
  /** Default {@link GrantBroker.Builder#clockSkew}. */
  static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
  /** Default {@link GrantBroker.Builder#expiringFraction}. */
  static final double DEFAULT_EXPIRING_FRACTION = 0.8;
  /** Default {@link GrantBroker.Builder#renewFraction}. */
  static final double DEFAULT_RENEW_FRACTION = 0.5;
  /** Default {@link GrantBroker.Builder#maxGrantsPerIdentity}. */
  static final int DEFAULT_MAX_PER_IDENTITY = 100;
  /** Default {@link GrantBroker.Builder#maxGrantsPerTask}. */
  static final int DEFAULT_MAX_PER_TASK = 10;
  /** Default {@link GrantBroker.Builder#maxCredentialBytes}. */
  static final int DEFAULT_MAX_CREDENTIAL_BYTES = 16 * 1024;
  /** Default {@link GrantBroker.Builder#identityRevocationWindow}. */
  static final Duration DEFAULT_IDENTITY_REVOCATION_WINDOW = Duration.ofHours(24);
  /** The name of the scheduler thread a broker creates for itself. */
  static final String THREAD_NAME = "jit-access-broker";

  /** Checks and copies. */
  BrokerConfig {
    Objects.requireNonNull(issuer, "issuer");
    identityVerifiers = List.copyOf(identityVerifiers);
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(audit, "audit");
    listeners = List.copyOf(listeners);
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(callbackExecutor, "callbackExecutor");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(maxTtl, "maxTtl");
    Objects.requireNonNull(breakGlassTtl, "breakGlassTtl");
    Objects.requireNonNull(clockSkew, "clockSkew");
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(idSource, "idSource");
    Objects.requireNonNull(identityRevocationWindow, "identityRevocationWindow");
  }

  /**
   * Resolves every default of a checked builder. Reads the builder, never writes it. Checks that the
   * audit sink delivers ({@link AuditSink#requireDelivering()}) before anything else, then creates the
   * broker's own scheduler thread when none was given.
   *
   * @throws IllegalStateException naming the fix, if the audit sink would drop every record
   */
  static BrokerConfig of(GrantBroker.Builder b) {
    // fail fast where silence loses data (issue 18 item 1): before any thread exists, so nothing leaks
    AuditSink audit = b.auditSink != null ? b.auditSink : AuditSink.slf4j();
    audit.requireDelivering();
    String issuer = Objects.requireNonNull(b.issuer, "issuer"); // build() checked it
    PolicyEvaluator policy = Objects.requireNonNull(b.policy, "policy"); // build() checked it
    Clock clock = b.clock != null ? b.clock : Clock.systemUTC();
    Duration maxTtl = b.maxTtl != null ? b.maxTtl : DEFAULT_MAX_TTL;
    Duration breakGlassTtl = b.breakGlassTtl != null
        ? b.breakGlassTtl
        : DEFAULT_BREAK_GLASS_TTL.compareTo(maxTtl) <= 0 ? DEFAULT_BREAK_GLASS_TTL : maxTtl;
    Duration skew = b.clockSkew != null ? b.clockSkew : DEFAULT_CLOCK_SKEW;
    Scheduler.@Nullable Threaded ownScheduler = b.scheduler == null ? Scheduler.threaded(clock, THREAD_NAME) : null;
    Scheduler raw = ownScheduler != null ? ownScheduler : Objects.requireNonNull(b.scheduler, "scheduler");
    GuardedScheduler scheduler = new GuardedScheduler(raw);
    GrantStore store = b.store != null ? b.store : GrantStore.inMemory(clock, scheduler, skew);
    Duration cacheMaxAge = b.credentialCacheMaxAge;
    Integer cacheSize = b.credentialCacheSize; // set together with the max age
    return new BrokerConfig(
        issuer,
        b.identityVerifiers,
        policy,
        b.approvalHandler,
        store,
        audit,
        b.auditFailureBlocksIssuance == null || b.auditFailureBlocksIssuance,
        b.listeners,
        clock,
        scheduler,
        ownScheduler,
        b.callbackExecutor != null ? b.callbackExecutor : Runnable::run,
        b.algorithm != null ? b.algorithm : SigningAlgorithm.ES256,
        b.signingKey,
        b.signingKeys,
        b.keyDirectory,
        b.keyRotation != null || b.keyDirectory == null ? b.keyRotation : DEFAULT_DIRECTORY_KEY_ROTATION,
        maxTtl,
        breakGlassTtl,
        skew,
        b.expiringFraction != null ? b.expiringFraction : DEFAULT_EXPIRING_FRACTION,
        b.renewFraction != null ? b.renewFraction : DEFAULT_RENEW_FRACTION,
        b.maxGrantsPerIdentity != null ? b.maxGrantsPerIdentity : DEFAULT_MAX_PER_IDENTITY,
        b.maxGrantsPerTask != null ? b.maxGrantsPerTask : DEFAULT_MAX_PER_TASK,
        b.maxCredentialBytes != null ? b.maxCredentialBytes : DEFAULT_MAX_CREDENTIAL_BYTES,
        b.identityRevocationWindow != null ? b.identityRevocationWindow : DEFAULT_IDENTITY_REVOCATION_WINDOW,
        b.credentialExpiryGrace,
        cacheMaxAge == null || cacheSize == null ? null : cacheMaxAge,
        cacheMaxAge == null || cacheSize == null ? 0 : cacheSize,
        b.observer != null ? b.observer : BrokerObserver.noop(),
        b.idSource != null ? b.idSource : IdSource.secureRandom());
  }

  @Override
  public String toString() {
    // the signing key never appears
    return "BrokerConfig[issuer=" + issuer + ", algorithm=" + algorithm + ", signingKey="
        + (signingKey == null ? "generated" : "<redacted>") + (signingKeys == null ? "" : ", " + signingKeys)
        + (keyDirectory == null ? "" : ", keyDirectory=" + keyDirectory) + ", maxTtl=" + maxTtl + ", breakGlassTtl="
        + breakGlassTtl + ", clockSkew=" + clockSkew + ", maxPerIdentity=" + maxPerIdentity + ", maxPerTask="
        + maxPerTask + "]";
  }
}
