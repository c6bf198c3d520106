package dev.jitaccess.benchmarks;

import dev.jitaccess.Credential;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.SigningAlgorithm;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Issue 17 item 3, profiling: the verify hit (one token presented again and again) taken apart, one part at a
 * time, to run at 1 and 2 threads and find what keeps two threads from 2x: with JMH ({@code -t 1} / {@code -t 2}),
 * or with {@code Scaling ES256 3 ablation}, which runs both thread counts on the same compiled code.
 *
 * <ul>
 *   <li>{@link #brokerVerifier}: {@code broker.verifier()}, as {@link VerifyBenchmark#brokerVerifier}.
 *   <li>{@link #storeAudit}: the same checks without the broker's observer wrapper: a {@link GrantVerifier} over the
 *       broker's store with an audit sink that drops events.
 *   <li>{@link #store}: the same without an audit sink (no audit record built).
 *   <li>{@link #tokenOnly}: without the store either: the cache and the claim checks.
 *   <li>{@link #storeFind}: the store's {@code find} of the grant alone.
 *   <li>{@link #request}: only building the {@link VerificationRequest} every {@code verify(token, audience)} builds.
 *   <li>{@link #allocation} / {@link #cpu}: the machine's own 2-thread figure for a call that allocates about
 *       what a hit allocates, and for one that only computes.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VerifyHitAblation {
  /** The broker's signing algorithm. */
  @Param({"ES256"})
  public SigningAlgorithm algorithm;

  private Scheduler.Threaded storeScheduler;
  private GrantBroker broker;
  private GrantStore grantStore;
  private GrantVerifier observed;
  private GrantVerifier withAudit;
  private GrantVerifier withStore;
  private GrantVerifier alone;
  private String token;
  private String grantId;
  private final Clock clock = Clock.systemUTC();
  private final java.util.concurrent.ConcurrentHashMap<String, Object> map = new java.util.concurrent.ConcurrentHashMap<>();

  /** Issues one grant valid for the whole run and builds the verifiers. */
  @Setup(Level.Trial)
  public void setUp() {
    Clock clock = Clock.systemUTC();
    JwtSvids svids = new JwtSvids(Crypto.Ecdsa.BOUNCY_CASTLE, clock);
    storeScheduler = Scheduler.threaded(clock, "verify-ablation-store");
    grantStore = GrantStore.inMemory(clock, storeScheduler, Duration.ofMinutes(5));
    broker = Brokers.builder(algorithm, svids.identityVerifier()).store(grantStore).build();
    Credential svid = Credential.jwtSvid(svids.mint(JwtSvids.WORKLOAD, Duration.ofDays(1)));
    dev.jitaccess.Grant g = broker.request(Brokers.request(svid, "ablation-task", Duration.ofHours(1)));
    token = g.token();
    grantId = g.info().grantId();
    String jwks = broker.publicJwks();
    map.put(grantId, g.info());
    observed = broker.verifier();
    withAudit = GrantVerifier.builder().issuer(Brokers.ISSUER).jwks(jwks).store(grantStore).auditSink(Brokers.DROP)
        .build();
    withStore = GrantVerifier.builder().issuer(Brokers.ISSUER).jwks(jwks).store(grantStore).build();
    alone = GrantVerifier.builder().issuer(Brokers.ISSUER).jwks(jwks).build();
  }

  /** Closes the broker and the store's scheduler. */
  @TearDown(Level.Trial)
  public void tearDown() {
    broker.close();
    storeScheduler.close();
  }

  /** {@code broker.verifier()}: the whole hit. */
  @Benchmark
  public Verification brokerVerifier() {
    return VerifyBenchmark.verified(observed.verify(token, Brokers.RESOURCE));
  }

  /** Without the observer wrapper. */
  @Benchmark
  public Verification storeAudit() {
    return VerifyBenchmark.verified(withAudit.verify(token, Brokers.RESOURCE));
  }

  /** Without the audit record. */
  @Benchmark
  public Verification store() {
    return VerifyBenchmark.verified(withStore.verify(token, Brokers.RESOURCE));
  }

  /** Without the store. */
  @Benchmark
  public Verification tokenOnly() {
    return VerifyBenchmark.verified(alone.verify(token, Brokers.RESOURCE));
  }

  /** The store's look-up alone. */
  @Benchmark
  public Optional<GrantRecord> storeFind() {
    return grantStore.find(grantId);
  }

  /** The request object alone. */
  @Benchmark
  public VerificationRequest request() {
    return VerificationRequest.builder(Brokers.RESOURCE).build();
  }

  /** About 400 bytes in a few objects, as a hit allocates: what the machine gives allocation at 2 threads. */
  @Benchmark
  public void allocation(Blackhole bh) {
    for (int i = 0; i < 8; i++) {
      bh.consume(new Object[10]);
    }
  }

  /** The injected system clock's {@code instant()}, which a hit reads several times. */
  @Benchmark
  public java.time.Instant clockInstant() {
    return clock.instant();
  }

  /** {@code System.nanoTime()}, for comparison with {@link #clockInstant}. */
  @Benchmark
  public long nanoTime() {
    return System.nanoTime();
  }

  /** A plain {@code ConcurrentHashMap} look-up of the grant id, for comparison with {@link #storeFind}. */
  @Benchmark
  public Object mapGet() {
    return map.get(grantId);
  }

  /** Computation alone, about as long as a hit. */
  @Benchmark
  public void cpu() {
    Blackhole.consumeCPU(100);
  }
}
