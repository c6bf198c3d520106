package dev.jitaccess.benchmarks;

import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
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
 * Issue 7, item 2: one valid JWT-SVID presented for many tasks (a pipeline's steps), to a broker with
 * {@code credentialCache(1 h, 10,000)} and to the same broker without it. Both verify with jit-spiffe's
 * {@code JwtSvidVerifier}. {@code request*} is the whole grant (the cache removes the JWT-SVID check, the
 * grant token is still signed each time); {@code evaluate*} is {@code broker.evaluate} (identity + policy,
 * no signing), which isolates what the cache saves.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RepeatedPresentationBenchmark {
  private static final Duration TTL = Duration.ofSeconds(GrantThroughputBenchmark.TTL_SECONDS);

  /** The broker's signing algorithm. */
  @Param({"ES256", "EDDSA", "RS256"})
  public SigningAlgorithm algorithm;

  private GrantBroker cached;
  private GrantBroker uncached;
  private Credential credential;
  private final AtomicLong tasks = new AtomicLong();

  /** Two brokers over the same trust domain, one with the credential cache; one JWT-SVID for the run. */
  @Setup(Level.Trial)
  public void setUp() {
    JwtSvids svids = new JwtSvids(Crypto.Ecdsa.BOUNCY_CASTLE, Clock.systemUTC());
    credential = Credential.jwtSvid(svids.mint(JwtSvids.WORKLOAD, Duration.ofDays(1)));
    cached = Brokers.builder(algorithm, svids.identityVerifier())
        .credentialCache(Duration.ofHours(1), 10_000)
        .build();
    uncached = Brokers.builder(algorithm, svids.identityVerifier()).build();
  }

  /** Closes the brokers. */
  @TearDown(Level.Trial)
  public void tearDown() {
    cached.close();
    uncached.close();
  }

  /** A grant for a new task, closed at once, with the credential cache. */
  @Benchmark
  public String requestCached() {
    return requestAndClose(cached);
  }

  /** A grant for a new task, closed at once, without the cache (every request checks the JWT-SVID). */
  @Benchmark
  public String requestUncached() {
    return requestAndClose(uncached);
  }

  /** {@code broker.evaluate}: identity (from the cache) and policy, no token. */
  @Benchmark
  public Decision evaluateCached() {
    return cached.evaluate(Brokers.request(credential, nextTask(), TTL));
  }

  /** {@code broker.evaluate}: identity (JWT-SVID signature check) and policy, no token. */
  @Benchmark
  public Decision evaluateUncached() {
    return uncached.evaluate(Brokers.request(credential, nextTask(), TTL));
  }

  private String requestAndClose(GrantBroker broker) {
    try (dev.jitaccess.Grant g = broker.request(Brokers.request(credential, nextTask(), TTL))) {
      return g.token();
    }
  }

  private String nextTask() {
    return "step-" + tasks.incrementAndGet();
  }
}
