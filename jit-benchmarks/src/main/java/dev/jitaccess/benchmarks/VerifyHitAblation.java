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
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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

/**
 * Issue 17 item 3, profiling: the verify hit (one token presented again and again) taken apart, one part at a
 * time, to run at 1 and 2 threads and find what keeps two threads from 2x: with JMH ({@code -t 1} / {@code -t 2}),
 * or with {@code Scaling ES256 3 ablation}, which runs both thread counts on the same compiled code.
 *
 * <ul>
 *   <li>{@link #hit} with {@link #part}: {@code broker} is {@code broker.verifier()} (as
 *       {@link VerifyBenchmark#brokerVerifier}); {@code noObserver} a {@link GrantVerifier} over the broker's store
 *       with an audit sink that drops events (no observer wrapper); {@code noAudit} the same without an audit sink
 *       (no audit record built); {@code noStore} without the store either (the cache and the claim checks).
 *   <li>{@link #storeFind}: the store's {@code find} of the grant alone.
 *   <li>{@link #request}: only building the {@link VerificationRequest} every {@code verify(token, audience)} builds.
 *   <li>{@link #clockInstant}, {@link #mapGet}: the machine's own 2-thread figure for two calls that share nothing
 *       written: the system clock a hit reads several times, and a {@code ConcurrentHashMap} look-up.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VerifyHitAblation {
  /** The broker's signing algorithm. */
  @Param({"ES256"})
  public SigningAlgorithm algorithm;

  /** Which verifier {@link #hit} uses: {@code broker}, {@code noObserver}, {@code noAudit} or {@code noStore}. */
  @Param({"broker", "noObserver", "noAudit", "noStore"})
  public String part;

  private final Clock clock = Clock.systemUTC();
  private final ConcurrentHashMap<String, Object> map = new ConcurrentHashMap<>();
  private Scheduler.Threaded storeScheduler;
  private GrantBroker broker;
  private GrantStore grantStore;
  private GrantVerifier verifier;
  private String token;
  private String grantId;

  /** Issues one grant valid for the whole run and builds the verifier of {@link #part}. */
  @Setup(Level.Trial)
  public void setUp() {
    JwtSvids svids = new JwtSvids(Crypto.Ecdsa.BOUNCY_CASTLE, clock);
    storeScheduler = Scheduler.threaded(clock, "verify-ablation-store");
    grantStore = GrantStore.inMemory(clock, storeScheduler, Duration.ofMinutes(5));
    broker = Brokers.builder(algorithm, svids.identityVerifier()).store(grantStore).build();
    Credential svid = Credential.jwtSvid(svids.mint(JwtSvids.WORKLOAD, Duration.ofDays(1)));
    dev.jitaccess.Grant g = broker.request(Brokers.request(svid, "ablation-task", Duration.ofHours(1)));
    token = g.token();
    grantId = g.info().grantId();
    map.put(grantId, g.info());
    GrantVerifier.Builder b = GrantVerifier.builder().issuer(Brokers.ISSUER).jwks(broker.publicJwks());
    verifier = switch (part) {
      case "broker" -> broker.verifier();
      case "noObserver" -> b.store(grantStore).auditSink(Brokers.DROP).build();
      case "noAudit" -> b.store(grantStore).build();
      case "noStore" -> b.build();
      default -> throw new IllegalArgumentException("part must be broker, noObserver, noAudit or noStore, got " + part);
    };
  }

  /** Closes the broker and the store's scheduler. */
  @TearDown(Level.Trial)
  public void tearDown() {
    broker.close();
    storeScheduler.close();
  }

  /** The hit, through the verifier of {@link #part}. */
  @Benchmark
  public Verification hit() {
    return VerifyBenchmark.verified(verifier.verify(token, Brokers.RESOURCE));
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

  /** The system clock's {@code instant()}, which a hit reads several times. */
  @Benchmark
  public Instant clockInstant() {
    return clock.instant();
  }

  /** A plain {@code ConcurrentHashMap} look-up of the grant id, for comparison with {@link #storeFind}. */
  @Benchmark
  public Object mapGet() {
    return map.get(grantId);
  }
}
