package dev.jitaccess.oidc;

import static dev.jitaccess.oidc.Results.assertRejected;
import static dev.jitaccess.oidc.Results.assertVerified;
import static dev.jitaccess.oidc.Tokens.b64;
import static dev.jitaccess.oidc.Tokens.githubClaims;
import static dev.jitaccess.oidc.Tokens.githubHeader;
import static dev.jitaccess.oidc.Tokens.sign;
import static dev.jitaccess.oidc.Tokens.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import dev.jitaccess.Credential;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.IdentityResult;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Crafted bad tokens, each refused with a reason naming the rule; keys from a static JWK Set. */
class TokenRejectionTest {
  static final Instant IAT = Instant.parse("2026-03-01T12:00:00Z");
  static final Instant EXP = IAT.plusSeconds(600);

  final ManualClock clock = ManualClock.at(IAT.plusSeconds(60));

  OidcIdentityVerifier.Builder builder() {
    return OidcIdentityVerifier.builder()
        .issuer(OidcIdentityVerifier.GITHUB_ACTIONS_ISSUER)
        .jwks(Tokens.jwks(Tokens.RSA, Tokens.EC))
        .audience(Tokens.AUDIENCE)
        .clock(clock);
  }

  OidcIdentityVerifier verifier() {
    return builder().leeway(Duration.ZERO).build();
  }

  static String token(Map<String, Object> claims) {
    return sign(githubHeader(Tokens.RSA), claims, Tokens.RSA);
  }

  static Map<String, Object> header(String name, Object value) {
    return with(githubHeader(Tokens.RSA), name, value);
  }

  @Test
  void staticKeysVerifyRsaAndEcTokens() {
    OidcIdentityVerifier verifier = verifier();
    assertVerified(verifier, token(githubClaims(IAT)));
    assertVerified(verifier, sign(Tokens.k8sHeader(Tokens.EC, "ES256"), githubClaims(IAT), Tokens.EC));
  }

  // ---- codes and identity text ----

  @Test
  void rejectionsCarryACodeForEachStep() {
    OidcIdentityVerifier verifier = verifier();
    assertThat(code(verifier, "a.b")).isEqualTo(IdentityResult.Code.MALFORMED);
    assertThat(code(verifier, Tokens.hmacWithPublicKey(githubClaims(IAT), Tokens.RSA)))
        .isEqualTo(IdentityResult.Code.ALGORITHM);
    assertThat(code(verifier, sign(header("jku", "https://evil.example"), githubClaims(IAT), Tokens.RSA)))
        .isEqualTo(IdentityResult.Code.HEADER);
    assertThat(code(verifier, token(with(githubClaims(IAT), "iss", "https://evil.example"))))
        .isEqualTo(IdentityResult.Code.UNTRUSTED_ISSUER);
    RSAKey other = Tokens.rsa("not-published");
    assertThat(code(verifier, sign(githubHeader(other), githubClaims(IAT), other)))
        .isEqualTo(IdentityResult.Code.UNKNOWN_KEY);
    assertThat(code(verifier, token(with(githubClaims(IAT), "aud", "someone-else"))))
        .isEqualTo(IdentityResult.Code.WRONG_AUDIENCE);
    clock.advanceTo(EXP);
    assertThat(code(verifier, token(githubClaims(IAT)))).isEqualTo(IdentityResult.Code.EXPIRED);
    assertThat(((IdentityResult.Rejected) Results.verify(verifier, token(githubClaims(IAT)))).rule()).isEqualTo("O8");
  }

  static IdentityResult.Code code(OidcIdentityVerifier verifier, String token) {
    return ((IdentityResult.Rejected) Results.verify(verifier, token)).code();
  }

  @ParameterizedTest
  @ValueSource(strings = {"repo:o/r\nINFO forged", "repo:o/r\r", "repo:o/r\u001b[2J", "repo:o/r\u2028",
      "repo:o/r\u202e", "repo:o/r\u0000"})
  void subWithControlCharactersIsRefused(String sub) {
    String reason = assertRejected(verifier(), token(with(githubClaims(IAT), "sub", sub)),
        "the sub claim holds the control character U+");
    assertThat(reason).doesNotContain("forged");
    assertThat(code(verifier(), token(with(githubClaims(IAT), "sub", sub)))).isEqualTo(IdentityResult.Code.BAD_SUBJECT);
  }

  @Test
  void identityIdOrOwnerWithControlCharactersIsRefused() {
    OidcIdentityVerifier badId = builder().identityId(a -> "id\nforged").build();
    assertRejected(badId, token(githubClaims(IAT)), "the identity id holds the control character U+000A");
    OidcIdentityVerifier badOwner = builder().owner(a -> "owner\u001b").build();
    assertRejected(badOwner, token(githubClaims(IAT)), "the owner holds the control character U+001B");
    assertThat(code(badOwner, token(githubClaims(IAT)))).isEqualTo(IdentityResult.Code.INVALID_IDENTITY);
  }

  // ---- time ----

  @Test
  void expiryEdgesWithoutLeeway() {
    OidcIdentityVerifier verifier = verifier();
    String token = token(githubClaims(IAT));
    clock.advanceTo(EXP.minusSeconds(1));
    assertVerified(verifier, token);
    clock.advanceTo(EXP.minusNanos(1));
    assertVerified(verifier, token);
    clock.advanceTo(EXP);
    assertRejected(verifier, token, "the token expired at 2026-03-01T12:10:00Z, now 2026-03-01T12:10:00Z, leeway 0 s");
    clock.advanceTo(EXP.plusSeconds(1));
    assertRejected(verifier, token, "the token expired at");
  }

  @Test
  void expiryEdgesWithLeeway() {
    OidcIdentityVerifier verifier = builder().leeway(Duration.ofSeconds(10)).build();
    String token = token(githubClaims(IAT));
    clock.advanceTo(EXP.plusSeconds(9));
    assertVerified(verifier, token);
    clock.advanceTo(EXP.plusSeconds(10).minusNanos(1));
    assertVerified(verifier, token);
    clock.advanceTo(EXP.plusSeconds(10));
    assertRejected(verifier, token, "the token expired at 2026-03-01T12:10:00Z");
  }

  @Test
  void notBeforeAndIssuedAtInTheFutureAreRejectedBeyondTheLeeway() {
    OidcIdentityVerifier verifier = builder().leeway(Duration.ofSeconds(10)).build();
    Instant now = clock.instant();
    Map<String, Object> claims = githubClaims(IAT);
    assertVerified(verifier, token(with(claims, "nbf", now.getEpochSecond() + 10)));
    assertRejected(verifier, token(with(claims, "nbf", now.getEpochSecond() + 11)),
        "the token is not valid before 2026-03-01T12:01:11Z");
    assertVerified(verifier, token(with(claims, "iat", now.getEpochSecond() + 10)));
    assertRejected(verifier, token(with(claims, "iat", now.getEpochSecond() + 11)),
        "the token was issued in the future, at 2026-03-01T12:01:11Z");
    assertVerified(verifier, token(with(with(claims, "iat", null), "nbf", null)));
  }

  @Test
  void fractionalNumericDatesAreHonoured() {
    OidcIdentityVerifier verifier = verifier();
    String token = token(with(githubClaims(IAT), "exp", EXP.getEpochSecond() + 0.5));
    clock.advanceTo(EXP.plusMillis(499));
    assertVerified(verifier, token);
    clock.advanceTo(EXP.plusMillis(500));
    assertRejected(verifier, token, "the token expired at 2026-03-01T12:10:00.500Z");
  }

  @Test
  void badTimeClaimsAreRejected() {
    OidcIdentityVerifier verifier = verifier();
    assertRejected(verifier, token(with(githubClaims(IAT), "exp", null)), "the exp claim is missing");
    assertRejected(verifier, token(with(githubClaims(IAT), "exp", String.valueOf(EXP.getEpochSecond()))),
        "the exp claim is not a NumericDate");
    assertRejected(verifier, token(with(githubClaims(IAT), "nbf", "soon")), "the nbf claim is not a NumericDate");
    assertRejected(verifier, token(with(githubClaims(IAT), "iat", true)), "the iat claim is not a NumericDate");
    assertRejected(verifier, token(with(githubClaims(IAT), "exp", -1L)), "the token expired at 1969-12-31T23:59:59Z");
  }

  @Test
  void extremeNumericDatesNeitherOverflowNorThrow() {
    OidcIdentityVerifier verifier = builder().leeway(Duration.ofMinutes(5)).build();
    assertThat(assertVerified(verifier, token(with(githubClaims(IAT), "exp", Long.MAX_VALUE))).expiresAt())
        .isEqualTo(Instant.MAX);
    assertThat(assertVerified(verifier, token(with(githubClaims(IAT), "exp", 1e300))).expiresAt())
        .isEqualTo(Instant.MAX);
    assertRejected(verifier, token(with(githubClaims(IAT), "exp", Long.MIN_VALUE)), "the token expired at");
    assertRejected(verifier, token(with(githubClaims(IAT), "nbf", Long.MAX_VALUE)), "not valid before");
    clock.advanceTo(Instant.MAX);
    assertRejected(verifier, token(with(githubClaims(IAT), "exp", Long.MAX_VALUE)), "the token expired at");
  }

  // ---- algorithms and keys ----

  @Test
  void algNoneIsNeverAccepted() {
    for (String alg : List.of("none", "None", "NONE")) {
      Map<String, Object> header = Map.of("alg", alg, "typ", "JWT");
      String unsecured = b64(header) + "." + b64(githubClaims(IAT)) + ".";
      assertRejected(verifier(), unsecured, "alg none (an unsecured JWT) is never accepted");
      String withSignature = sign(githubHeader(Tokens.RSA), githubClaims(IAT), Tokens.RSA);
      String forged = b64(header) + withSignature.substring(withSignature.indexOf('.'));
      assertRejected(verifier(), forged, "alg none");
    }
  }

  @Test
  void hs256SignedWithThePublicKeyIsRejectedBeforeVerifying() {
    assertRejected(verifier(), Tokens.hmacWithPublicKey(githubClaims(IAT), Tokens.RSA),
        "alg \"HS256\" is not in the allowed algorithms [RS256, ES256]");
  }

  @Test
  void algNotInTheAllowListIsRejectedEvenWithAValidSignature() {
    OidcIdentityVerifier rs256Only = builder().algorithms("RS256").build();
    Map<String, Object> es = Tokens.k8sHeader(Tokens.EC, "ES256");
    assertRejected(rs256Only, sign(es, githubClaims(IAT), Tokens.EC),
        "alg \"ES256\" is not in the allowed algorithms [RS256]");
    assertRejected(verifier(), sign(header("alg", "RS384"), githubClaims(IAT), Tokens.RSA),
        "alg \"RS384\" is not in the allowed algorithms");
    assertRejected(verifier(), sign(header("alg", "PS256"), githubClaims(IAT), Tokens.RSA),
        "alg \"PS256\" is not in the allowed algorithms");
    assertRejected(verifier(), token(githubClaims(IAT)).replaceFirst("^[^.]+", b64(Map.of("alg", "EdDSA"))),
        "alg \"EdDSA\" is not in the allowed algorithms");
  }

  @Test
  void unknownKidIsRejected() {
    RSAKey other = Tokens.rsa("not-published");
    assertRejected(verifier(), sign(githubHeader(other), githubClaims(IAT), other),
        "no key in the issuer's JWKS matches kid \"not-published\" for RS256");
  }

  @Test
  void aKeyOfTheWrongTypeOrCurveForTheAlgIsNotUsed() {
    // ES384 signed with a P-384 key whose kid names the published P-256 key
    OidcIdentityVerifier verifier = builder().algorithms("ES256", "ES384").build();
    Map<String, Object> header = Tokens.k8sHeader(Tokens.EC, "ES384");
    assertRejected(verifier, sign(header, githubClaims(IAT), Tokens.EC_384),
        "no key in the issuer's JWKS matches kid \"ec-key-1\" for ES384");
    // RS256 naming the EC key's kid
    assertRejected(verifier(), sign(Tokens.k8sHeader(Tokens.EC, "RS256"), githubClaims(IAT), Tokens.RSA),
        "no key in the issuer's JWKS matches kid \"ec-key-1\" for RS256");
  }

  @Test
  void aSameKidDifferentKeyForgeryFailsTheSignature() {
    assertRejected(verifier(), sign(githubHeader(Tokens.ATTACKER_RSA), githubClaims(IAT), Tokens.ATTACKER_RSA),
        "the signature does not verify with the issuer's key \"gh-key-1\"");
  }

  @Test
  void tokensWithoutKidAreCheckedAgainstEveryKeyOfTheRightType() {
    Map<String, Object> header = with(githubHeader(Tokens.RSA), "kid", null);
    assertVerified(verifier(), sign(header, githubClaims(IAT), Tokens.RSA));
    assertRejected(verifier(), sign(header, githubClaims(IAT), Tokens.ATTACKER_RSA),
        "the signature does not verify with the issuer's key");
  }

  @Test
  void rsaKeysShorterThan2048BitsAreNeverUsed() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(1024);
    var pair = generator.generateKeyPair();
    RSAKey weak = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey(pair.getPrivate())
        .keyID("weak").build();
    OidcIdentityVerifier verifier = builder().build();
    OidcIdentityVerifier weakOnly = OidcIdentityVerifier.builder().issuer(OidcIdentityVerifier.GITHUB_ACTIONS_ISSUER)
        .jwks(Tokens.jwks(weak)).audience(Tokens.AUDIENCE).clock(clock).build();
    String signingInput = b64(githubHeader(weak)) + "." + b64(githubClaims(IAT));
    Signature rsa = Signature.getInstance("SHA256withRSA");
    rsa.initSign(pair.getPrivate());
    rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    String token = signingInput + "." + Base64URL.encode(rsa.sign());
    assertRejected(verifier, token, "no key in the issuer's JWKS");
    assertRejected(weakOnly, token, "no key in the issuer's JWKS matches kid \"weak\" for RS256");
  }

  // ---- header parameters that would bring keys or extensions with the token ----

  static Stream<Arguments> rejectedHeaders() {
    return Stream.of(
        Arguments.of("jku", "https://evil.example/jwks", "keys come only from the issuer's configured JWKS"),
        Arguments.of("x5u", "https://evil.example/cert.pem", "keys come only from the issuer's configured JWKS"),
        Arguments.of("jwk", Tokens.RSA.toPublicJWK().toJSONObject(), "keys come only from the issuer's configured JWKS"),
        Arguments.of("x5c", List.of("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"), "keys come only from"),
        Arguments.of("crit", List.of("exp"), "no critical header extensions are supported"),
        Arguments.of("b64", false, "no critical header extensions are supported"),
        Arguments.of("jku", null, "keys come only from"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejectedHeaders")
  void headersCarryingKeysOrExtensionsAreRejected(String name, Object value, String why) {
    Map<String, Object> header = new java.util.LinkedHashMap<>(githubHeader(Tokens.RSA));
    header.put(name, value);
    String signingInput = b64(header) + "." + b64(githubClaims(IAT));
    String valid = token(githubClaims(IAT));
    String token = signingInput + valid.substring(valid.lastIndexOf('.'));
    assertRejected(verifier(), token, "header parameter " + name + " is not accepted: " + why);
  }

  @Test
  void jwsHeaderWithJkuSignedCorrectlyIsStillRejected() {
    // a correctly signed token still may not name a key URL
    assertRejected(verifier(), sign(header("jku", "https://evil.example/jwks"), githubClaims(IAT), Tokens.RSA),
        "header parameter jku is not accepted");
  }

  // ---- shape and size ----

  static Stream<Arguments> malformed() {
    String valid = token(githubClaims(IAT));
    String[] p = valid.split("\\.");
    return Stream.of(
        Arguments.of("empty", "", "three dot-separated parts, this has 1"),
        Arguments.of("one part", p[0], "three dot-separated parts, this has 1"),
        Arguments.of("two parts", p[0] + "." + p[1], "three dot-separated parts, this has 2"),
        Arguments.of("four parts", valid + ".x", "three dot-separated parts, this has 4"),
        Arguments.of("JWE", p[0] + "." + p[1] + ".a.b.c", "encrypted tokens (JWE) are not accepted"),
        Arguments.of("JWE header", b64(Map.of("alg", "RSA-OAEP", "enc", "A256GCM")) + "." + p[1] + "." + p[2],
            "encrypted tokens (JWE) are not accepted"),
        Arguments.of("empty header", "." + p[1] + "." + p[2], "the header is not"),
        Arguments.of("header not base64url", "e+J." + p[1] + "." + p[2], "the header is not"),
        Arguments.of("padded header", p[0] + "==." + p[1] + "." + p[2], "the header is not"),
        Arguments.of("header not JSON", b64("alg=RS256") + "." + p[1] + "." + p[2], "the header is not"),
        Arguments.of("header a JSON array", b64("[\"RS256\"]") + "." + p[1] + "." + p[2], "the header is not"),
        Arguments.of("header JSON null", b64("null") + "." + p[1] + "." + p[2], "the header is not"),
        Arguments.of("header duplicate alg", b64("{\"alg\":\"RS256\",\"alg\":\"none\"}") + "." + p[1] + "." + p[2],
            "the header is not"),
        Arguments.of("header without alg", b64("{\"typ\":\"JWT\"}") + "." + p[1] + "." + p[2], "the header has no alg"),
        Arguments.of("alg not a string", b64("{\"alg\":256}") + "." + p[1] + "." + p[2], "the header has no alg"),
        Arguments.of("kid not a string", b64("{\"alg\":\"RS256\",\"kid\":7}") + "." + p[1] + "." + p[2],
            "the JWS header is invalid"),
        Arguments.of("empty payload", p[0] + ".." + p[2], "the payload is not"),
        Arguments.of("payload not JSON", p[0] + "." + b64("hello") + "." + p[2], "the payload is not"),
        Arguments.of("payload invalid UTF-8", p[0] + "." + Base64URL.encode(
            new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}'}) + "." + p[2], "the payload is not"),
        Arguments.of("payload duplicate iss", p[0] + "." + b64("{\"iss\":\"a\",\"iss\":\"b\"}") + "." + p[2],
            "the payload is not"),
        Arguments.of("empty signature", p[0] + "." + p[1] + ".", "the signature is not base64url"),
        Arguments.of("signature with space", p[0] + "." + p[1] + ".ab cd", "the signature is not base64url"),
        Arguments.of("non-canonical signature", p[0] + "." + p[1] + "." + nonCanonical(p[2]),
            "the signature is not base64url"),
        Arguments.of("non-ASCII", p[0] + "." + p[1] + "." + p[2].substring(1) + "\u00e9",
            "the signature is not base64url"),
        Arguments.of("leading whitespace", " " + valid, "the header is not"),
        Arguments.of("trailing newline", valid + "\n", "the signature is not base64url"));
  }

  /** The same bytes spelled differently: the unused low bits of the last character set. */
  static String nonCanonical(String part) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char last = part.charAt(part.length() - 1);
    int index = alphabet.indexOf(last);
    return part.substring(0, part.length() - 1) + alphabet.charAt(index | 1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedTokensAreRejected(String name, String token, String why) {
    assertRejected(verifier(), token, why);
  }

  @Test
  void nonCanonicalSpellingIsACaseThatExists() {
    // guards the table above: the last character of an RS256 signature carries unused bits
    String valid = token(githubClaims(IAT));
    String signature = valid.substring(valid.lastIndexOf('.') + 1);
    assertThat(signature.length() % 4).isNotZero();
    assertThat(nonCanonical(signature)).isNotEqualTo(signature);
    assertThat(java.util.Base64.getUrlDecoder().decode(nonCanonical(signature)))
        .isEqualTo(java.util.Base64.getUrlDecoder().decode(signature));
  }

  @Test
  void claimsNestedTooDeeplyAreRejected() {
    Object nested = "leaf";
    for (int i = 0; i < ClaimValues.MAX_DEPTH + 2; i++) {
      nested = Map.of("n", nested);
    }
    assertRejected(verifier(), token(with(githubClaims(IAT), "deep", nested)), "claims nest deeper than 16 levels");
    String deepArray = "[".repeat(5000) + "]".repeat(5000);
    String token = token(githubClaims(IAT));
    String[] p = token.split("\\.");
    String crafted = p[0] + "." + b64("{\"iss\":\"x\",\"a\":" + deepArray + "}") + "." + p[2];
    IdentityResult result = Results.verify(verifier(), crafted);
    assertThat(result).isInstanceOf(IdentityResult.Rejected.class);
  }

  @Test
  void oversizedTokensAreRejectedBeforeParsing() {
    OidcIdentityVerifier verifier = verifier();
    String padding = "x".repeat(16 * 1024);
    String token = token(with(githubClaims(IAT), "padding", padding));
    assertRejected(verifier, token, "the token is larger than the 16384-byte limit");
    assertRejected(verifier, "a".repeat(16 * 1024 + 1), "the token is larger than the 16384-byte limit");
    String big = token(with(githubClaims(IAT), "padding", "x".repeat(1500)));
    assertThat(big.length()).isBetween(2048, 4096);
    assertRejected(builder().maxTokenBytes(2048).build(), big, "larger than the 2048-byte limit");
    assertVerified(builder().maxTokenBytes(4096).build(), big);
  }

  @Test
  void tokensAtTheSizeLimitAreRead() {
    String token = token(githubClaims(IAT));
    assertVerified(builder().maxTokenBytes(Math.max(1024, token.length())).build(), token);
  }

  @Test
  void subjectIsRequired() {
    assertRejected(verifier(), token(with(githubClaims(IAT), "sub", null)), "the sub claim is missing");
    assertRejected(verifier(), token(with(githubClaims(IAT), "sub", " ")), "the sub claim is missing, blank");
    assertRejected(verifier(), token(with(githubClaims(IAT), "sub", 12)), "the sub claim is missing, blank or not a string");
  }

  // ---- credentials ----

  @Test
  void onlyOidcTokensAreSupported() {
    OidcIdentityVerifier verifier = verifier();
    Credential svid = Credential.jwtSvid(token(githubClaims(IAT)));
    assertThat(verifier.supports(Credential.oidcToken("x"))).isTrue();
    assertThat(verifier.supports(svid)).isFalse();
    assertThat(verifier.supports(null)).isFalse();
    IdentityResult result = verifier.verify(svid);
    assertThat(result).isInstanceOf(IdentityResult.Rejected.class);
    assertThat(((IdentityResult.Rejected) result).reason())
        .contains("unsupported credential: this verifier accepts only OIDC tokens")
        .contains("<redacted")
        .doesNotContain(token(githubClaims(IAT)).split("\\.")[2]);
    assertThat(verifier.verify(null)).isInstanceOf(IdentityResult.Rejected.class);
  }

  @Test
  void aClosedVerifierRejects() {
    OidcIdentityVerifier verifier = verifier();
    verifier.close();
    verifier.close();
    assertRejected(verifier, token(githubClaims(IAT)), "is closed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u0000", "\n", "'\u202e", "\"\u202e", "x\ty"})
  void untrustedValuesInReasonsAreSanitised(String evil) {
    String reason = assertRejected(verifier(), token(with(githubClaims(IAT), "iss", "https://a" + evil)),
        "is not the expected issuer");
    assertThat(reason).doesNotContain("\u0000").doesNotContain("\n").doesNotContain("\t").doesNotContain("\u202e");
  }

  @Test
  void longUntrustedValuesAreCutShort() {
    String reason = assertRejected(verifier(), token(with(githubClaims(IAT), "iss", "h".repeat(5000))),
        "is not the expected issuer");
    assertThat(reason.length()).isLessThan(400);
  }
}
