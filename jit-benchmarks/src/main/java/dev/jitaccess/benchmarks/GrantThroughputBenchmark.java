package dev.jitaccess.benchmarks;

import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.SigningAlgorithm;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Issue 7, item 1: the full {@code broker.request()} against the floor (check the same JWT-SVID and sign
 * a token of the same claims with bare Nimbus), per signing algorithm. The broker's identity verifier is
 * jit-spiffe's real {@code JwtSvidVerifier} over a jit-testkit {@code TestTrustDomain} bundle; the floor
 * checks the JWT-SVID with Bouncy Castle ({@link #floor}) or SunEC ({@link #floorSunEcSvidCheck}). Run with {@code -t 1} and
 * {@code -t 2}; the broker is shared by the threads, as in a service.
 *
 * <p>Each request is for a new task and asks for a {@value #TTL_SECONDS}-second grant, so the store and
 * the lifecycle timer stay bounded: {@link #request} leaves its grant to expire (the expiry work runs
 * during the measurement, on the broker's scheduler thread), {@link #requestAndClose} revokes it at once
 * (the {@code try (Grant g = ...)} pattern).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GrantThroughputBenchmark {
  /** The grant lifetime asked for, in seconds. */
  public static final int TTL_SECONDS = 2;
  private static final Duration TTL = Duration.ofSeconds(TTL_SECONDS);

  /** The broker's signing algorithm (the floor signs with the same one). */
  @Param({"ES256", "EDDSA", "RS256"})
  public SigningAlgorithm algorithm;

  private GrantBroker broker;
  private Floors.Grant floor;
  private Floors.Grant floorSunEc;
  private String svid;
  private Credential credential;
  private final AtomicLong tasks = new AtomicLong();

  /** Builds the broker, the floor and one JWT-SVID valid for the whole run. */
  @Setup(Level.Trial)
  public void setUp() {
    Clock clock = Clock.systemUTC();
    JwtSvids svids = new JwtSvids(Crypto.Ecdsa.BOUNCY_CASTLE, clock);
    svid = svids.mint(JwtSvids.WORKLOAD, Duration.ofDays(1));
    credential = Credential.jwtSvid(svid);
    broker = Brokers.builder(algorithm, svids.identityVerifier()).build();
    Crypto.KeyPairJws key = Crypto.generate(algorithm, Crypto.Ecdsa.BOUNCY_CASTLE);
    floor = new Floors.Grant(svids, key, clock);
    floorSunEc = new Floors.Grant(svids.withFloorProvider(Crypto.Ecdsa.JDK), key, clock);
  }

  /** Closes the broker. */
  @TearDown(Level.Trial)
  public void tearDown() {
    broker.close();
  }

  /** The library: one grant, left to expire. */
  @Benchmark
  public Grant request() {
    return broker.request(Brokers.request(credential, nextTask(), TTL));
  }

  /** The library: one grant, closed at once (revoked with reason COMPLETED). */
  @Benchmark
  public String requestAndClose() {
    try (Grant g = broker.request(Brokers.request(credential, nextTask(), TTL))) {
      return g.token();
    }
  }

  /** The floor: the same JWT-SVID check and a token of the same claims, with bare Nimbus. */
  @Benchmark
  public String floor() {
    return floor.grant(svid, nextTask(), TTL);
  }

  /**
   * The floor with its JWT-SVID signature check on the JDK's SunEC, the provider jit-spiffe's
   * {@code JwtSvidVerifier} uses (the grant token is still signed as in {@link #floor}): tells how much of
   * the gap to {@link #floor} is the choice of JCA provider for the identity check.
   */
  @Benchmark
  public String floorSunEcSvidCheck() {
    return floorSunEc.grant(svid, nextTask(), TTL);
  }

  private String nextTask() {
    return "task-" + tasks.incrementAndGet();
  }

  GrantBroker broker() {
    return broker;
  }

  Floors.Grant floorForTest() {
    return floor;
  }
}
