package dev.jitaccess.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Credential;
import dev.jitaccess.oidc.OidcIdentityVerifier;
import dev.jitaccess.spi.IdentityResult;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestOidcIssuerTest {
  final ManualClock clock = ManualClock.at("2030-01-01T00:00:00Z");
  final TestOidcIssuer issuer = TestOidcIssuer.create("https://oidc.test", clock);

  @Test
  void githubActionsTokenHasTheUsualClaimsAndPassesRealConditions() throws Exception {
    String token = issuer.githubActionsToken("jit-broker", "octo-org/app", "refs/heads/main",
        Map.of("environment", "production"));
    SignedJWT jwt = SignedJWT.parse(token);
    assertThat(jwt.getHeader().getKeyID()).isEqualTo(issuer.keyId());
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("repo:octo-org/app:environment:production");
    assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("https://oidc.test");
    assertThat(jwt.getJWTClaimsSet().getStringClaim("repository_owner")).isEqualTo("octo-org");
    try (OidcIdentityVerifier v = issuer.verifier("jit-broker")
        .requireClaim("repository", "octo-org/app")
        .requireClaimMatches("ref", "refs/heads/*")
        .requireClaim("environment", "production")
        .ownerClaim("repository_owner")
        .build()) {
      IdentityResult r = v.verify(Credential.oidcToken(token));
      assertThat(r).isInstanceOfSatisfying(IdentityResult.Verified.class,
          ok -> assertThat(ok.identity().owner()).contains("octo-org"));
      String other = issuer.githubActionsToken("jit-broker", "octo-org/other", "refs/heads/main");
      assertThat(v.verify(Credential.oidcToken(other))).isInstanceOfSatisfying(IdentityResult.Rejected.class,
          no -> assertThat(no.reason()).contains("repository"));
    }
  }

  @Test
  void kubernetesTokenHasTheServiceAccountShape() {
    String token = issuer.kubernetesToken("jit-broker", "ci", "deployer");
    try (OidcIdentityVerifier v = issuer.verifier("jit-broker")
        .requireClaim("/kubernetes.io/namespace", "ci")
        .requireClaim("sub", "system:serviceaccount:ci:deployer").build()) {
      assertThat(v.verify(Credential.oidcToken(token))).isInstanceOf(IdentityResult.Verified.class);
    }
  }

  @Test
  void rsaIssuerWorksWithTheGithubPreset() {
    TestOidcIssuer rsa = TestOidcIssuer.createRsa("https://token.actions.example", clock);
    assertThat(rsa.algorithm()).isEqualTo("RS256");
    try (OidcIdentityVerifier v = OidcIdentityVerifier.githubActions("jit-broker")
        .issuer(rsa.issuer()).jwks(rsa.jwks()).clock(clock).build()) {
      assertThat(v.verify(Credential.oidcToken(rsa.githubActionsToken("jit-broker", "a/b", "refs/heads/main"))))
          .isInstanceOf(IdentityResult.Verified.class);
    }
  }

  @Test
  void tokensExpireOnTheClock() {
    String token = issuer.token("s", "jit-broker", Duration.ofMinutes(1), Map.of());
    try (OidcIdentityVerifier v = issuer.verifier("jit-broker").build()) {
      assertThat(v.verify(Credential.oidcToken(token))).isInstanceOf(IdentityResult.Verified.class);
      clock.advance(Duration.ofMinutes(2));
      assertThat(v.verify(Credential.oidcToken(token))).isInstanceOfSatisfying(IdentityResult.Rejected.class,
          r -> assertThat(r.reason()).contains("exp"));
    }
  }

  @Test
  void jwksHoldsNoPrivateKeyAndInputsAreChecked() {
    assertThat(issuer.jwks()).doesNotContain("\"d\"");
    assertThatThrownBy(() -> issuer.token("s", "a", Map.of("iss", "x"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("iss");
    assertThatThrownBy(() -> issuer.token("", "a")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> issuer.token("s", "a", Duration.ofSeconds(-1), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> issuer.githubActionsToken("a", "no-slash", "refs/heads/main"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no-slash");
    assertThatThrownBy(() -> TestOidcIssuer.create(null, clock)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("issuer");
    assertThat(issuer.toString()).doesNotContain(issuer.jwks());
  }
}
