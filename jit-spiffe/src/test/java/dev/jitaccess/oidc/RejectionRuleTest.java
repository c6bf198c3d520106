package dev.jitaccess.oidc;

import static dev.jitaccess.oidc.Tokens.githubClaims;
import static dev.jitaccess.oidc.Tokens.githubHeader;
import static dev.jitaccess.oidc.Tokens.sign;
import static dev.jitaccess.oidc.Tokens.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityResult.Code;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each OIDC rule (O1-O11 of CONFORMANCE.md) refuses its bad material with its code, its rule as the
 * rejection's {@code rule()}, and a reason in words with the values that matter: times with now and the
 * leeway, the audience and issuer expected and got, the unknown kid; never the token.
 */
class RejectionRuleTest {
  static final Instant IAT = Instant.parse("2026-03-01T12:00:00Z");
  static final Instant NOW = IAT.plusSeconds(60);
  static final RSAKey UNPUBLISHED = Tokens.rsa("not-published");

  /** A bad token, the options of the verifier that refuses it, and what the refusal must say. */
  record Case(String name, UnaryOperator<OidcIdentityVerifier.Builder> options, String token, Code code,
      String rule, String words) {
    @Override
    public String toString() {
      return name;
    }
  }

  static String token(Map<String, Object> claims) {
    return sign(githubHeader(Tokens.RSA), claims, Tokens.RSA);
  }

  static Map<String, Object> claims(String name, Object value) {
    return with(githubClaims(IAT), name, value);
  }

  static Case refused(String name, String token, Code code, String rule, String words) {
    return new Case(name, b -> b, token, code, rule, words);
  }

  static Stream<Case> cases() {
    String good = token(githubClaims(IAT));
    String[] parts = good.split("\\.");
    Object deep = "leaf";
    for (int i = 0; i < ClaimValues.MAX_DEPTH + 2; i++) {
      deep = Map.of("n", deep);
    }
    return Stream.of(
        refused("size", "a".repeat(16 * 1024 + 1), Code.TOO_LARGE, "O1",
            "the token is larger than the 16384-byte limit"),
        refused("two parts", parts[0] + "." + parts[1], Code.MALFORMED, "O1",
            "a compact JWS has three dot-separated parts, this has 2"),
        refused("JWE", parts[0] + "." + parts[1] + ".a.b.c", Code.MALFORMED, "O1",
            "encrypted tokens (JWE) are not accepted"),
        refused("claims nested too deeply", token(claims("deep", deep)), Code.MALFORMED, "O1",
            "claims nest deeper than 16 levels"),
        refused("HS256 with the public key", Tokens.hmacWithPublicKey(githubClaims(IAT), Tokens.RSA), Code.ALGORITHM,
            "O2", "alg \"HS256\" is not in the allowed algorithms [RS256, ES256]"),
        refused("jku", sign(with(githubHeader(Tokens.RSA), "jku", "https://evil.example/jwks"), githubClaims(IAT),
            Tokens.RSA), Code.HEADER, "O3", "header parameter jku is not accepted: keys come only from the issuer's"),
        refused("kid a number", Tokens.b64("{\"alg\":\"RS256\",\"kid\":7}") + "." + parts[1] + "." + parts[2],
            Code.MALFORMED, "O3", "the JWS header is invalid (the header member kid is not a string)"),
        refused("no iss", token(claims("iss", null)), Code.UNTRUSTED_ISSUER, "O4",
            "the iss claim is missing or not a string"),
        refused("another issuer", token(claims("iss", "https://evil.example")), Code.UNTRUSTED_ISSUER, "O4",
            "iss \"https://evil.example\" is not the expected issuer \"" + OidcIdentityVerifier.GITHUB_ACTIONS_ISSUER
                + "\""),
        refused("unknown kid", sign(githubHeader(UNPUBLISHED), githubClaims(IAT), UNPUBLISHED), Code.UNKNOWN_KEY,
            "O5", "no key in the issuer's JWKS matches kid \"not-published\" for RS256"),
        refused("same kid, other key", sign(githubHeader(Tokens.ATTACKER_RSA), githubClaims(IAT), Tokens.ATTACKER_RSA),
            Code.BAD_SIGNATURE, "O5", "the signature does not verify with the issuer's key \"gh-key-1\""),
        refused("no sub", token(claims("sub", null)), Code.BAD_SUBJECT, "O6",
            "the sub claim is missing, blank or not a string"),
        refused("sub with a line break", token(claims("sub", "repo:o/r\nforged")), Code.BAD_SUBJECT, "O6",
            "the sub claim holds the control character U+000A"),
        refused("another audience", token(claims("aud", "https://other.example")), Code.WRONG_AUDIENCE, "O7",
            "aud \"https://other.example\" is not the expected audience \"" + Tokens.AUDIENCE + "\""),
        refused("audience list without ours", token(claims("aud", List.of("a", "b"))), Code.WRONG_AUDIENCE, "O7",
            "aud \"[a, b]\" does not contain the expected audience \"" + Tokens.AUDIENCE + "\""),
        refused("no exp", token(claims("exp", null)), Code.EXPIRED, "O8", "the exp claim is missing"),
        refused("expired", token(claims("exp", IAT.plusSeconds(30).getEpochSecond())), Code.EXPIRED, "O8",
            "the token expired at 2026-03-01T12:00:30Z, now 2026-03-01T12:01:00Z, leeway 0 s"),
        refused("nbf in the future", token(claims("nbf", NOW.plusSeconds(5).getEpochSecond())), Code.NOT_YET_VALID,
            "O9", "the token is not valid before 2026-03-01T12:01:05Z, now 2026-03-01T12:01:00Z, leeway 0 s"),
        refused("iat in the future", token(claims("iat", NOW.plusSeconds(5).getEpochSecond())), Code.NOT_YET_VALID,
            "O9", "the token was issued in the future, at 2026-03-01T12:01:05Z, now 2026-03-01T12:01:00Z, leeway 0 s"),
        new Case("condition", b -> b.requireClaim("repository", "octo-org/other"), good, Code.CLAIM_MISMATCH, "O10",
            "claim \"repository\" is \"octo-org/deployer\", expected \"octo-org/other\""),
        new Case("blank identity id", b -> b.identityId(a -> " "), good, Code.INVALID_IDENTITY, "O11",
            "the identity mapping gave no id for this token"),
        new Case("owner with ESC", b -> b.owner(a -> "owner\u001b"), good, Code.INVALID_IDENTITY, "O11",
            "the owner holds the control character U+001B"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachRuleRefusesWithItsCodeRuleAndWords(Case c) {
    OidcIdentityVerifier verifier = c.options().apply(OidcIdentityVerifier.builder()
        .issuer(OidcIdentityVerifier.GITHUB_ACTIONS_ISSUER)
        .jwks(Tokens.jwks(Tokens.RSA, Tokens.EC))
        .audience(Tokens.AUDIENCE)
        .clock(ManualClock.at(NOW))
        .leeway(Duration.ZERO)).build();
    String reason = Results.assertRejected(verifier, c.token(), c.words());
    IdentityResult.Rejected rejected = (IdentityResult.Rejected) Results.verify(verifier, c.token());
    assertThat(rejected.code()).isEqualTo(c.code());
    assertThat(rejected.rule()).isEqualTo(c.rule());
    assertThat(reason).doesNotContain(c.token());
  }
}
