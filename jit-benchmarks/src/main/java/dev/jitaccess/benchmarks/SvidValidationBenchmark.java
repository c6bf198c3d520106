package dev.jitaccess.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Credential;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spiffe.BundleSource;
import dev.jitaccess.spiffe.JwtSvidVerifier;
import dev.jitaccess.spiffe.SpiffeBundle;
import dev.jitaccess.spiffe.TrustDomain;
import io.spiffe.bundle.jwtbundle.JwtBundle;
import io.spiffe.exception.AuthorityNotFoundException;
import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.exception.JwtSvidException;
import io.spiffe.svid.jwtsvid.JwtSvid;
import java.security.PublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Set;
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

/**
 * Issue 7, item 5: JWT-SVID validation of the same token by jit-spiffe's {@code JwtSvidVerifier.verify}
 * and by java-spiffe-core 0.8.17's {@code JwtSvid.parseAndValidate}, each over a bundle holding the same
 * public key, plus bare Nimbus signature verification of that token ({@link #nimbusSignatureOnly}) for
 * the floor. ES256 (both libraries use the JDK's SunEC through Nimbus) and RS256 (cheap crypto, so parsing
 * and claim handling show).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SvidValidationBenchmark {
  static final String DOMAIN = "example.org";
  static final String WORKLOAD = "spiffe://example.org/ci/deploy";
  static final String AUDIENCE = "https://jit.example.org";

  /** The JWT-SVID's algorithm. */
  @Param({"ES256", "RS256"})
  public String algorithm;

  private String token;
  private Credential credential;
  private JwtSvidVerifier ours;
  private JwtBundle theirs;
  private Set<String> audiences;
  private JWSVerifier floor;

  /** One key, one token, both bundles. */
  @Setup(Level.Trial)
  public void setUp() throws JOSEException {
    String kid = "bench-" + algorithm;
    PublicKey publicKey;
    JWSSigner signer;
    if (algorithm.equals("ES256")) {
      ECKey key = new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
      publicKey = key.toECPublicKey();
      signer = new ECDSASigner(key);
      floor = new ECDSAVerifier(key.toECPublicKey());
    } else if (algorithm.equals("RS256")) {
      RSAKey key = new RSAKeyGenerator(2048).keyID(kid).generate();
      publicKey = key.toRSAPublicKey();
      signer = new RSASSASigner(key);
      floor = new RSASSAVerifier(key.toRSAPublicKey());
    } else {
      throw new IllegalArgumentException("algorithm must be ES256 or RS256, got " + algorithm);
    }
    Clock clock = Clock.systemUTC();
    Instant now = clock.instant();
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.parse(algorithm)).type(JOSEObjectType.JWT).keyID(kid).build(),
        new JWTClaimsSet.Builder()
            .subject(WORKLOAD)
            .audience(AUDIENCE)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(Duration.ofDays(1))))
            .build());
    jwt.sign(signer);
    token = jwt.serialize();
    credential = Credential.jwtSvid(token);
    TrustDomain td = TrustDomain.parse(DOMAIN);
    ours = JwtSvidVerifier.builder()
        .bundleSource(BundleSource.of(SpiffeBundle.builder(td).jwtAuthority(kid, publicKey).build()))
        .audiences(AUDIENCE)
        .clock(clock)
        .build();
    theirs = new JwtBundle(io.spiffe.spiffeid.TrustDomain.parse(DOMAIN), Map.of(kid, publicKey));
    audiences = Set.of(AUDIENCE);
  }

  /** jit-spiffe: {@code JwtSvidVerifier.verify(Credential.jwtSvid(token))}. */
  @Benchmark
  public IdentityResult jitSpiffe() {
    return ours.verify(credential);
  }

  /** java-spiffe-core 0.8.17: {@code JwtSvid.parseAndValidate(token, bundle, audiences)}. */
  @Benchmark
  public JwtSvid javaSpiffe() throws JwtSvidException, BundleNotFoundException, AuthorityNotFoundException {
    return JwtSvid.parseAndValidate(token, theirs, audiences);
  }

  /** The floor: parse and check the signature with bare Nimbus (no claim checks). */
  @Benchmark
  public boolean nimbusSignatureOnly() throws ParseException, JOSEException {
    return SignedJWT.parse(token).verify(floor);
  }
}
