package dev.jitaccess.micrometer;

import dev.jitaccess.Decision;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.Verification;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Micrometer metrics for one {@code GrantBroker}, wired through its public SPIs: register
 * {@link #listener()} with {@code GrantBroker.Builder.listener} and wrap the broker's audit sink in
 * {@link #auditSink(AuditSink)}.
 *
 * <pre>{@code
 * JitMetrics metrics = JitMetrics.register(meterRegistry, clock);
 * GrantBroker broker = GrantBroker.builder()
 *     ...
 *     .clock(clock)
 *     .listener(metrics.listener())
 *     .auditSink(metrics.auditSink(AuditSink.slf4j()))
 *     .build();
 * }</pre>
 *
 * <p>Meters (names lower-case and dot-separated; the registry's naming convention applies as usual):
 * <ul>
 *   <li>{@value #GRANTS_ISSUED} (counter), tags {@code break_glass} and {@code delegated}
 *       ({@code true}/{@code false});
 *   <li>{@value #GRANTS_DENIED} (counter), tags {@code reason} (one of {@link DenialReason}, lower case)
 *       and {@code decision} ({@code deny} or {@code needs_approval}: a request that needed an approval
 *       it could not wait for);
 *   <li>{@value #GRANTS_REVOKED} (counter), tag {@code reason} (a {@link RevocationReason}, lower case);
 *   <li>{@value #GRANTS_EXPIRED} (counter), tag {@code reason}: {@code idle} (no heartbeat before the
 *       idle deadline, so it ended before its expiry) or {@code ttl};
 *   <li>{@value #GRANTS_LIVE} (gauge): grants issued and not yet revoked or expired;
 *   <li>{@value #GRANT_LIFETIME} (timer): how long grants lived, from issue to their end, by the broker's
 *       clock, tag {@code outcome} ({@code revoked} or {@code expired});
 *   <li>{@value #TOKENS_VERIFIED} (counter), tags {@code outcome} ({@code accepted} or {@code rejected})
 *       and {@code reason} ({@code none}, or a {@link Verification.RejectionReason}, lower case), from the
 *       audit events of the broker's verifier;
 *   <li>{@value #APPROVALS} (counter), tag {@code outcome} ({@code requested}, {@code approved},
 *       {@code rejected}, {@code timed_out}), one per audit record;
 *   <li>{@value #APPROVALS_PENDING} (gauge), when registered with {@link #pendingApprovals};
 *   <li>{@value #BUNDLE_AGE} (gauge, seconds), tag {@code trust_domain}, when registered with
 *       {@link #bundleAge};
 *   <li>{@value #KEY_AGE} (gauge, seconds), when registered with {@link #keyAge}.
 * </ul>
 * Timers of request, evaluate, verify and delegate with {@code outcome} and {@code reason} tags come from
 * {@link JitObservations}, the broker's observation hook.
 * Every tag value comes from a closed set, and every combination is registered up front, so a dashboard
 * sees zeros before the first event. No meter carries an identity, task, resource, grant or approval id.
 *
 * <p>Thread-safe. Register one instance per broker and registry: Micrometer keeps the first gauge
 * registered under a name, so a second instance on the same registry would count but not gauge.
 */
public final class JitMetrics {
  /** Counter: grants issued. */
  public static final String GRANTS_ISSUED = "jit.grants.issued";
  /** Counter: requests denied. */
  public static final String GRANTS_DENIED = "jit.grants.denied";
  /** Counter: grants revoked before their expiry. */
  public static final String GRANTS_REVOKED = "jit.grants.revoked";
  /** Counter: grants that reached their expiry or idle deadline. */
  public static final String GRANTS_EXPIRED = "jit.grants.expired";
  /** Gauge: live grants. */
  public static final String GRANTS_LIVE = "jit.grants.live";
  /** Timer: grant lifetimes, from issue to end. */
  public static final String GRANT_LIFETIME = "jit.grant.lifetime";
  /** Counter: token verifications by the broker's verifier. */
  public static final String TOKENS_VERIFIED = "jit.tokens.verified";
  /** Counter: approval events. */
  public static final String APPROVALS = "jit.approvals";
  /** Gauge: pending approvals, from {@link #pendingApprovals}. */
  public static final String APPROVALS_PENDING = "jit.approvals.pending";
  /** Gauge: seconds since a trust bundle was last updated, from {@link #bundleAge}. */
  public static final String BUNDLE_AGE = "jit.bundle.age";
  /** Gauge: seconds since the broker's current signing key started signing, from {@link #keyAge}. */
  public static final String KEY_AGE = "jit.key.age";

  /**
   * Why a request was denied: a closed set, so the {@code reason} tag of {@value #GRANTS_DENIED} stays low
   * in cardinality.
   */
  public enum DenialReason {
    /** The credential did not prove an identity (expired, bad signature, unknown issuer, ...). */
    IDENTITY,
    /** The policy refused it, or granted none of what was asked. */
    POLICY,
    /** A quota per identity or per task was full. */
    QUOTA,
    /** An approval was required, refused, timed out or could not be obtained. */
    APPROVAL,
    /** A sub-grant was refused: no live parent, or wider than its parent. */
    DELEGATION,
    /** A fault of the broker's own parts: the audit sink, the store, signing. */
    UNAVAILABLE
  }

  private final Clock clock;
  private final MeterRegistry registry;
  private final AtomicLong live = new AtomicLong();
  private final Counter[][] issued = new Counter[2][2];
  private final Map<DenialReason, Counter> denied = new EnumMap<>(DenialReason.class);
  private final Map<DenialReason, Counter> needsApproval = new EnumMap<>(DenialReason.class);
  private final Map<RevocationReason, Counter> revoked = new EnumMap<>(RevocationReason.class);
  private final Counter expiredIdle;
  private final Counter expiredTtl;
  private final Timer lifetimeRevoked;
  private final Timer lifetimeExpired;
  private final Counter verified;
  private final Map<Verification.RejectionReason, Counter> rejected =
      new EnumMap<>(Verification.RejectionReason.class);
  private final Map<AuditEventType, Counter> approvals = new EnumMap<>(AuditEventType.class);
  private final GrantListener listener = new Listener();

  private JitMetrics(MeterRegistry registry, Clock clock) {
    this.clock = clock;
    this.registry = registry;
    for (int b = 0; b < 2; b++) {
      for (int d = 0; d < 2; d++) {
        issued[b][d] = Counter.builder(GRANTS_ISSUED).description("grants issued")
            .tag("break_glass", Boolean.toString(b == 1)).tag("delegated", Boolean.toString(d == 1))
            .register(registry);
      }
    }
    for (DenialReason r : DenialReason.values()) {
      denied.put(r, denialCounter(registry, r, "deny"));
      needsApproval.put(r, denialCounter(registry, r, "needs_approval"));
    }
    for (RevocationReason r : RevocationReason.values()) {
      revoked.put(r, Counter.builder(GRANTS_REVOKED).description("grants revoked before their expiry")
          .tag("reason", lower(r.name())).register(registry));
    }
    expiredIdle = expiredCounter(registry, "idle");
    expiredTtl = expiredCounter(registry, "ttl");
    Gauge.builder(GRANTS_LIVE, live, l -> Math.max(0, l.get())).description("grants issued and not yet ended")
        .register(registry);
    lifetimeRevoked = lifetime(registry, "revoked");
    lifetimeExpired = lifetime(registry, "expired");
    verified = verification(registry, "accepted", "none");
    for (Verification.RejectionReason r : Verification.RejectionReason.values()) {
      rejected.put(r, verification(registry, "rejected", lower(r.name())));
    }
    for (AuditEventType t : new AuditEventType[] {AuditEventType.APPROVAL_REQUESTED,
        AuditEventType.APPROVAL_APPROVED, AuditEventType.APPROVAL_REJECTED, AuditEventType.APPROVAL_TIMED_OUT}) {
      approvals.put(t, Counter.builder(APPROVALS).description("approval events")
          .tag("outcome", lower(t.name().substring("APPROVAL_".length()))).register(registry));
    }
  }

  /**
   * Registers the meters on {@code registry} and returns the instance to wire into one broker.
   *
   * @param registry where the meters go
   * @param clock the broker's clock, for grant lifetimes; pass the same clock as the broker's
   * @throws NullPointerException naming the argument that is null
   */
  public static JitMetrics register(MeterRegistry registry, Clock clock) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(clock, "clock");
    return new JitMetrics(registry, clock);
  }

  /** The listener to add to the broker ({@code GrantBroker.Builder.listener}): the grant counters and gauge. */
  public GrantListener listener() {
    return listener;
  }

  /**
   * An audit sink that records to {@code delegate} and then counts token verifications and approvals.
   * The delegate's behaviour is unchanged: its exception propagates (so the broker fails closed as
   * configured) and the event is then not counted. Closing the returned sink closes {@code delegate}:
   * close it where you would have closed the delegate (after the broker).
   *
   * @throws NullPointerException if {@code delegate} is null
   */
  public AuditSink auditSink(AuditSink delegate) {
    Objects.requireNonNull(delegate, "delegate");
    return new MeteredAuditSink(delegate);
  }

  /**
   * Registers the gauge {@value #APPROVALS_PENDING}: how many approvals wait for a decision, read from
   * {@code pending} at each scrape, for example {@code () -> handler.pending().size()} with jit-core's
   * in-memory or jit-store-postgres's approval handler. A supplier that throws or answers a negative
   * number shows NaN (unknown), never a made-up zero.
   *
   * @return this
   * @throws NullPointerException if {@code pending} is null
   */
  public JitMetrics pendingApprovals(IntSupplier pending) {
    Objects.requireNonNull(pending, "pending");
    Gauge.builder(APPROVALS_PENDING, () -> {
      try {
        int n = pending.getAsInt();
        return n < 0 ? Double.NaN : (double) n;
      } catch (RuntimeException e) {
        return Double.NaN;
      }
    }).description("approvals waiting for a decision").register(registry);
    return this;
  }

  /**
   * Registers the gauge {@value #BUNDLE_AGE} (seconds, by the clock given to {@link #register}), tag
   * {@code trust_domain}: how long ago the trust bundle of that domain was last updated, read from
   * {@code lastUpdated} at each scrape (NaN before the first bundle, or when the supplier throws). A stale
   * bundle means rotated keys are not yet trusted and removed ones still are.
   *
   * @param trustDomain the trust domain's name (one gauge per domain; a handful per broker)
   * @param lastUpdated when the bundle in use was last replaced, or empty before the first one
   * @return this
   * @throws NullPointerException naming the argument that is null
   * @throws IllegalArgumentException if {@code trustDomain} is blank
   */
  public JitMetrics bundleAge(String trustDomain, Supplier<Optional<Instant>> lastUpdated) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(lastUpdated, "lastUpdated");
    if (trustDomain.isBlank()) {
      throw new IllegalArgumentException("trustDomain must not be blank, got '" + trustDomain + "'");
    }
    Gauge.builder(BUNDLE_AGE, () -> {
      try {
        Optional<Instant> at = lastUpdated.get();
        return at.isEmpty() ? Double.NaN
            : Math.max(0, Duration.between(at.get(), clock.instant()).toMillis()) / 1000.0;
      } catch (RuntimeException e) {
        return Double.NaN;
      }
    }).description("seconds since the trust bundle was last updated").tag("trust_domain", trustDomain)
        .baseUnit("seconds").register(registry);
    return this;
  }

  /**
   * Registers the gauge {@value #KEY_AGE} (seconds, by the clock given to {@link #register}): how long the
   * broker's current signing key has been signing, read from {@code activeSince} at each scrape (NaN when
   * it is empty or throws). Pass {@code broker::signingKeyActiveSince}; alert when the age passes the
   * rotation interval by far (a rotation that keeps failing, or keys nobody rotates).
   *
   * @param activeSince when the current signing key started signing ({@code GrantBroker.signingKeyActiveSince})
   * @return this
   * @throws NullPointerException if {@code activeSince} is null
   */
  public JitMetrics keyAge(Supplier<Optional<Instant>> activeSince) {
    Objects.requireNonNull(activeSince, "activeSince");
    Gauge.builder(KEY_AGE, () -> {
      try {
        Optional<Instant> at = activeSince.get();
        return at.isEmpty() ? Double.NaN
            : Math.max(0, Duration.between(at.get(), clock.instant()).toMillis()) / 1000.0;
      } catch (RuntimeException e) {
        return Double.NaN;
      }
    }).description("seconds since the signing key started signing").baseUnit("seconds").register(registry);
    return this;
  }

  /** Live grants as the gauge shows them. */
  public long liveGrants() {
    return Math.max(0, live.get());
  }

  @Override
  public String toString() {
    return "JitMetrics[live=" + liveGrants() + "]";
  }

  /**
   * The category of a denial, from its decision: a {@link Decision.NeedsApproval} is {@code APPROVAL};
   * otherwise the first reason's prefix as jit-core writes it ({@code identity:}, {@code quota:},
   * {@code delegation:}, {@code approval ...}, {@code audit:}, {@code store:}, {@code signing:}), and
   * anything else was the policy's answer.
   */
  static DenialReason categorize(Decision decision) {
    if (decision instanceof Decision.NeedsApproval) {
      return DenialReason.APPROVAL;
    }
    String first = decision.reasons().isEmpty() ? "" : decision.reasons().get(0);
    if (first.startsWith("identity:")) {
      return DenialReason.IDENTITY;
    }
    if (first.startsWith("quota:")) {
      return DenialReason.QUOTA;
    }
    if (first.startsWith("delegation:")) {
      return DenialReason.DELEGATION;
    }
    if (first.startsWith("approval")) {
      return DenialReason.APPROVAL;
    }
    if (first.startsWith("audit:") || first.startsWith("store:") || first.startsWith("signing:")) {
      return DenialReason.UNAVAILABLE;
    }
    return DenialReason.POLICY;
  }

  private static Counter denialCounter(MeterRegistry registry, DenialReason r, String decision) {
    return Counter.builder(GRANTS_DENIED).description("requests denied").tag("reason", lower(r.name()))
        .tag("decision", decision).register(registry);
  }

  private static Counter expiredCounter(MeterRegistry registry, String reason) {
    return Counter.builder(GRANTS_EXPIRED).description("grants that reached their expiry or idle deadline")
        .tag("reason", reason).register(registry);
  }

  private static Timer lifetime(MeterRegistry registry, String outcome) {
    return Timer.builder(GRANT_LIFETIME).description("how long grants lived, from issue to end")
        .tag("outcome", outcome).register(registry);
  }

  private static Counter verification(MeterRegistry registry, String outcome, String reason) {
    return Counter.builder(TOKENS_VERIFIED).description("token verifications by the broker's verifier")
        .tag("outcome", outcome).tag("reason", reason).register(registry);
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private void ended(GrantInfo grant, Timer lifetime) {
    live.decrementAndGet();
    Duration lived = Duration.between(grant.issuedAt(), clock.instant());
    lifetime.record(lived.isNegative() ? Duration.ZERO : lived);
  }

  /** The grant counters, the live gauge and the lifetimes. */
  private final class Listener implements GrantListener {
    @Override
    public void onIssued(GrantInfo grant) {
      live.incrementAndGet();
      issued[grant.breakGlass() ? 1 : 0][grant.parentGrantId().isPresent() ? 1 : 0].increment();
    }

    @Override
    public void onRevoked(GrantInfo grant, RevocationReason reason) {
      Objects.requireNonNull(revoked.get(reason)).increment();
      ended(grant, lifetimeRevoked);
    }

    @Override
    public void onExpired(GrantInfo grant) {
      Instant now = clock.instant();
      (now.isBefore(grant.expiresAt()) ? expiredIdle : expiredTtl).increment();
      ended(grant, lifetimeExpired);
    }

    @Override
    public void onDenied(GrantRequest request, Decision decision) {
      DenialReason r = categorize(decision);
      Objects.requireNonNull((decision instanceof Decision.NeedsApproval ? needsApproval : denied).get(r))
          .increment();
    }

    @Override
    public String toString() {
      return "JitMetrics.listener";
    }
  }

  /** Passes every event to the delegate, then counts verifications and approvals. */
  private final class MeteredAuditSink implements AuditSink {
    private final AuditSink delegate;

    MeteredAuditSink(AuditSink delegate) {
      this.delegate = delegate;
    }

    /** The delegate's answer: counting records that go nowhere must not hide that they go nowhere. */
    @Override
    public void requireDelivering() {
      delegate.requireDelivering();
    }

    @Override
    public void record(AuditEvent event) {
      delegate.record(event);
      AuditEventType type = event.type();
      switch (type) {
        case VERIFIED -> verified.increment();
        case VERIFY_REJECTED, REPLAY_BLOCKED, REUSE_BLOCKED ->
            Objects.requireNonNull(rejected.get(rejection(event))).increment();
        case APPROVAL_REQUESTED, APPROVAL_APPROVED, APPROVAL_REJECTED, APPROVAL_TIMED_OUT ->
            Objects.requireNonNull(approvals.get(type)).increment();
        default -> {
          // every other event is counted by the listener, or not at all
        }
      }
    }

    /**
     * The rejection reason the verifier wrote first in the event's reason ({@code "EXPIRED: ..."}),
     * checked against the closed enum; what does not name one counts as {@code ERROR}.
     */
    private Verification.RejectionReason rejection(AuditEvent event) {
      if (event.type() == AuditEventType.REPLAY_BLOCKED) {
        return Verification.RejectionReason.REPLAYED;
      }
      if (event.type() == AuditEventType.REUSE_BLOCKED) {
        return Verification.RejectionReason.WRONG_TASK;
      }
      String reason = event.field(AuditEvent.REASON).orElse("");
      int colon = reason.indexOf(':');
      String name = colon < 0 ? reason : reason.substring(0, colon);
      for (Verification.RejectionReason r : Verification.RejectionReason.values()) {
        if (r.name().equals(name)) {
          return r;
        }
      }
      return Verification.RejectionReason.ERROR;
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public String toString() {
      return "JitMetrics.auditSink(" + delegate + ")";
    }
  }
}
