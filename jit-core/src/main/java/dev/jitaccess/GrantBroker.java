package dev.jitaccess;

import dev.jitaccess.internal.Arguments;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Issues just-in-time grants: verifies the presented credential, evaluates the policy, mints a
 * short-lived token bound to one task, records it, audits it, and ends it when the task completes,
 * fails, is revoked or times out. Thread-safe once built. Build one with {@link #builder()}; close it to
 * stop its scheduler.
 */
public interface GrantBroker extends AutoCloseable {

  /** Starts a builder. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Verifies, decides, mints, stores and audits. Nothing is issued when any step fails.
   *
   * @throws AccessDeniedException with the {@link Decision} when the request is not granted, including
   *     when it needs an approval (use {@link #requestAsync}) or a step failed (fail closed)
   */
  Grant request(GrantRequest request);

  /**
   * A dry run: the same identity verification and policy evaluation as {@link #request}, with no token
   * and no state change except an EVALUATED audit event. Answers "why would this be denied". Never throws
   * for a denial.
   */
  Decision evaluate(GrantRequest request);

  /**
   * Like {@link #request}, but a decision that needs a human approval waits for the configured
   * {@link ApprovalHandler}; the stage fails with {@link AccessDeniedException} when the request is
   * denied, rejected or the approval times out.
   */
  CompletionStage<Grant> requestAsync(GrantRequest request);

  /**
   * Requests a grant, runs {@code task} with it and ends it: reason COMPLETED when the task returns,
   * FAILED when it throws. An unchecked exception from the task is rethrown as is; a checked one wrapped
   * in a {@link JitException}.
   */
  <T extends @Nullable Object> T runWithGrant(GrantRequest request, GrantTask<T> task);

  /**
   * Attenuates a live grant into a sub-grant for another identity: the delegate's credential is
   * verified, the policy is asked (it sees the {@link DelegationRequest} attributes), and the result is
   * never wider than the parent (a subset of its actions, its resource or one below it, the same task)
   * nor longer-lived (it expires no later than the parent). Its token carries the {@code act} chain of
   * delegators. Ending the parent, or any ancestor, revokes it (reason PARENT).
   *
   * @throws AccessDeniedException when the parent is not live or may not be delegated further, the
   *     request is wider than the parent, or the identity or policy refuses
   */
  Grant delegate(DelegationRequest request);

  /** Revokes one grant (reason EXPLICIT); idempotent. Returns true if this call ended it. */
  boolean revoke(String grantId);

  /** Revokes every live grant of a task (reason TASK); returns how many this call ended. */
  int revokeTask(String taskId);

  /**
   * Revokes every live grant of an identity (reason IDENTITY) and forgets its cached credentials;
   * returns how many grants this call ended.
   */
  int revokeIdentity(String identityId);

  /**
   * Heartbeat for a grant with an idle timeout: extends its idle deadline, never past its expiry.
   * Returns false if the grant is not live.
   */
  boolean renew(String grantId);

  /**
   * Whether a grant is live now: the store knows it, it was not revoked, it has not expired or gone
   * idle. Unknown ids answer false. The same answer {@link Grant#isLive()} gives.
   */
  boolean isLive(String grantId);

  /** The current public facts of a grant the store still knows. */
  Optional<GrantInfo> find(String grantId);

  /** A verifier that reads this broker's keys and store: revocation and single use take effect at once. */
  GrantVerifier verifier();

  /**
   * The public verification keys as a JWK Set JSON (current and retired keys whose tokens may still be
   * live). With a {@link Builder#keyDirectory}, the keys the directory holds, ordered by kid: the same on
   * every replica.
   *
   * @throws JitException with a key directory that could not be read for longer than its bound
   */
  String publicJwks();

  /**
   * When the key this broker signs with now started signing for it (by the broker's clock): the start of
   * its key age, for a gauge or a health check. A rotation, timed or by {@link #rotateKeys}, starts a new
   * age; a key the user supplies ({@link Builder#signingKey}) counts from the broker's start. Empty for an
   * implementation that does not sign itself; a decorator forwards it.
   */
  default Optional<Instant> signingKeyActiveSince() {
    return Optional.empty();
  }

  /**
   * Rotates the signing key now; the old public key stays published until its last token has expired.
   *
   * @throws IllegalStateException with keys the user supplies ({@link Builder#signingKey}, {@link
   *     Builder#signingKeys}): rotate those where they are managed
   * @throws JitException with a key directory that cannot register the new key (the old one keeps signing)
   */
  void rotateKeys();

  /**
   * Closes the broker: new requests are refused ({@link IllegalStateException}); requests in flight are
   * waited for, at most 10 seconds, and one that has not handed out its grant when close began is
   * refused ({@link AccessDeniedException}, category UNAVAILABLE, audited as DENIED, its record removed),
   * so no grant is handed out after close; an approval arriving later is refused the same way. Stops the
   * broker's timer and its own scheduler, if it created one. Grants handed out before stay valid until
   * they expire (a shared store's other replicas still verify and end them).
   */
  @Override
  void close();

  /**
   * Builds a {@link GrantBroker}. Every option may be set once; nulls, bad ranges and options that
   * contradict each other are refused with a message naming the option and the value. Not thread-safe.
   */
  final class Builder {
    @Nullable String issuer;
    final List<IdentityVerifier> identityVerifiers = new ArrayList<>();
    @Nullable PolicyEvaluator policy;
    @Nullable ApprovalHandler approvalHandler;
    @Nullable GrantStore store;
    @Nullable AuditSink auditSink;
    @Nullable Boolean auditFailureBlocksIssuance;
    final List<GrantListener> listeners = new ArrayList<>();
    @Nullable BrokerObserver observer;
    @Nullable IdSource idSource;
    @Nullable Clock clock;
    @Nullable Scheduler scheduler;
    @Nullable Executor callbackExecutor;
    @Nullable SigningAlgorithm algorithm;
    @Nullable String signingKey;
    @Nullable SigningKeys signingKeys;
    @Nullable KeyDirectory keyDirectory;
    @Nullable Duration keyRotation;
    @Nullable Duration maxTtl;
    @Nullable Duration breakGlassTtl;
    @Nullable Duration clockSkew;
    @Nullable Double expiringFraction;
    @Nullable Double renewFraction;
    @Nullable Integer maxGrantsPerIdentity;
    @Nullable Integer maxGrantsPerTask;
    @Nullable Integer maxCredentialBytes;
    @Nullable Duration identityRevocationWindow;
    @Nullable Duration credentialExpiryGrace;
    @Nullable Duration credentialCacheMaxAge;
    @Nullable Integer credentialCacheSize;

    private Builder() {}

    /** The issuer ({@code iss}) of every token, for example {@code https://jit.example.org}. Required. */
    public Builder issuer(String issuer) {
      Objects.requireNonNull(issuer, "issuer");
      once(this.issuer, "issuer");
      if (issuer.isBlank()) {
        throw new IllegalArgumentException("issuer must not be blank");
      }
      this.issuer = issuer;
      return this;
    }

    /** Adds an identity verifier; the first one that supports a credential decides. At least one is required. */
    public Builder identityVerifier(IdentityVerifier verifier) {
      identityVerifiers.add(Objects.requireNonNull(verifier, "identityVerifier"));
      return this;
    }

    /** The policy. Required. */
    public Builder policy(PolicyEvaluator policy) {
      this.policy = Arguments.setOnce(this.policy, policy, "policy");
      return this;
    }

    /** Who approves requests that need an approval; without one, such requests are denied. */
    public Builder approvalHandler(ApprovalHandler handler) {
      this.approvalHandler = Arguments.setOnce(this.approvalHandler, handler, "approvalHandler");
      return this;
    }

    /** Where lifecycle state lives; defaults to {@link GrantStore#inMemory}. */
    public Builder store(GrantStore store) {
      this.store = Arguments.setOnce(this.store, store, "store");
      return this;
    }

    /**
     * Where audit events go; defaults to {@link AuditSink#slf4j()}. {@link #build()} refuses a sink that
     * would drop every record ({@link AuditSink#requireDelivering()}: for the default, SLF4J with no
     * provider bound); running without an audit trail takes {@link AuditSink#discardEveryRecord()}.
     */
    public Builder auditSink(AuditSink sink) {
      this.auditSink = Arguments.setOnce(this.auditSink, sink, "auditSink");
      return this;
    }

    /**
     * Whether a failing audit sink blocks issuance (default true: nothing is issued that was not audited).
     * With false, the failure is logged at ERROR and the grant is issued.
     */
    public Builder auditFailureBlocksIssuance(boolean blocks) {
      once(this.auditFailureBlocksIssuance, "auditFailureBlocksIssuance");
      this.auditFailureBlocksIssuance = blocks;
      return this;
    }

    /** Adds a listener for every grant. */
    public Builder listener(GrantListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Observes request, evaluate, verify and delegate (for example jit-micrometer's observations); defaults
     * to {@link BrokerObserver#noop()}. An observer that throws is logged and never changes an outcome.
     */
    public Builder observer(BrokerObserver observer) {
      this.observer = Arguments.setOnce(this.observer, observer, "observer");
      return this;
    }

    /**
     * Where grant and approval ids come from; defaults to {@link IdSource#secureRandom()} (unguessable).
     * Set a seeded source only in tests, for deterministic ids.
     */
    public Builder idSource(IdSource idSource) {
      this.idSource = Arguments.setOnce(this.idSource, idSource, "idSource");
      return this;
    }

    /** The clock; defaults to {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Arguments.setOnce(this.clock, clock, "clock");
      return this;
    }

    /** The scheduler for expiry, rotation, approval timeouts and re-minting; defaults to one daemon thread. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Arguments.setOnce(this.scheduler, scheduler, "scheduler");
      return this;
    }

    /** Where listener callbacks run; defaults to the thread that causes the event. */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Arguments.setOnce(this.callbackExecutor, executor, "callbackExecutor");
      return this;
    }

    /** The signing algorithm; defaults to {@link SigningAlgorithm#ES256} (see there why). */
    public Builder algorithm(SigningAlgorithm algorithm) {
      this.algorithm = Arguments.setOnce(this.algorithm, algorithm, "algorithm");
      return this;
    }

    /**
     * A private signing key shared by several replicas, as a JWK JSON or PEM (PKCS#8, SEC1 or PKCS#1);
     * its type must match the algorithm. Without it a key is generated at build time.
     */
    public Builder signingKey(String jwkOrPem) {
      this.signingKey = Arguments.setOnce(this.signingKey, jwkOrPem, "signingKey");
      return this;
    }

    /**
     * Signing keys the team distributes itself: one active key and verify-only ones, so that shared keys
     * can rotate (see {@link SigningKeys}). Not with {@link #signingKey}, {@link #keyRotation} or
     * {@link #keyDirectory}.
     */
    public Builder signingKeys(SigningKeys keys) {
      this.signingKeys = Arguments.setOnce(this.signingKeys, keys, "signingKeys");
      return this;
    }

    /**
     * Shares public keys through a directory, for several replicas (see {@link KeyDirectory}): the broker
     * generates its own key, which never leaves this JVM, registers its public key in the directory before
     * it signs anything with it, rotates it every {@link #keyRotation} (default 1 day with a directory), and
     * keeps each retired key registered until every token it signed has expired (retirement + maxTtl +
     * clockSkew), also when this replica dies. {@link #verifier()} and {@link GrantBroker#publicJwks()}
     * trust the keys the directory holds, of this broker's algorithm, within their windows: the set is
     * cached for 30 seconds and re-read at once when the directory announces a change, and on an unknown
     * kid at most once a second; while the directory cannot be read the last good set serves for at most
     * 5 minutes, then no token verifies and {@code publicJwks()} throws until it can be read again (fail
     * closed). {@code build()} fails when the first key cannot be registered. Not with {@link #signingKey}
     * or {@link #signingKeys}.
     */
    public Builder keyDirectory(KeyDirectory directory) {
      this.keyDirectory = Arguments.setOnce(this.keyDirectory, directory, "keyDirectory");
      return this;
    }

    /**
     * Rotates the generated signing key at this interval (1 minute to 365 days). Not with {@link #signingKey}
     * or {@link #signingKeys}. Default: no rotation, or 1 day with a {@link #keyDirectory}.
     */
    public Builder keyRotation(Duration interval) {
      Objects.requireNonNull(interval, "keyRotation");
      once(this.keyRotation, "keyRotation");
      if (interval.compareTo(Duration.ofMinutes(1)) < 0 || interval.compareTo(Duration.ofDays(365)) > 0) {
        throw new IllegalArgumentException("keyRotation must be between 1 minute and 365 days, got " + interval);
      }
      this.keyRotation = interval;
      return this;
    }

    /** The ceiling on every grant's TTL (1 second to 24 hours); default 1 hour. */
    public Builder maxTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "maxTtl");
      once(this.maxTtl, "maxTtl");
      if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("maxTtl must be between 1 second and 24 hours, got " + ttl);
      }
      this.maxTtl = ttl;
      return this;
    }

    /** The forced TTL of break-glass grants (1 second up to maxTtl); default 15 minutes, or maxTtl when that is shorter. */
    public Builder breakGlassTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "breakGlassTtl");
      once(this.breakGlassTtl, "breakGlassTtl");
      if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("breakGlassTtl must be between 1 second and 24 hours, got " + ttl);
      }
      this.breakGlassTtl = ttl;
      return this;
    }

    /** The clock skew {@link #verifier()} tolerates (0 to 5 minutes); default 30 seconds. */
    public Builder clockSkew(Duration skew) {
      Objects.requireNonNull(skew, "clockSkew");
      once(this.clockSkew, "clockSkew");
      if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("clockSkew must be between 0 and 5 minutes, got " + skew);
      }
      this.clockSkew = skew;
      return this;
    }

    /** The fraction of a grant's lifetime at which {@code onExpiring} fires, in (0, 1); default 0.8. */
    public Builder expiringFraction(double fraction) {
      once(this.expiringFraction, "expiringFraction");
      if (!(fraction > 0 && fraction < 1)) {
        throw new IllegalArgumentException("expiringFraction must be in (0, 1), got " + fraction);
      }
      this.expiringFraction = fraction;
      return this;
    }

    /** The fraction of a renewing grant's token lifetime at which it is re-minted, in (0, 1); default 0.5. */
    public Builder renewFraction(double fraction) {
      once(this.renewFraction, "renewFraction");
      if (!(fraction > 0 && fraction < 1)) {
        throw new IllegalArgumentException("renewFraction must be in (0, 1), got " + fraction);
      }
      this.renewFraction = fraction;
      return this;
    }

    /** The most live grants one identity may hold (1 to 1,000,000); default 100. */
    public Builder maxGrantsPerIdentity(int max) {
      once(this.maxGrantsPerIdentity, "maxGrantsPerIdentity");
      this.maxGrantsPerIdentity = range(max, 1, 1_000_000, "maxGrantsPerIdentity");
      return this;
    }

    /** The most live grants one task may hold (1 to 1,000,000); default 10. */
    public Builder maxGrantsPerTask(int max) {
      once(this.maxGrantsPerTask, "maxGrantsPerTask");
      this.maxGrantsPerTask = range(max, 1, 1_000_000, "maxGrantsPerTask");
      return this;
    }

    /** The largest presented credential, in bytes (1 KiB to 1 MiB), refused before parsing; default 16 KiB. */
    public Builder maxCredentialBytes(int bytes) {
      once(this.maxCredentialBytes, "maxCredentialBytes");
      this.maxCredentialBytes = range(bytes, 1024, 1 << 20, "maxCredentialBytes");
      return this;
    }

    /**
     * How long after {@link GrantBroker#revokeIdentity} the identity's credentials issued before the
     * revocation (or whose issue time the verifier does not know) are refused, so that the same
     * still-valid credential cannot obtain a new grant straight away; 1 second to 30 days; default 24
     * hours. Set it at least as long as the longest credential lifetime you accept.
     */
    public Builder identityRevocationWindow(Duration window) {
      Objects.requireNonNull(window, "window");
      once(this.identityRevocationWindow, "identityRevocationWindow");
      this.identityRevocationWindow = Arguments.requireInRange(
          window, Duration.ofSeconds(1), Duration.ofDays(30), "identityRevocationWindow");
      return this;
    }

    /**
     * Caps every grant's expiry at the presenting credential's own expiry plus {@code grace} (0 to 1
     * day), so a 1-minute credential cannot buy a 1-hour grant. Off by default, as with AWS STS and
     * Vault's JWT auth: a CI job's short-lived token then buys a session as long as the policy allows. A
     * policy rule may also ask for the cap; the stricter of the two applies. A re-minted renewing grant is
     * capped by the credential presented for that re-mint.
     */
    public Builder capGrantsAtCredentialExpiry(Duration grace) {
      Objects.requireNonNull(grace, "grace");
      once(this.credentialExpiryGrace, "capGrantsAtCredentialExpiry");
      this.credentialExpiryGrace = Arguments.requireInRange(
          grace, Duration.ZERO, Duration.ofDays(1), "capGrantsAtCredentialExpiry grace");
      return this;
    }

    /**
     * Caches identities verified from bearer credentials (JWT-SVIDs, OIDC tokens) for at most
     * {@code maxAge} (1 second to 1 hour) and never past the credential's own expiry, keyed by the
     * credential's SHA-256, at most {@code maxEntries} (1 to 10,000,000). A pipeline that presents the same
     * SVID for each step then pays for one signature check. Off by default: while an entry lives, a
     * change of trust bundle does not reach it. {@link GrantBroker#revokeIdentity} forgets the identity.
     */
    public Builder credentialCache(Duration maxAge, int maxEntries) {
      Objects.requireNonNull(maxAge, "maxAge");
      once(this.credentialCacheMaxAge, "credentialCache");
      if (maxAge.compareTo(Duration.ofSeconds(1)) < 0 || maxAge.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("credentialCache maxAge must be between 1 second and 1 hour, got " + maxAge);
      }
      this.credentialCacheSize = range(maxEntries, 1, 10_000_000, "credentialCache maxEntries");
      this.credentialCacheMaxAge = maxAge;
      return this;
    }

    /**
     * Builds the broker.
     *
     * @throws IllegalStateException if a required option is missing, options contradict each other, or
     *     the audit sink would drop every record (the message names the fix)
     * @throws IllegalArgumentException if the signing key cannot be read or does not fit the algorithm
     * @throws JitException if the key directory cannot register the broker's first key
     */
    public GrantBroker build() {
      if (issuer == null) {
        throw new IllegalStateException("issuer is required");
      }
      if (identityVerifiers.isEmpty()) {
        throw new IllegalStateException("at least one identityVerifier is required");
      }
      if (policy == null) {
        throw new IllegalStateException("policy is required");
      }
      if (signingKey != null && keyRotation != null) {
        throw new IllegalStateException(
            "keyRotation rotates generated keys; it cannot be combined with a shared signingKey");
      }
      if (signingKeys != null && (signingKey != null || keyRotation != null)) {
        throw new IllegalStateException("signingKeys cannot be combined with signingKey or keyRotation: "
            + "rotate shared keys by rolling out a new SigningKeys");
      }
      if (keyDirectory != null && (signingKey != null || signingKeys != null)) {
        throw new IllegalStateException("keyDirectory registers keys each replica generates; it cannot be "
            + "combined with a shared signingKey or signingKeys");
      }
      if (maxTtl != null && breakGlassTtl != null && breakGlassTtl.compareTo(maxTtl) > 0) {
        throw new IllegalStateException(
            "breakGlassTtl (" + breakGlassTtl + ") must not exceed maxTtl (" + maxTtl + ")");
      }
      return new DefaultGrantBroker(BrokerConfig.of(this));
    }

    private static int range(int value, int min, int max, String name) {
      return Arguments.requireInRange(value, min, max, name);
    }

    /** An option is set at most once: the project's one check ({@link Arguments#requireUnset}). */
    private static void once(@Nullable Object current, String name) {
      Arguments.requireUnset(current, name);
    }
  }
}
