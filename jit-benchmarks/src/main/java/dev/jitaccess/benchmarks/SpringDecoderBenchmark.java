package dev.jitaccess.benchmarks;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.SecurityContext;
import dev.jitaccess.SigningAlgorithm;
import java.text.ParseException;
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
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Issue 17, the peer: Spring Security 7.0's {@code NimbusJwtDecoder}, what a resource server would use
 * instead of {@code GrantVerifier}, on the same grant tokens as {@link VerifyBenchmark}: built from the
 * broker's JWK Set ({@code withJwkSource(new ImmutableJWKSet<>(...))}, the broker's algorithm), with Spring's
 * default validators for RFC 9068 access tokens plus the issuer and the audience
 * ({@code JwtValidators.createAtJwtValidator().issuer(...).audience(...).clientId(...)}: typ {@code at+jwt}, {@code exp}/{@code nbf}
 * with 60 s of skew, the required claims; {@code createDefault()} accepts typ {@code JWT} only).
 * It has no cache of verified tokens: {@link #springFirst} (cycling through the same distinct tokens as
 * {@link VerifyBenchmark#brokerVerifierFirst}) and {@link #springRepeated} (one token) do the same work.
 * ES256 and RS256 only: Nimbus verifies Ed25519 only with Tink, which neither side has.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SpringDecoderBenchmark {
  /** The broker's signing algorithm. */
  @Param({"ES256", "RS256"})
  public SigningAlgorithm algorithm;

  private VerifyBenchmark tokens;
  private NimbusJwtDecoder decoder;
  private String token;
  private String[] ring;
  private final AtomicInteger next = new AtomicInteger();
  private boolean owned;

  /** For CpuPaired: the decoder over the very tokens of an already set-up {@link VerifyBenchmark}. */
  static SpringDecoderBenchmark over(VerifyBenchmark v) throws ParseException {
    SpringDecoderBenchmark b = new SpringDecoderBenchmark();
    b.algorithm = v.algorithm;
    b.tokens = v;
    b.token = v.token();
    b.ring = v.ring();
    b.decoder = decoder(v.brokerJwks(), v.algorithm);
    return b;
  }

  /** Issues the grants (through {@link VerifyBenchmark}'s setup) and builds the decoder. */
  @Setup(Level.Trial)
  public void setUp() throws ParseException {
    tokens = new VerifyBenchmark();
    tokens.algorithm = algorithm;
    tokens.setUp();
    owned = true;
    token = tokens.token();
    ring = tokens.ring();
    decoder = decoder(tokens.brokerJwks(), algorithm);
  }

  /** Closes the broker. */
  @TearDown(Level.Trial)
  public void tearDown() {
    if (owned) {
      tokens.tearDown();
    }
  }

  /** Spring's decoder from a JWK Set, with its default validators plus issuer and audience. */
  static NimbusJwtDecoder decoder(String jwks, SigningAlgorithm algorithm) throws ParseException {
    SignatureAlgorithm alg = switch (algorithm) {
      case ES256 -> SignatureAlgorithm.ES256;
      case RS256 -> SignatureAlgorithm.RS256;
      default -> throw new IllegalArgumentException("Nimbus needs Tink for " + algorithm);
    };
    NimbusJwtDecoder d = NimbusJwtDecoder.withJwkSource(new ImmutableJWKSet<SecurityContext>(JWKSet.parse(jwks)))
        .jwsAlgorithm(alg).build();
    // Spring 7's defaults accept typ JWT only; its defaults for RFC 9068 access tokens (typ at+jwt, the
    // timestamps, the required claims) are this builder, given the issuer, the audience and the client id it requires
    d.setJwtValidator(JwtValidators.createAtJwtValidator().issuer(Brokers.ISSUER).audience(Brokers.RESOURCE)
        .clientId(JwtSvids.WORKLOAD).build());
    return d;
  }

  /** First presentation: a token not decoded just before (Spring has no cache: the same work as repeated). */
  @Benchmark
  public Jwt springFirst() {
    return decoder.decode(ring[Math.floorMod(next.getAndIncrement(), ring.length)]);
  }

  /** Repeated presentation of one token. */
  @Benchmark
  public Jwt springRepeated() {
    return decoder.decode(token);
  }
}
