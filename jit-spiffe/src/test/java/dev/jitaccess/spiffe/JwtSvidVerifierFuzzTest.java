package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jitaccess.Credential;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.IdentityResult;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Fuzzes {@link JwtSvidVerifier#verify} with arbitrary strings and with arbitrary header and claims
 * signed by the trusted key (see {@link FuzzJwt}). The bundle set holds {@code example.org} (a P-256 and
 * a P-384 authority) and {@code other.example} (another P-256 key). The contract on every input: verify
 * never throws and never returns null, and a {@code Verified} result is backed by an independent check:
 * the JDK accepts the signature under the key that the bundle of the {@code sub}'s own trust domain
 * publishes for the header's {@code kid}, the header passes B2/B3/B5, {@code sub} is a SPIFFE ID by the
 * reference grammar, {@code aud} names the audience and the time claims hold at the fixed clock. The
 * canonical valid token must verify.
 */
class JwtSvidVerifierFuzzTest {
  static final String VALID_HEADER = "{\"alg\":\"ES256\",\"kid\":\"fuzz-svid-1\",\"typ\":\"JWT\"}";
  static final String VALID_CLAIMS = "{\"sub\":\"spiffe://example.org/ns/prod/sa/api\","
      + "\"aud\":[\"https://jit.example.org\"],\"exp\":1893456300,\"iat\":1893455940}";
  static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512");
  static final List<String> FORBIDDEN = List.of("crit", "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "b64");
  static final Duration LEEWAY = Duration.ofSeconds(30);

  static final Map<String, Map<String, PublicKey>> KEYS = Map.of(
      "example.org", Map.of("fuzz-svid-1", FuzzJwt.pub(FuzzJwt.SVID_KEY), "fuzz-svid-384", FuzzJwt.pub(FuzzJwt.SVID_KEY_384)),
      "other.example", Map.of("fuzz-oidc-1", FuzzJwt.pub(FuzzJwt.OIDC_KEY)));
  static final JwtSvidVerifier VERIFIER = JwtSvidVerifier.builder()
      .bundleSource(bundles())
      .audiences(FuzzJwt.AUDIENCE)
      .clock(Clock.fixed(FuzzJwt.NOW, ZoneOffset.UTC))
      .leeway(LEEWAY)
      .build();

  static BundleSet bundles() {
    return BundleSet.of(KEYS.entrySet().stream().map(e -> {
      SpiffeBundle.Builder b = SpiffeBundle.builder(TrustDomain.parse(e.getKey()));
      e.getValue().forEach(b::jwtAuthority);
      return b.build();
    }).toList());
  }

  @FuzzTest(maxDuration = "2m")
  void jwtSvidsVerifyOnlyWhenSignedByTheirTrustDomain(byte[] input) {
    String token = FuzzJwt.token(input, FuzzJwt.SVID_KEY);
    WorkloadIdentity id = FuzzJwt.verified(() -> VERIFIER.verify(Credential.jwtSvid(token)), token,
        isCanonicalValid(input));
    if (id == null) {
      return;
    }
    Map<String, Object> header = FuzzJwt.part(token, 0).orElseThrow(() -> new AssertionError("verified, but the header is not JSON"));
    Map<String, Object> claims = FuzzJwt.part(token, 1).orElseThrow(() -> new AssertionError("verified, but the claims are not JSON"));
    assertThat(ALGORITHMS).as("alg").contains(String.valueOf(header.get("alg")));
    FuzzJwt.assertHeaderAndTimes(header, claims, FORBIDDEN, LEEWAY);
    if (header.containsKey("typ")) {
      assertThat(header.get("typ")).isIn("JWT", "JOSE");
    }
    assertThat(claims.get("sub")).isInstanceOf(String.class);
    String sub = (String) claims.get("sub");
    Optional<SpiffeIdFuzzTest.Reference.Id> ref = SpiffeIdFuzzTest.Reference.parseId(sub);
    assertThat(ref).as("verified a sub that is not a SPIFFE ID: %s", sub).isPresent();
    Map<String, PublicKey> trusted = KEYS.getOrDefault(ref.get().trustDomain(), Map.of());
    assertThat(FuzzJwt.signatureValid(token, trusted, false))
        .as("verified a token whose signature the bundle of %s does not back", ref.get().trustDomain()).isTrue();
    assertThat(id.id()).isEqualTo(sub);
    assertThat(FuzzJwt.audienceContains(claims.get("aud"), FuzzJwt.AUDIENCE)).as("aud").isTrue();
  }

  /** Whether the input is the canonical valid token in sign mode (header and claims exactly). */
  static boolean isCanonicalValid(byte[] input) {
    return new String(input, java.nio.charset.StandardCharsets.UTF_8).equals(VALID_HEADER + "\n" + VALID_CLAIMS);
  }
}
