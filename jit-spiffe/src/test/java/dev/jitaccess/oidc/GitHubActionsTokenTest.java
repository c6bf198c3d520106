package dev.jitaccess.oidc;

import static dev.jitaccess.oidc.Results.assertRejected;
import static dev.jitaccess.oidc.Results.assertVerified;
import static dev.jitaccess.oidc.Tokens.githubClaims;
import static dev.jitaccess.oidc.Tokens.githubHeader;
import static dev.jitaccess.oidc.Tokens.sign;
import static dev.jitaccess.oidc.Tokens.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.internal.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GitHub Actions tokens through the preset, with keys served on loopback. */
class GitHubActionsTokenTest {
  static final Instant IAT = Instant.parse("2026-03-01T12:00:00Z");
  @RegisterExtension
  static final JwksServer.Served SERVER = JwksServer.served(Tokens.jwks(Tokens.RSA, Tokens.RSA_2));

  final ManualClock clock = ManualClock.at(IAT.plusSeconds(60));

  OidcIdentityVerifier.Builder github() {
    return OidcIdentityVerifier.githubActions(Tokens.AUDIENCE)
        .jwksUrl(SERVER.url())
        .allowPlainHttpForLoopback()
        .refreshExecutor(Runnable::run)
        .clock(clock);
  }

  OidcIdentityVerifier deployOnly() {
    return github()
        .requireClaim("repository", "octo-org/deployer")
        .requireClaimIn("ref", Set.of("refs/heads/main", "refs/heads/release"))
        .requireClaim("environment", "production")
        .requireClaimMatches("job_workflow_ref", "octo-org/shared/.github/workflows/*.yml@refs/heads/main")
        .requireClaim("repository_owner", "octo-org")
        .build();
  }

  static String token(Map<String, Object> claims) {
    return sign(githubHeader(Tokens.RSA), claims, Tokens.RSA);
  }

  @Test
  void validTokenWithPassingConditionsIsVerified() {
    try (OidcIdentityVerifier verifier = deployOnly()) {
      WorkloadIdentity identity = assertVerified(verifier, token(githubClaims(IAT)));

      assertThat(identity.id())
          .isEqualTo("https://token.actions.githubusercontent.com#repo:octo-org/deployer:environment:production");
      assertThat(identity.issuer()).isEqualTo(OidcIdentityVerifier.GITHUB_ACTIONS_ISSUER);
      assertThat(identity.kind()).isEqualTo("oidc");
      assertThat(identity.owner()).contains("octo-org");
      assertThat(identity.expiresAt()).isEqualTo(IAT.plusSeconds(600));
      assertThat(identity.attributes())
          .containsEntry("repository", "octo-org/deployer")
          .containsEntry("ref", "refs/heads/main")
          .containsEntry("environment", "production")
          .containsEntry("head_ref", "")
          .containsEntry("exp", IAT.getEpochSecond() + 600)
          .containsEntry("issuer", OidcIdentityVerifier.GITHUB_ACTIONS_ISSUER);
      assertThat(identity.certificateThumbprint()).isEmpty();
    }
  }

  @Test
  void attributesArePlainImmutableJavaValues() {
    try (OidcIdentityVerifier verifier = github().build()) {
      Map<String, Object> claims = with(githubClaims(IAT), "groups", List.of("a", "b"));
      claims.put("nested", Map.of("flag", true, "n", 7, "x", 1.5));
      WorkloadIdentity identity = assertVerified(verifier, token(claims));

      assertThat(identity.attributes().get("groups")).isEqualTo(List.of("a", "b"));
      assertThat(identity.attributes().get("nested")).isEqualTo(Map.of("flag", true, "n", 7L, "x", 1.5));
      assertThat(identity.attributes().get("iat")).isInstanceOf(Long.class);
      assertThatThrownBy(() -> ((List<?>) identity.attributes().get("groups")).clear())
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "repository, octo-org/other, expected \"octo-org/deployer\"",
    "ref, refs/heads/feature, not one of [\"refs/heads/main\", \"refs/heads/release\"]",
    "environment, staging, expected \"production\"",
    "job_workflow_ref, octo-org/shared/.github/workflows/deploy.yml@refs/heads/dev, does not match",
    "job_workflow_ref, octo-org/shared/.github/workflows/sub/deploy.yml@refs/heads/main, does not match",
    "repository_owner, octo-evil, expected \"octo-org\"",
  })
  void eachFailingConditionRejectsNamingTheClaim(String claim, String value, String why) {
    try (OidcIdentityVerifier verifier = deployOnly()) {
      String reason = assertRejected(verifier, token(with(githubClaims(IAT), claim, value)), why);
      assertThat(reason).contains("claim \"" + claim + "\" is \"" + value + "\"");
    }
  }

  @Test
  void aMissingConditionClaimRejects() {
    try (OidcIdentityVerifier verifier = deployOnly()) {
      assertRejected(verifier, token(with(githubClaims(IAT), "environment", null)),
          "claim \"environment\" is required by a condition but missing");
    }
  }

  @Test
  void aNonStringConditionClaimRejects() {
    try (OidcIdentityVerifier verifier = deployOnly()) {
      assertRejected(verifier, token(with(githubClaims(IAT), "environment", List.of("production"))),
          "claim \"environment\" must be a string, got a JSON array");
      assertRejected(verifier, token(with(githubClaims(IAT), "environment", true)),
          "claim \"environment\" must be a string, got a boolean");
    }
  }

  @Test
  void wrongIssuerIsRejected() {
    try (OidcIdentityVerifier verifier = github().build()) {
      assertRejected(verifier, token(with(githubClaims(IAT), "iss", "https://token.actions.githubusercontent.com/")),
          "iss \"https://token.actions.githubusercontent.com/\" is not the expected issuer");
      assertRejected(verifier, token(with(githubClaims(IAT), "iss", "https://evil.example")),
          "is not the expected issuer \"https://token.actions.githubusercontent.com\"");
      assertRejected(verifier, token(with(githubClaims(IAT), "iss", null)), "the iss claim is missing");
      assertRejected(verifier, token(with(githubClaims(IAT), "iss", 7)), "the iss claim is missing or not a string");
    }
  }

  @Test
  void wrongAudienceIsRejected() {
    try (OidcIdentityVerifier verifier = github().build()) {
      assertRejected(verifier, token(with(githubClaims(IAT), "aud", "https://other.example.org")),
          "aud \"https://other.example.org\" is not the expected audience \"https://jit.example.org\"");
      assertRejected(verifier, token(with(githubClaims(IAT), "aud", List.of("a", "b"))),
          "does not contain the expected audience");
      assertRejected(verifier, token(with(githubClaims(IAT), "aud", null)), "the aud claim is missing");
      assertRejected(verifier, token(with(githubClaims(IAT), "aud", List.of(Tokens.AUDIENCE, 3))),
          "the aud claim must be a string or an array of strings");
      assertVerified(verifier, token(with(githubClaims(IAT), "aud", List.of("other", Tokens.AUDIENCE))));
    }
  }

  @Test
  void presetOwnerCanBeReplacedOnceByAStableClaim() {
    try (OidcIdentityVerifier verifier = github().ownerClaim("repository_owner_id").build()) {
      assertThat(assertVerified(verifier, token(githubClaims(IAT))).owner()).contains("650123");
    }
  }

  @Test
  void tokenWithoutTheOwnerClaimVerifiesWithoutOwner() {
    try (OidcIdentityVerifier verifier = github().build()) {
      assertThat(assertVerified(verifier, token(with(githubClaims(IAT), "repository_owner", null))).owner())
          .isEmpty();
    }
  }

  @Test
  void identityMappingDecidesTheId() {
    try (OidcIdentityVerifier verifier = github()
        .identityId(a -> "github:" + a.get("repository") + "@" + a.get("ref"))
        .build()) {
      assertThat(assertVerified(verifier, token(githubClaims(IAT))).id())
          .isEqualTo("github:octo-org/deployer@refs/heads/main");
    }
  }

  @Test
  void mappingsThatFailRejectTheToken() {
    try (OidcIdentityVerifier blank = github().identityId(a -> " ").build();
        OidcIdentityVerifier none = github().identityId(a -> null).build();
        OidcIdentityVerifier throwing = github().owner(a -> {
          throw new IllegalStateException("boom");
        }).build()) {
      assertRejected(blank, token(githubClaims(IAT)), "the identity mapping gave no id");
      assertRejected(none, token(githubClaims(IAT)), "the identity mapping gave no id");
      assertRejected(throwing, token(githubClaims(IAT)), "owner mapping failed (IllegalStateException)");
    }
  }

  @Test
  void theDefaultLeewayIsThirtySeconds() {
    try (OidcIdentityVerifier verifier = github().build()) {
      clock.advanceTo(IAT.plusSeconds(600).plus(Duration.ofSeconds(29)));
      assertVerified(verifier, token(githubClaims(IAT)));
      clock.advanceTo(IAT.plusSeconds(630));
      assertRejected(verifier, token(githubClaims(IAT)), "the token expired at 2026-03-01T12:10:00Z");
    }
  }
}
