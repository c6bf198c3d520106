package dev.jitaccess.benchmarks;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.jitaccess.Credential;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.SigningAlgorithm;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * For reference only: the ES256 floors with the JDK's own SunEC provider instead of Bouncy Castle (the
 * library always uses Bouncy Castle for ECDSA). Same work as {@link GrantThroughputBenchmark#floor} and
 * {@link VerifyBenchmark#floor}; the JWT-SVID is checked with SunEC too.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JdkEcdsaFloorBenchmark {
  private static final Duration TTL = Duration.ofSeconds(GrantThroughputBenchmark.TTL_SECONDS);

  private GrantBroker broker;
  private Floors.Grant grantFloor;
  private Floors.Resource verifyFloor;
  private String svid;
  private String token;
  private final AtomicLong tasks = new AtomicLong();

  /** Builds both floors with SunEC, and a broker only to issue the token to verify. */
  @Setup(Level.Trial)
  public void setUp() throws ParseException {
    Clock clock = Clock.systemUTC();
    JwtSvids svids = new JwtSvids(Crypto.Ecdsa.JDK, clock);
    svid = svids.mint(JwtSvids.WORKLOAD, Duration.ofDays(1));
    grantFloor = new Floors.Grant(svids, Crypto.generate(SigningAlgorithm.ES256, Crypto.Ecdsa.JDK), clock);
    broker = Brokers.builder(SigningAlgorithm.ES256, svids.identityVerifier()).build();
    token = broker.request(Brokers.request(Credential.jwtSvid(svid), "verify-task", Duration.ofHours(1))).token();
    verifyFloor = new Floors.Resource(
        Crypto.verifier(JWKSet.parse(broker.publicJwks()).getKeys().get(0), Crypto.Ecdsa.JDK), clock);
  }

  /** Closes the broker. */
  @TearDown(Level.Trial)
  public void tearDown() {
    broker.close();
  }

  /** Grant floor, ES256 on SunEC. */
  @Benchmark
  public String grantFloor() {
    return grantFloor.grant(svid, "task-" + tasks.incrementAndGet(), TTL);
  }

  /** Verification floor, ES256 on SunEC. */
  @Benchmark
  public JWTClaimsSet verifyFloor() {
    JWTClaimsSet claims = verifyFloor.verify(token, Brokers.RESOURCE);
    if (claims == null) {
      throw new IllegalStateException("the floor refused the token");
    }
    return claims;
  }
}
