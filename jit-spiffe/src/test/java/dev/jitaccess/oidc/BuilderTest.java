package dev.jitaccess.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The builder is strict: nulls, ranges, repeats, missing and contradicting options. */
class BuilderTest {
  static final String JWKS = Tokens.jwks(Tokens.RSA);

  static OidcIdentityVerifier.Builder minimal() {
    return OidcIdentityVerifier.builder().issuer("https://issuer.example").jwks(JWKS).audience(Tokens.AUDIENCE);
  }

  @Test
  void minimalBuilds() {
    OidcIdentityVerifier verifier = minimal().build();
    assertThat(verifier.issuer()).isEqualTo("https://issuer.example");
    assertThat(verifier.audience()).isEqualTo(Tokens.AUDIENCE);
    assertThat(verifier.toString()).contains("https://issuer.example").contains("[RS256, ES256]");
  }

  static Stream<Arguments> nulls() {
    return Stream.of(
        Arguments.of("issuer", (Consumer<OidcIdentityVerifier.Builder>) b -> b.issuer(null)),
        Arguments.of("jwksUrl", (Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksUrl(null)),
        Arguments.of("jwks", (Consumer<OidcIdentityVerifier.Builder>) b -> b.jwks(null)),
        Arguments.of("audience", (Consumer<OidcIdentityVerifier.Builder>) b -> b.audience(null)),
        Arguments.of("algorithms", (Consumer<OidcIdentityVerifier.Builder>) b -> b.algorithms((String[]) null)),
        Arguments.of("algorithms element", (Consumer<OidcIdentityVerifier.Builder>) b -> b.algorithms("RS256", null)),
        Arguments.of("clock", (Consumer<OidcIdentityVerifier.Builder>) b -> b.clock(null)),
        Arguments.of("leeway", (Consumer<OidcIdentityVerifier.Builder>) b -> b.leeway(null)),
        Arguments.of("claim", (Consumer<OidcIdentityVerifier.Builder>) b -> b.requireClaim(null, "v")),
        Arguments.of("value", (Consumer<OidcIdentityVerifier.Builder>) b -> b.requireClaim("c", null)),
        Arguments.of("values", (Consumer<OidcIdentityVerifier.Builder>) b -> b.requireClaimIn("c", null)),
        Arguments.of("values element",
            (Consumer<OidcIdentityVerifier.Builder>) b -> b.requireClaimIn("c", java.util.Arrays.asList("a", null))),
        Arguments.of("glob", (Consumer<OidcIdentityVerifier.Builder>) b -> b.requireClaimMatches("c", null)),
        Arguments.of("identityId", (Consumer<OidcIdentityVerifier.Builder>) b -> b.identityId(null)),
        Arguments.of("ownerClaim", (Consumer<OidcIdentityVerifier.Builder>) b -> b.ownerClaim(null)),
        Arguments.of("owner", (Consumer<OidcIdentityVerifier.Builder>) b -> b.owner(null)),
        Arguments.of("jwksCacheTtl", (Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksCacheTtl(null)),
        Arguments.of("jwksOutageTolerance", (Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksOutageTolerance(null)),
        Arguments.of("httpTimeout", (Consumer<OidcIdentityVerifier.Builder>) b -> b.httpTimeout(null)),
        Arguments.of("refreshExecutor", (Consumer<OidcIdentityVerifier.Builder>) b -> b.refreshExecutor(null)),
        Arguments.of("audience", (Consumer<OidcIdentityVerifier.Builder>) b -> OidcIdentityVerifier.githubActions(null)),
        Arguments.of("issuer",
            (Consumer<OidcIdentityVerifier.Builder>) b -> OidcIdentityVerifier.kubernetes(null, "https://k/jwks", "a")),
        Arguments.of("jwksUrl",
            (Consumer<OidcIdentityVerifier.Builder>) b -> OidcIdentityVerifier.kubernetes("https://k", null, "a")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nulls")
  void nullsAreRefusedNamingTheArgument(String name, Consumer<OidcIdentityVerifier.Builder> call) {
    assertThatThrownBy(() -> call.accept(OidcIdentityVerifier.builder()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage(name);
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.issuer(" "), "issuer must not be blank"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.audience(""), "audience must not be blank"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.algorithms(), "algorithms must not be empty"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.algorithms("none"), "alg none is never allowed"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.algorithms("RS256", "HS256"),
            "symmetric algorithms are never allowed, got HS256"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.algorithms("HS512"), "got HS512"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.algorithms("EdDSA"), "unsupported algorithm EdDSA"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.algorithms("rs256"), "unsupported algorithm rs256"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.leeway(Duration.ofSeconds(-1)),
            "leeway must be between PT0S and PT5M, got PT-1S"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.leeway(Duration.ofMinutes(6)), "got PT6M"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.maxTokenBytes(1023),
            "maxTokenBytes must be between 1024 and 1048576, got 1023"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.maxTokenBytes((1 << 20) + 1), "got 1048577"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksCacheTtl(Duration.ofSeconds(59)),
            "jwksCacheTtl must be between PT1M and PT24H, got PT59S"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksOutageTolerance(Duration.ofDays(8)),
            "jwksOutageTolerance must be between PT0S and PT168H, got PT192H"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.httpTimeout(Duration.ofMillis(99)),
            "httpTimeout must be between PT0.1S and PT1M, got PT0.099S"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksUrl("https:///jwks"), "jwksUrl must be an absolute URL"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksUrl("https://u:p@issuer.example/jwks"),
            "must not hold user information"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksUrl("https://issuer.example/jwks#x"),
            "or a fragment"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksUrl("https://issuer example/"),
            "jwksUrl is not a valid URL"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksUrl("https://"), "jwksUrl is not a valid URL"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksUrl("/relative/jwks"),
            "jwksUrl must be an absolute URL"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.jwks("{}"), "jwks is not a valid JWK Set"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.jwks("not json"), "jwks is not a valid JWK Set"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.jwks("{\"keys\":[]}"), "jwks holds no keys"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.jwks(
            new com.nimbusds.jose.jwk.JWKSet(Tokens.RSA).toString(false)), "jwks holds private key material in key \"gh-key-1\""),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.jwks(
            "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"s\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA\"}]}"),
            "jwks holds a symmetric (oct) key, key \"s\""),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.requireClaim(" ", "v"), "claim must not be blank"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.requireClaim("/a~2b", "v"),
            "claim is not a valid JSON Pointer"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.requireClaimIn("c", Set.of()), "values must not be empty"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.requireClaimMatches("c", ""),
            "glob pattern must not be empty"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.requireClaimMatches("c", "refs\\"),
            "glob pattern must not end with a lone backslash"),
        Arguments.of((Consumer<OidcIdentityVerifier.Builder>) b -> b.ownerClaim(""), "ownerClaim must not be blank"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badValues")
  void badValuesAreRefusedWithTheValue(Consumer<OidcIdentityVerifier.Builder> call, String message) {
    assertThatThrownBy(() -> call.accept(OidcIdentityVerifier.builder()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void keyMaterialNeverAppearsInErrors() {
    String privateJwks = new com.nimbusds.jose.jwk.JWKSet(Tokens.RSA).toString(false);
    assertThatThrownBy(() -> OidcIdentityVerifier.builder().jwks(privateJwks))
        .hasMessageNotContaining(Tokens.RSA.getPrivateExponent().toString())
        .hasMessageNotContaining(Tokens.RSA.getModulus().toString());
  }

  static Stream<Arguments> repeats() {
    return Stream.of(
        Arguments.of("issuer", (Consumer<OidcIdentityVerifier.Builder>) b -> b.issuer("https://x")),
        Arguments.of("jwksUrl", (Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksUrl("https://x/jwks")),
        Arguments.of("jwks", (Consumer<OidcIdentityVerifier.Builder>) b -> b.jwks(JWKS)),
        Arguments.of("allowPlainHttpForLoopback", (Consumer<OidcIdentityVerifier.Builder>) b -> b.allowPlainHttpForLoopback()),
        Arguments.of("audience", (Consumer<OidcIdentityVerifier.Builder>) b -> b.audience("a")),
        Arguments.of("algorithms", (Consumer<OidcIdentityVerifier.Builder>) b -> b.algorithms("RS256")),
        Arguments.of("clock", (Consumer<OidcIdentityVerifier.Builder>) b -> b.clock(Clock.systemUTC())),
        Arguments.of("leeway", (Consumer<OidcIdentityVerifier.Builder>) b -> b.leeway(Duration.ZERO)),
        Arguments.of("maxTokenBytes", (Consumer<OidcIdentityVerifier.Builder>) b -> b.maxTokenBytes(2048)),
        Arguments.of("identityId", (Consumer<OidcIdentityVerifier.Builder>) b -> b.identityId(a -> "x")),
        Arguments.of("owner", (Consumer<OidcIdentityVerifier.Builder>) b -> b.ownerClaim("o")),
        Arguments.of("jwksCacheTtl", (Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksCacheTtl(Duration.ofMinutes(2))),
        Arguments.of("jwksOutageTolerance",
            (Consumer<OidcIdentityVerifier.Builder>) b -> b.jwksOutageTolerance(Duration.ofHours(2))),
        Arguments.of("httpTimeout", (Consumer<OidcIdentityVerifier.Builder>) b -> b.httpTimeout(Duration.ofSeconds(1))),
        Arguments.of("refreshExecutor", (Consumer<OidcIdentityVerifier.Builder>) b -> b.refreshExecutor(Runnable::run)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("repeats")
  void settingAnOptionTwiceIsRefused(String name, Consumer<OidcIdentityVerifier.Builder> call) {
    OidcIdentityVerifier.Builder builder = OidcIdentityVerifier.builder();
    call.accept(builder);
    assertThatThrownBy(() -> call.accept(builder))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(name + " was already set");
  }

  @Test
  void ownerClaimAndOwnerFunctionAreOneOption() {
    assertThatThrownBy(() -> OidcIdentityVerifier.builder().ownerClaim("a").owner(m -> "b"))
        .isInstanceOf(IllegalStateException.class).hasMessage("owner was already set");
  }

  @Test
  void missingRequiredOptionsAreNamed() {
    assertThatThrownBy(() -> OidcIdentityVerifier.builder().jwks(JWKS).audience("a").build())
        .isInstanceOf(IllegalStateException.class).hasMessage("issuer is required");
    assertThatThrownBy(() -> OidcIdentityVerifier.builder().issuer("https://i").jwks(JWKS).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("audience is required");
    assertThatThrownBy(() -> OidcIdentityVerifier.builder().issuer("https://i").audience("a").build())
        .isInstanceOf(IllegalStateException.class).hasMessage("jwksUrl or jwks is required");
  }

  @Test
  void contradictingOptionsAreRefused() {
    assertThatThrownBy(() -> minimal().jwksUrl("https://issuer.example/jwks").build())
        .isInstanceOf(IllegalStateException.class).hasMessage("set either jwksUrl or jwks, not both");
    assertThatThrownBy(() -> minimal().jwksCacheTtl(Duration.ofMinutes(2)).httpTimeout(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("[jwksCacheTtl, httpTimeout] apply only to keys fetched from a jwksUrl");
    assertThatThrownBy(() -> minimal().allowPlainHttpForLoopback().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("[allowPlainHttpForLoopback]");
    assertThatThrownBy(() -> OidcIdentityVerifier.builder().issuer("https://i").audience("a")
        .jwksUrl("https://i/jwks").jwksCacheTtl(Duration.ofMinutes(10)).jwksOutageTolerance(Duration.ofMinutes(10)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("jwksOutageTolerance (PT10M) must be zero (off) or longer than jwksCacheTtl (PT10M)");
  }

  @Test
  void remoteVerifiersBuildWithTheirOptions() {
    try (OidcIdentityVerifier verifier = OidcIdentityVerifier.builder().issuer("https://i").audience("a")
        .jwksUrl("https://i/jwks").jwksCacheTtl(Duration.ofHours(24)).jwksOutageTolerance(Duration.ZERO)
        .httpTimeout(Duration.ofSeconds(60)).refreshExecutor(Runnable::run).build()) {
      assertThat(verifier.issuer()).isEqualTo("https://i");
    }
    try (OidcIdentityVerifier verifier = OidcIdentityVerifier.builder().issuer("https://i").audience("a")
        .jwksUrl("https://i/jwks").jwksCacheTtl(Duration.ofMinutes(1)).build()) {
      assertThat(verifier.issuer()).isEqualTo("https://i");
    }
  }

  @Test
  void presetValuesMayEachBeReplacedOnce() {
    OidcIdentityVerifier.Builder github = OidcIdentityVerifier.githubActions(Tokens.AUDIENCE)
        .issuer("https://token.actions.githubusercontent.com/octo-enterprise")
        .jwksUrl("https://token.actions.githubusercontent.com/octo-enterprise/.well-known/jwks")
        .algorithms("RS256", "RS512")
        .ownerClaim("repository_owner_id");
    try (OidcIdentityVerifier verifier = github.build()) {
      assertThat(verifier.issuer()).isEqualTo("https://token.actions.githubusercontent.com/octo-enterprise");
      assertThat(verifier.toString()).contains("[RS256, RS512]");
    }
    assertThatThrownBy(() -> github.issuer("https://again")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> OidcIdentityVerifier.githubActions("a").audience("b"))
        .isInstanceOf(IllegalStateException.class).hasMessage("audience was already set");
  }

  @Test
  void presetsHaveTheDocumentedDefaults() {
    try (OidcIdentityVerifier github = OidcIdentityVerifier.githubActions(Tokens.AUDIENCE).build();
        OidcIdentityVerifier k8s = OidcIdentityVerifier.kubernetes(Tokens.K8S_ISSUER,
            "https://k8s.example/openid/v1/jwks", Tokens.AUDIENCE).build()) {
      assertThat(github.issuer()).isEqualTo("https://token.actions.githubusercontent.com");
      assertThat(github.audience()).isEqualTo(Tokens.AUDIENCE);
      assertThat(github.toString()).contains("algorithms=[RS256]");
      assertThat(OidcIdentityVerifier.GITHUB_ACTIONS_JWKS_URL)
          .isEqualTo("https://token.actions.githubusercontent.com/.well-known/jwks");
      assertThat(k8s.issuer()).isEqualTo(Tokens.K8S_ISSUER);
      assertThat(k8s.toString()).contains("algorithms=[RS256, ES256]");
    }
    assertThatThrownBy(() -> OidcIdentityVerifier.kubernetes(Tokens.K8S_ISSUER, "http://k8s.example/jwks", "a"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jwksUrl must use https");
    assertThatThrownBy(() -> OidcIdentityVerifier.kubernetes(" ", "https://k8s.example/jwks", "a"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("issuer must not be blank");
  }

  @Test
  void conditionsAccumulate() {
    OidcIdentityVerifier.Builder builder = minimal().requireClaim("a", "1").requireClaim("a", "2")
        .requireClaimIn("b", List.of("x", "x"));
    assertThat(builder.build().toString()).contains("conditions=3");
  }
}
