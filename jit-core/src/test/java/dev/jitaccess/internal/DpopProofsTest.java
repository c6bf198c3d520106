package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Date;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one DPoP checker (issue 13; issue 14 #5 and the drifted-copies bullet): the same rules whether a
 * resource server checks a bound token's proof or the token endpoint checks the proof that introduces a key.
 */
class DpopProofsTest {
  static final String API = "https://api.example.org/v1/orders";
  final ManualClock clock = ManualClock.at("2030-01-01T00:00:00Z");
  final DpopProofs proofs = new DpopProofs(clock, Duration.ofSeconds(60), null);

  // ---------------------------------------------------------------- htu (RFC 9449 section 4.3)

  @ParameterizedTest
  @CsvSource({
      "https://api.example.org/v1,           https://api.example.org/v1",
      "https://API.Example.ORG/v1,           https://api.example.org/v1",
      "HTTPS://api.example.org:443/v1,       https://api.example.org/v1",
      "http://api.example.org:80/v1,         http://api.example.org/v1",
      "https://api.example.org/v1?x=1#frag,  https://api.example.org/v1",
      "https://api.example.org,              https://api.example.org/",
      "https://api.example.org:8443/v1,      https://api.example.org:8443/v1",
      "https://[::1]:8443/v1,                https://[::1]:8443/v1"})
  void htuIsComparedBySchemeHostPortAndPath(String uri, String canonical) {
    assertThat(DpopProofs.canonicalHtu(uri)).isEqualTo(canonical);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // the issue's material: hosts java.net.URI cannot parse (underscore) and opaque URIs
      "https://billing_api.internal:8443/v1", "https://orders_db.internal/v1", "urn:a", "urn:b",
      // no host, relative, another scheme, user info, unparseable
      "https:///v1", "https:/v1", "/v1", "v1", "ftp://api.example.org/v1", "file:///etc/passwd",
      "https://user@api.example.org/v1", "https://api.example.org/v 1", "", "mailto:a@example.org"})
  void htuThatCannotBeParsedNeverMatches(String uri) {
    assertThat(DpopProofs.canonicalHtu(uri)).isNull();
  }

  @Test
  void aProofForAnUnderscoreHostDoesNotVerifyAtAnotherUnderscoreHost() throws Exception {
    ECKey key = ec();
    String proof = proof(key, JWSAlgorithm.ES256, "GET", "https://billing_api.internal:8443/v1", null, false);
    DpopProofs.Result r = proofs.check(proof, endpoint("GET", "https://orders_db.internal/v1"));
    assertThat(r.problem()).contains("request URI cannot be compared");
  }

  @Test
  void anOpaqueHtuDoesNotMatchAnotherOpaqueUri() throws Exception {
    ECKey key = ec();
    DpopProofs.Result r = proofs.check(proof(key, JWSAlgorithm.ES256, "GET", "urn:a", null, false),
        endpoint("GET", "urn:b"));
    assertThat(r.isGood()).isFalse();
    DpopProofs.Result r2 = proofs.check(proof(key, JWSAlgorithm.ES256, "GET", "urn:a", null, false),
        endpoint("GET", API));
    assertThat(r2.problem()).contains("another URI");
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://api.example.org:8443/v1/orders", "http://api.example.org/v1/orders",
      "https://api.example.org/v1/orders/x", "https://api.example.org/v1/Orders", "https://evil.example.org/v1/orders"})
  void aProofForAnotherSchemePortHostOrPathIsRefused(String htu) throws Exception {
    DpopProofs.Result r = proofs.check(proof(ec(), JWSAlgorithm.ES256, "GET", htu, null, false), endpoint("GET", API));
    assertThat(r.problem()).contains("another URI");
  }

  @Test
  void defaultPortQueryAndFragmentDoNotMatter() throws Exception {
    String htu = "https://API.example.org:443/v1/orders?page=2#top";
    assertThat(proofs.check(proof(ec(), JWSAlgorithm.ES256, "GET", htu, null, false), endpoint("GET", API + "?q=1"))
        .isGood()).isTrue();
  }

  // ---------------------------------------------------------------- one algorithm list, one header rule

  @Test
  void anEd25519ProofIsAcceptedWhereTheKeyIsIntroduced() throws Exception {
    OctetKeyPair key = Ed25519Bc.generate();
    DpopProofs.Result r = proofs.check(proof(key, JWSAlgorithm.EdDSA, "POST", API, null, false), endpoint("POST", API));
    assertThat(r.isGood()).isTrue();
    assertThat(JWK.parse(r.publicJwk()).computeThumbprint()).isEqualTo(key.computeThumbprint());
  }

  @Test
  void anEd25519ProofIsAcceptedForABoundToken() throws Exception {
    OctetKeyPair key = Ed25519Bc.generate();
    String token = "header.payload.signature";
    DpopProofs.Result r = proofs.check(proof(key, JWSAlgorithm.EdDSA, "GET", API, token, false),
        bound("GET", API, token, key.computeThumbprint().toString()));
    assertThat(r.isGood()).isTrue();
  }

  @Test
  void critIsRefusedForEd25519ProofsOnBothPaths() throws Exception {
    OctetKeyPair key = Ed25519Bc.generate();
    String token = "header.payload.signature";
    assertThat(proofs.check(proof(key, JWSAlgorithm.EdDSA, "POST", API, null, true), endpoint("POST", API)).problem())
        .contains("crit");
    assertThat(proofs.check(proof(key, JWSAlgorithm.EdDSA, "GET", API, token, true),
        bound("GET", API, token, key.computeThumbprint().toString())).problem()).contains("crit");
  }

  @Test
  void critIsRefusedForEcProofs() throws Exception {
    assertThat(proofs.check(proof(ec(), JWSAlgorithm.ES256, "POST", API, null, true), endpoint("POST", API)).problem())
        .contains("crit");
  }

  @Test
  void aProofByAnotherKeyThanTheBoundOneIsRefused() throws Exception {
    String token = "header.payload.signature";
    DpopProofs.Result r = proofs.check(proof(ec(), JWSAlgorithm.ES256, "GET", API, token, false),
        bound("GET", API, token, ec().computeThumbprint().toString()));
    assertThat(r.problem()).contains("not the key the token is bound to");
  }

  @Test
  void athIsRequiredOnlyWhenATokenIsPresented() throws Exception {
    ECKey key = ec();
    String token = "header.payload.signature";
    DpopProofs.Result r = proofs.check(proof(key, JWSAlgorithm.ES256, "GET", API, null, false),
        bound("GET", API, token, key.computeThumbprint().toString()));
    assertThat(r.problem()).contains("ath");
  }

  @Test
  void aProofIsRecordedOnlyWhenAsked() throws Exception {
    ECKey key = ec();
    String proof = proof(key, JWSAlgorithm.ES256, "POST", API, null, false);
    DpopProofs.Expectation look = new DpopProofs.Expectation("POST", API, null, null, false);
    assertThat(proofs.check(proof, look).isGood()).isTrue();
    assertThat(proofs.check(proof, look).isGood()).isTrue();
    assertThat(proofs.check(proof, endpoint("POST", API)).isGood()).isTrue();
    DpopProofs.Result again = proofs.check(proof, endpoint("POST", API));
    assertThat(again.replay()).isTrue();
    assertThat(again.problem()).contains("already used");
  }

  @Test
  void aMissingOrOversizedProofIsRefused() {
    assertThat(proofs.check(null, endpoint("POST", API)).problem()).contains("required");
    assertThat(proofs.check("a".repeat(DpopProofs.MAX_PROOF_BYTES + 1), endpoint("POST", API)).problem())
        .contains("larger");
    assertThat(proofs.check("not.a.jwt", endpoint("POST", API)).problem()).contains("not a signed JWT");
  }

  @Test
  void aProofWithAnotherTypeOrAlgorithmIsRefused() throws Exception {
    ECKey key = ec();
    SignedJWT wrongType = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT)
        .jwk(key.toPublicJWK()).build(), claims("POST", API, null));
    wrongType.sign(new ECDSASigner(key));
    assertThat(proofs.check(wrongType.serialize(), endpoint("POST", API)).problem()).contains("typ");
    RSAKey rsa = new RSAKeyGenerator(2048).generate();
    SignedJWT rs512 = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS512).type(new JOSEObjectType("dpop+jwt"))
        .jwk(rsa.toPublicJWK()).build(), claims("POST", API, null));
    rs512.sign(new RSASSASigner(rsa));
    assertThat(proofs.check(rs512.serialize(), endpoint("POST", API)).problem()).contains("algorithm");
  }

  // ---------------------------------------------------------------- the one compact-JWS front end (issue 13)

  /** Bad material the front end or the claim checks refuse, each with the words of its problem. */
  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> badProofs() throws JOSEException {
    ECKey key = ec();
    String jwk = key.toPublicJWK().toJSONString();
    String good = "\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":" + jwk;
    String claims = "\"htm\":\"POST\",\"htu\":\"" + API + "\",\"jti\":\"j1\"";
    long iat = java.time.Instant.parse("2030-01-01T00:00:00Z").getEpochSecond();
    String fresh = claims + ",\"iat\":" + iat;
    // name, header members, claims, the words of the problem
    String[][] table = {
        {"duplicate alg", good + ",\"alg\":\"none\"", fresh,
            "the DPoP proof is not a signed JWT: the header is not a base64url-encoded JSON object"},
        {"duplicate htu", good, fresh + ",\"htu\":\"https://evil.example/\"",
            "the DPoP proof is not a signed JWT: the payload is not a base64url-encoded JSON object"},
        {"jku", good + ",\"jku\":\"https://evil.example\"", fresh, "the DPoP proof has a jku header, which is not accepted"},
        {"x5c", good + ",\"x5c\":[\"MIIB\"]", fresh, "the DPoP proof has a x5c header, which is not accepted"},
        {"b64", good + ",\"b64\":false", fresh, "the DPoP proof has a b64 header, which is not accepted"},
        {"alg none", "\"typ\":\"dpop+jwt\",\"alg\":\"none\",\"jwk\":" + jwk, fresh,
            "the DPoP proof algorithm is not accepted: alg \"none\" (an unsecured JWT) is never accepted"},
        {"typ with a line break", "\"typ\":\"dpop+jwt\\nforged\",\"alg\":\"ES256\",\"jwk\":" + jwk, fresh,
            "the DPoP proof typ must be dpop+jwt, got \"dpop+jwt\\nforged\""},
        {"jwk not an object", "\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":\"key\"", fresh,
            "the DPoP proof must carry a public key in its jwk header"},
        {"private jwk", "\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":" + key.toJSONString(), fresh,
            "the DPoP proof must carry a public key in its jwk header"},
        {"htm a number", good, "\"htm\":1,\"htu\":\"" + API + "\",\"jti\":\"j1\",\"iat\":" + iat,
            "the DPoP proof claims have the wrong types"},
        {"iat a string", good, claims + ",\"iat\":\"" + iat + "\"", "the DPoP proof claims have the wrong types"},
        {"iat missing", good, claims, "the DPoP proof iat is missing, now 2030-01-01T00:00:00Z"},
        {"iat too old", good, claims + ",\"iat\":" + (iat - 61),
            "the DPoP proof iat 2029-12-31T23:58:59Z is not within PT1M of now, now 2030-01-01T00:00:00Z"},
        {"iat beyond year 9999", good, claims + ",\"iat\":1e300", "the DPoP proof iat is missing"}};
    java.util.List<org.junit.jupiter.params.provider.Arguments> cases = new java.util.ArrayList<>();
    for (String[] row : table) {
      cases.add(org.junit.jupiter.params.provider.Arguments.of(row[0],
          signed(key, "{" + row[1] + "}", "{" + row[2] + "}"), row[3]));
    }
    cases.add(org.junit.jupiter.params.provider.Arguments.of("JWE", "a.b.c.d.e",
        "the DPoP proof is not a signed JWT: encrypted tokens (JWE, five parts) are not accepted"));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("badProofs")
  void badProofsAreRefusedInWords(String name, String proof, String words) {
    DpopProofs.Result r = proofs.check(proof, endpoint("POST", API));
    assertThat(r.isGood()).isFalse();
    assertThat(r.problem()).startsWith(words);
    for (String part : proof.split("\\.")) {
      if (part.length() > 8) {
        assertThat(r.problem()).doesNotContain(part);
      }
    }
  }

  @Test
  void aProofSignedOverItsExactTextIsAccepted() throws Exception {
    // guards the table above: the same construction with good values verifies
    ECKey key = ec();
    long iat = clock.instant().getEpochSecond();
    String proof = signed(key, "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":" + key.toPublicJWK().toJSONString()
        + "}", "{\"htm\":\"POST\",\"htu\":\"" + API + "\",\"jti\":\"j1\",\"iat\":" + iat + "}");
    assertThat(proofs.check(proof, endpoint("POST", API)).isGood()).isTrue();
  }

  @Test
  void aProofWhoseRsaKeyIsShorterThanMinRsaBitsIsRefused() throws Exception {
    RSAKey weak = new RSAKeyGenerator(1024, true).generate();
    String proof = rsaProof(weak, "POST", API);
    DpopProofs.Result atEndpoint = proofs.check(proof, endpoint("POST", API));
    assertThat(atEndpoint.isGood()).isFalse();
    assertThat(atEndpoint.problem()).isEqualTo("the DPoP proof key is an RSA key of 1024 bits; at least 2048 are required");
    String jkt = weak.computeThumbprint().toString();
    assertThat(proofs.check(rsaProof(weak, "GET", API), new DpopProofs.Expectation("GET", API, null, jkt, true)).isGood()).isFalse();
    // guard: the same construction with a key of 2048 bits is accepted
    assertThat(proofs.check(rsaProof(new RSAKeyGenerator(2048).generate(), "POST", API), endpoint("POST", API))
        .isGood()).isTrue();
  }

  @Test
  void aMalleatedEs256ProofSignatureIsStillAReplay() throws Exception {
    ECKey key = ec();
    String proof = proof(key, JWSAlgorithm.ES256, "POST", API, null, false);
    String flipped = SignatureSpellings.highLowSFlipped(proof);
    assertThat(flipped).isNotEqualTo(proof);
    assertThat(proofs.check(proof, endpoint("POST", API)).isGood()).isTrue();
    // n - s verifies with the same key (ECDSA malleability); the replay guard is the key and the jti, not the text
    DpopProofs.Result again = proofs.check(flipped, endpoint("POST", API));
    assertThat(again.isGood()).isFalse();
    assertThat(again.replay()).isTrue();
  }

  @Test
  void aDerEncodedEs256ProofSignatureIsRefused() throws Exception {
    String proof = proof(ec(), JWSAlgorithm.ES256, "POST", API, null, false);
    DpopProofs.Result r = proofs.check(SignatureSpellings.derEncoded(proof), endpoint("POST", API));
    assertThat(r.problem()).isEqualTo("the DPoP proof signature does not verify");
    // guard: the raw R || S spelling of the same proof is accepted
    assertThat(proofs.check(proof, endpoint("POST", API)).isGood()).isTrue();
  }

  /** An RS256 DPoP proof by {@code key}, whatever its size. */
  String rsaProof(RSAKey key, String method, String htu) throws JOSEException {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("dpop+jwt"))
        .jwk(key.toPublicJWK()).build(), claims(method, htu, null));
    jwt.sign(new RSASSASigner(key.toPrivateKey(), Set.of(com.nimbusds.jose.crypto.opts.AllowWeakRSAKey.getInstance())));
    return jwt.serialize();
  }

  /** A compact JWS over exactly this header and payload JSON, signed with ES256 by {@code key}. */
  static String signed(ECKey key, String headerJson, String payloadJson) throws JOSEException {
    String input = b64(headerJson) + "." + b64(payloadJson);
    return input + "." + new ECDSASigner(key).sign(new JWSHeader(JWSAlgorithm.ES256),
        input.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  static String b64(String json) {
    return java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- helpers

  static DpopProofs.Expectation endpoint(String method, String uri) {
    return new DpopProofs.Expectation(method, uri, null, null, true);
  }

  static DpopProofs.Expectation bound(String method, String uri, String token, String jkt) {
    return new DpopProofs.Expectation(method, uri, token, jkt, true);
  }

  static ECKey ec() throws JOSEException {
    return new ECKeyGenerator(Curve.P_256).generate();
  }

  JWTClaimsSet claims(String method, String htu, @Nullable String token) {
    JWTClaimsSet.Builder c = new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString())
        .claim("htm", method).claim("htu", htu).issueTime(new Date(clock.millis()));
    if (token != null) {
      c.claim("ath", GrantTokens.sha256(token));
    }
    return c.build();
  }

  String proof(JWK key, JWSAlgorithm alg, String method, String htu, @Nullable String token, boolean crit)
      throws JOSEException, GeneralSecurityException {
    JWSHeader.Builder h = new JWSHeader.Builder(alg).type(new JOSEObjectType("dpop+jwt")).jwk(key.toPublicJWK());
    if (crit) {
      h.criticalParams(Set.of("exp")).customParam("exp", 1);
    }
    SignedJWT jwt = new SignedJWT(h.build(), claims(method, htu, token));
    JWSSigner signer = key instanceof OctetKeyPair okp
        ? new Ed25519Bc.Signer(Ed25519Bc.privateKey(okp))
        : new ECDSASigner((ECKey) key);
    jwt.sign(signer);
    return jwt.serialize();
  }
}
