package dev.jitaccess.benchmarks;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.jitaccess.Credential;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.SigningAlgorithm;
import dev.jitaccess.Verification;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
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
 * Issue 7, item 3: resource-side verification of one live grant token. {@link #brokerVerifier} is
 * {@code broker.verifier()} (signature, claims, and the broker's store for revocation), {@link
 * #standaloneVerifier} a {@link GrantVerifier} built from the published JWKS without a store, and
 * {@link #floor} bare Nimbus {@code SignedJWT.parse} + signature + {@code iss}/{@code aud}/{@code exp}
 * with the same JCA provider the library uses.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VerifyBenchmark {
  /** The broker's signing algorithm. */
  @Param({"ES256", "EDDSA", "RS256"})
  public SigningAlgorithm algorithm;

  private GrantBroker broker;
  private GrantVerifier brokerVerifier;
  private GrantVerifier standalone;
  private Floors.Resource floor;
  private String token;

  /** Issues one grant valid for the whole run and builds the three verifiers. */
  @Setup(Level.Trial)
  public void setUp() throws ParseException {
    Clock clock = Clock.systemUTC();
    JwtSvids svids = new JwtSvids(Crypto.Ecdsa.BOUNCY_CASTLE, clock);
    broker = Brokers.builder(algorithm, svids.identityVerifier()).build();
    token = broker.request(Brokers.request(Credential.jwtSvid(svids.mint(JwtSvids.WORKLOAD, Duration.ofDays(1))), "verify-task", Duration.ofHours(1))).token();
    brokerVerifier = broker.verifier();
    standalone = GrantVerifier.builder().issuer(Brokers.ISSUER).jwks(broker.publicJwks()).build();
    floor = new Floors.Resource(
        Crypto.verifier(JWKSet.parse(broker.publicJwks()).getKeys().get(0), Crypto.Ecdsa.BOUNCY_CASTLE), clock);
  }

  /** Closes the broker. */
  @TearDown(Level.Trial)
  public void tearDown() {
    broker.close();
  }

  /** The library, in the broker's JVM: token checks plus the store's revocation state. */
  @Benchmark
  public Verification brokerVerifier() {
    return verified(brokerVerifier.verify(token, Brokers.RESOURCE));
  }

  /** The library, at a resource server without the store: token checks only. */
  @Benchmark
  public Verification standaloneVerifier() {
    return verified(standalone.verify(token, Brokers.RESOURCE));
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

  String token() {
    return token;
  }

  String brokerJwks() {
    return broker.publicJwks();
  }

  /** A rejection would be a cheap early exit and flatter the figure: fail the run instead. */
  private static Verification verified(Verification v) {
    if (!(v instanceof Verification.Verified)) {
      throw new IllegalStateException("token refused: " + ((Verification.Rejected) v).reason());
    }
    return v;
  }
}
