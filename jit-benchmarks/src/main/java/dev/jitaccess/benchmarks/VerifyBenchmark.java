package dev.jitaccess.benchmarks;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.jitaccess.Credential;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.SigningAlgorithm;
import dev.jitaccess.Verification;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.Scheduler;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Issue 7 item 3 and issue 17: resource-side verification of live grant tokens, repeated and first
 * presentation.
 *
 * <ul>
 *   <li>{@link #brokerVerifier}: {@code broker.verifier()} presented the same token again and again (a task
 *       presents its token on every call): a verified-token cache hit, with the store lookup and the audit
 *       record of every call.
 *   <li>{@link #brokerVerifierFirst}: first presentation on the broker's verification path: the same code as
 *       {@code broker.verifier()} (a {@link GrantVerifier} over the broker's store and audit sink), with a
 *       cache of one entry, cycling through {@value #RING} tokens, so that every call misses (digest, cache
 *       look-up, the full check, the cache fill).
 *   <li>{@link #brokerVerifierUncached}: the same, cache off, on one token: the verification as it was
 *       before the cache.
 *   <li>{@link #standaloneVerifier} / {@link #standaloneVerifierFirst}: a {@link GrantVerifier} from the
 *       published JWKS without a store, repeated (hit) and first presentation (miss, as above).
 *   <li>{@link #floor}: bare Nimbus {@code SignedJWT.parse} + signature + {@code iss}/{@code aud}/{@code exp}
 *       with the JCA provider the library uses, on the one repeated token.
 *   <li>{@link #floorFirst}: the same floor cycling through the {@value #RING} tokens of the first-presentation
 *       benchmarks: the like-for-like floor of a miss. One token verified again and again runs the same
 *       big-integer arithmetic on the same numbers every call, which the CPU's branch predictors learn; 64
 *       distinct signatures do not (RS256: a few µs of 46).
 * </ul>
 *
 * <p>Spring Security's {@code NimbusJwtDecoder} on the same tokens: {@link SpringDecoderBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VerifyBenchmark {
  /** How many distinct tokens the first-presentation benchmarks cycle through. */
  static final int RING = 64;

  /** The broker's signing algorithm. */
  @Param({"ES256", "EDDSA", "RS256"})
  public SigningAlgorithm algorithm;

  private Scheduler.Threaded storeScheduler;
  private GrantBroker broker;
  private GrantVerifier brokerVerifier;
  private GrantVerifier brokerPathFirst;
  private GrantVerifier brokerPathUncached;
  private GrantVerifier standalone;
  private GrantVerifier standaloneFirst;
  private Floors.Resource floor;
  private String token;
  private String[] ring;
  private final AtomicInteger next = new AtomicInteger();

  /** Issues the grants, valid for the whole run, and builds the verifiers. */
  @Setup(Level.Trial)
  public void setUp() throws ParseException {
    Clock clock = Clock.systemUTC();
    JwtSvids svids = new JwtSvids(Crypto.Ecdsa.BOUNCY_CASTLE, clock);
    storeScheduler = Scheduler.threaded(clock, "verify-benchmark-store");
    GrantStore store = GrantStore.inMemory(clock, storeScheduler, Duration.ofMinutes(5));
    broker = Brokers.builder(algorithm, svids.identityVerifier()).store(store).build();
    Credential svid = Credential.jwtSvid(svids.mint(JwtSvids.WORKLOAD, Duration.ofDays(1)));
    token = broker.request(Brokers.request(svid, "verify-task", Duration.ofHours(1))).token();
    ring = new String[RING];
    for (int i = 0; i < RING; i++) {
      ring[i] = broker.request(Brokers.request(svid, "verify-ring-" + i, Duration.ofHours(1))).token();
    }
    brokerVerifier = broker.verifier();
    String jwks = broker.publicJwks();
    brokerPathFirst = GrantVerifier.builder().issuer(Brokers.ISSUER).jwks(jwks).store(store).auditSink(Brokers.DROP)
        .verifiedTokenCache(1).build();
    brokerPathUncached = GrantVerifier.builder().issuer(Brokers.ISSUER).jwks(jwks).store(store)
        .auditSink(Brokers.DROP).noVerifiedTokenCache().build();
    standalone = GrantVerifier.builder().issuer(Brokers.ISSUER).jwks(jwks).build();
    standaloneFirst = GrantVerifier.builder().issuer(Brokers.ISSUER).jwks(jwks).verifiedTokenCache(1).build();
    floor = new Floors.Resource(
        Crypto.verifier(JWKSet.parse(jwks).getKeys().get(0), Crypto.Ecdsa.BOUNCY_CASTLE), clock);
  }

  /** Closes the broker and the store's scheduler. */
  @TearDown(Level.Trial)
  public void tearDown() {
    broker.close();
    storeScheduler.close();
  }

  /** Repeated presentation through {@code broker.verifier()}: a cache hit, store and audit included. */
  @Benchmark
  public Verification brokerVerifier() {
    return verified(brokerVerifier.verify(token, Brokers.RESOURCE));
  }

  /** First presentation on the broker's verification path: every call a cache miss. */
  @Benchmark
  public Verification brokerVerifierFirst() {
    return verified(brokerPathFirst.verify(nextRingToken(), Brokers.RESOURCE));
  }

  /** The broker's verification path without the cache, on one token. */
  @Benchmark
  public Verification brokerVerifierUncached() {
    return verified(brokerPathUncached.verify(token, Brokers.RESOURCE));
  }

  /** Repeated presentation at a resource server without the store: a cache hit, token checks only. */
  @Benchmark
  public Verification standaloneVerifier() {
    return verified(standalone.verify(token, Brokers.RESOURCE));
  }

  /** First presentation at a resource server without the store: every call a cache miss. */
  @Benchmark
  public Verification standaloneVerifierFirst() {
    return verified(standaloneFirst.verify(nextRingToken(), Brokers.RESOURCE));
  }

  /** The floor: bare Nimbus. */
  @Benchmark
  public JWTClaimsSet floor() {
    JWTClaimsSet claims = floor.verify(token, Brokers.RESOURCE);
    if (claims == null) {
      throw new IllegalStateException("the floor refused the token");
    }
    return claims;
  }

  /** The floor on the first-presentation tokens: bare Nimbus, cycling through the same ring. */
  @Benchmark
  public JWTClaimsSet floorFirst() {
    JWTClaimsSet claims = floor.verify(nextRingToken(), Brokers.RESOURCE);
    if (claims == null) {
      throw new IllegalStateException("the floor refused a token");
    }
    return claims;
  }

  private String nextRingToken() {
    return ring[Math.floorMod(next.getAndIncrement(), RING)];
  }

  String token() {
    return token;
  }

  String[] ring() {
    return ring.clone();
  }

  String brokerJwks() {
    return broker.publicJwks();
  }

  /** A rejection would be a cheap early exit and flatter the figure: fail the run instead. */
  static Verification verified(Verification v) {
    if (!(v instanceof Verification.Verified)) {
      throw new IllegalStateException("token refused: " + ((Verification.Rejected) v).reason());
    }
    return v;
  }
}
