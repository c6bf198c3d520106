package dev.jitaccess.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.jwk.JWKSet;
import dev.jitaccess.Credential;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spiffe.FuzzJwt;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes {@link OidcIdentityVerifier#verify} with a static JWKS ({@code fuzz-oidc-1} on P-256 and
 * {@code fuzz-svid-384} on P-384), arbitrary strings and arbitrary header and claims signed by the
 * issuer's P-256 key (see {@link FuzzJwt}). The contract on every input: verify never throws and never
 * returns null, and a {@code Verified} result is backed by an independent check: the JDK accepts the
 * signature under the JWKS key of the header's {@code kid} and {@code alg}, no forbidden header is
 * present, {@code iss} is the issuer exactly, {@code aud} names the audience, the time claims hold at the
 * fixed clock, and the configured claim conditions hold. The canonical valid token must verify.
 */
class OidcIdentityVerifierFuzzTest {
  static final String ISSUER = "https://token.actions.githubusercontent.com";
  static final String VALID_HEADER = "{\"typ\":\"JWT\",\"alg\":\"ES256\",\"kid\":\"fuzz-oidc-1\"}";
  static final String VALID_CLAIMS = "{\"iss\":\"https://token.actions.githubusercontent.com\","
      + "\"sub\":\"repo:octo-org/deployer:environment:production\",\"aud\":\"https://jit.example.org\","
      + "\"repository\":\"octo-org/deployer\",\"ref\":\"refs/heads/main\",\"exp\":1893456300,"
      + "\"iat\":1893455940,\"nbf\":1893455940}";
  static final List<String> FORBIDDEN = List.of("jku", "x5u", "jwk", "x5c", "crit", "b64");
  static final Duration LEEWAY = Duration.ofSeconds(30);
  static final Map<String, PublicKey> KEYS = Map.of(
      "fuzz-oidc-1", FuzzJwt.pub(FuzzJwt.OIDC_KEY), "fuzz-svid-384", FuzzJwt.pub(FuzzJwt.SVID_KEY_384));
  static final OidcIdentityVerifier VERIFIER = OidcIdentityVerifier.builder()
      .issuer(ISSUER)
      .jwks(new JWKSet(List.of(FuzzJwt.OIDC_KEY.toPublicJWK(), FuzzJwt.SVID_KEY_384.toPublicJWK())).toString())
      .audience(FuzzJwt.AUDIENCE)
      .algorithms("ES256", "ES384")
      .clock(Clock.fixed(FuzzJwt.NOW, ZoneOffset.UTC))
      .leeway(LEEWAY)
      .requireClaim("repository", "octo-org/deployer")
      .requireClaimMatches("ref", "refs/heads/*")
      .build();

  @FuzzTest(maxDuration = "2m")
  void oidcTokensVerifyOnlyWhenSignedByTheIssuer(byte[] input) {
    String token = FuzzJwt.token(input, FuzzJwt.OIDC_KEY);
    WorkloadIdentity id = FuzzJwt.verified(() -> VERIFIER.verify(Credential.oidcToken(token)), token,
        new String(input, StandardCharsets.UTF_8).equals(VALID_HEADER + "\n" + VALID_CLAIMS));
    if (id == null) {
      return;
    }
    Map<String, Object> header = FuzzJwt.part(token, 0).orElseThrow(() -> new AssertionError("verified, but the header is not JSON"));
    Map<String, Object> claims = FuzzJwt.part(token, 1).orElseThrow(() -> new AssertionError("verified, but the claims are not JSON"));
    FuzzJwt.assertHeaderAndTimes(header, claims, FORBIDDEN, LEEWAY);
    assertThat(FuzzJwt.signatureValid(token, KEYS, true)).as("verified a token the issuer's JWKS does not back").isTrue();
    assertThat(claims.get("iss")).isEqualTo(ISSUER);
    assertThat(claims.get("sub")).isInstanceOf(String.class);
    assertThat(FuzzJwt.audienceContains(claims.get("aud"), FuzzJwt.AUDIENCE)).as("aud").isTrue();
    assertThat(claims.get("repository")).isEqualTo("octo-org/deployer");
    assertThat(claims.get("ref")).isInstanceOf(String.class);
    assertThat((String) claims.get("ref")).startsWith("refs/heads/");
  }
}
