package dev.jitaccess;

import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Verification.RejectionReason;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.AuditSink;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every rejection path of the grant verifier, each with crafted bad material. */
class VerifierRejectionTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  ECKey key;
  GrantBroker broker;
  Grant grant;
  JWTClaimsSet good;

  @BeforeEach
  void setUp() throws Exception {
    key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(10))).clock(clock).scheduler(clock)
        .auditSink(e -> {}).signingKey(key.toJSONString()).build();
    grant = broker.request(Fixtures.request());
    good = SignedJWT.parse(grant.token()).getJWTClaimsSet();
  }

  @AfterEach
  void tearDown() {
    broker.close();
  }

  RejectionReason reject(String token) {
    Verification v = broker.verifier().verify(token, "postgres://orders");
    assertThat(v).isInstanceOf(Verification.Rejected.class);
    Verification.Rejected r = (Verification.Rejected) v;
    if (token != null && token.length() > 40) {
      assertThat(r.detail()).doesNotContain(token);
    }
    return r.reason();
  }

  String sign(JWSHeader header, JWTClaimsSet claims, ECKey with) throws Exception {
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(new ECDSASigner(with));
    return jwt.serialize();
  }

  JWSHeader.Builder header() {
    return new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("at+jwt")).keyID("k1");
  }

  String claims(UnaryOperator<JWTClaimsSet.Builder> change) throws Exception {
    return sign(header().build(), change.apply(new JWTClaimsSet.Builder(good)).build(), key);
  }

  @Test
  void theGenuineTokenAndACraftedCopyVerify() throws Exception {
    assertThat(broker.verifier().verify(grant.token(), "postgres://orders").isVerified()).isTrue();
    assertThat(broker.verifier().verify(claims(b -> b), "postgres://orders").isVerified()).isTrue();
  }

  /** Input that is not a compact JWS at all is refused as MALFORMED before any key or claim is read. */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      nullValues = "NULL",
      value = {"NULL", "''", "abc", "a.b", "a..c", "a.b.c.d.e", "'a b.c.d'"})
  void malformedInputIsRefused(@Nullable String token) {
    assertThat(reject(token)).isEqualTo(RejectionReason.MALFORMED);
  }

  @Test
  void aHeaderThatIsNotJsonIsMalformed() {
    assertThat(reject(Base64URL.encode("{not json").toString() + ".e30.c2ln")).isEqualTo(RejectionReason.MALFORMED);
  }

  @Test
  void aPaddedTokenIsMalformed() {
    assertThat(reject(grant.token() + "=")).isEqualTo(RejectionReason.MALFORMED);
  }

  @Test
  void oversizedTokenIsRefusedBeforeParsing() {
    assertThat(reject("a".repeat(16 * 1024 + 1))).isEqualTo(RejectionReason.TOO_LARGE);
  }

  @Test
  void algNoneIsRefused() {
    String none = new PlainJWT(good).serialize();
    assertThat(reject(none)).isEqualTo(RejectionReason.BAD_ALGORITHM);
  }

  @Test
  void hs256SignedWithThePublicKeyBytesIsRefused() throws Exception {
    byte[] secret = key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt")).keyID("k1").build(), good);
    jwt.sign(new MACSigner(java.util.Arrays.copyOf(secret, Math.max(32, secret.length))));
    assertThat(reject(jwt.serialize())).isEqualTo(RejectionReason.BAD_ALGORITHM);
  }

  @Test
  void wrongOrMissingTypIsRefused() throws Exception {
    assertThat(reject(sign(header().type(JOSEObjectType.JWT).build(), good, key))).isEqualTo(RejectionReason.BAD_HEADER);
    assertThat(reject(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(), good, key)))
        .isEqualTo(RejectionReason.BAD_HEADER);
  }

  @Test
  void keyCarryingHeadersAreNeverTrusted() throws Exception {
    assertThat(reject(sign(header().jwkURL(URI.create("https://evil.example/jwks")).build(), good, key)))
        .isEqualTo(RejectionReason.BAD_HEADER);
    ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    assertThat(reject(sign(header().jwk(attacker.toPublicJWK()).build(), good, attacker)))
        .isEqualTo(RejectionReason.BAD_HEADER);
    assertThat(reject(sign(header().x509CertURL(URI.create("https://evil.example/cert")).build(), good, key)))
        .isEqualTo(RejectionReason.BAD_HEADER);
  }

  @Test
  void critHeaderIsRefused() throws Exception {
    String token = sign(header().customParam("exp2", 1).criticalParams(java.util.Set.of("exp2")).build(), good, key);
    assertThat(reject(token)).isEqualTo(RejectionReason.BAD_HEADER);
  }

  /** A header of signed, otherwise genuine, claims built from raw JSON: what a Nimbus header builder refuses to write. */
  String rawHeader(String headerJson) throws Exception {
    String header = Base64URL.encode(headerJson).toString();
    String payload = Base64URL.encode(good.toString()).toString();
    SignedJWT signed = new SignedJWT(header().build(), good);
    signed.sign(new ECDSASigner(key));
    return header + "." + payload + "." + signed.getSignature();
  }

  /**
   * The grant verifier runs on the project's one compact-JWS front end (issue 13): each of its refusals keeps
   * its reason and says why. A header (raw JSON, signed over genuine claims), the reason, and a fragment the
   * detail must contain ("" when the reason is enough).
   */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"k1\",\"b64\":false}          | BAD_HEADER    | crit and b64",
      "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"k1\",\"x5c\":[\"AAAA\"]}     | BAD_HEADER    | never trusted",
      "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"k1\",\"x5c\":[\"AAAA\"]}     | BAD_HEADER    | x5c",
      "{\"alg\":\"ES256\",\"enc\":\"A256GCM\",\"typ\":\"at+jwt\",\"kid\":\"k1\"}    | BAD_ALGORITHM | encrypted",
      "{\"typ\":\"at+jwt\",\"kid\":\"k1\"}                                         | MALFORMED     | no alg",
      "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":1}                              | MALFORMED     | kid",
      "{\"alg\":\"ES256\",\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\"k1\"}      | MALFORMED     | ''",
      "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"k1\",\"crit\":[]}           | BAD_HEADER    | ''",
      "{\"alg\":\"ES256K\",\"typ\":\"at+jwt\",\"kid\":\"k1\"}                        | BAD_ALGORITHM | ES256K"})
  void frontEndRefusalsKeepTheirReasonsAndSayWhy(String headerJson, RejectionReason reason, String saying)
      throws Exception {
    Verification.Rejected refused = rejected(rawHeader(headerJson));
    assertThat(refused.reason()).isEqualTo(reason);
    assertThat(refused.detail()).contains(saying);
  }

  @Test
  void theJsonSerializationIsMalformed() {
    assertThat(rejected("{\"payload\":\"e30\",\"signatures\":[]}").reason()).isEqualTo(RejectionReason.MALFORMED);
  }


  @Test
  void typIsComparedWithoutRegardToCaseAndTheMediaTypeIsAccepted() throws Exception {
    assertThat(broker.verifier().verify(sign(header().type(new JOSEObjectType("application/at+jwt")).build(), good, key),
        "postgres://orders").isVerified()).isTrue();
    assertThat(broker.verifier().verify(sign(header().type(new JOSEObjectType("AT+JWT")).build(), good, key),
        "postgres://orders").isVerified()).isTrue();
  }

  Verification.Rejected rejected(String token) {
    reject(token);
    return (Verification.Rejected) broker.verifier().verify(token, "postgres://orders");
  }

  @Test
  void missingOrUnknownKidIsRefused() throws Exception {
    assertThat(reject(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("at+jwt")).build(), good, key)))
        .isEqualTo(RejectionReason.UNKNOWN_KEY);
    assertThat(reject(sign(header().keyID("../../etc/passwd").build(), good, key))).isEqualTo(RejectionReason.UNKNOWN_KEY);
  }

  @Test
  void signatureByAnotherKeyIsRefused() throws Exception {
    ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    assertThat(reject(sign(header().build(), good, attacker))).isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void tamperedPayloadIsRefused() throws Exception {
    String[] parts = grant.token().split("\\.");
    JWTClaimsSet wider = new JWTClaimsSet.Builder(good).claim("scope", "read write admin").build();
    String forged = parts[0] + "." + Base64URL.encode(wider.toString()) + "." + parts[2];
    assertThat(reject(forged)).isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void wrongIssuerOrAudienceIsRefused() throws Exception {
    assertThat(reject(claims(b -> b.issuer("https://other.example")))).isEqualTo(RejectionReason.WRONG_ISSUER);
    assertThat(reject(claims(b -> b.audience("postgres://billing")))).isEqualTo(RejectionReason.WRONG_AUDIENCE);
    assertThat(reject(claims(b -> b.audience((String) null)))).isEqualTo(RejectionReason.WRONG_AUDIENCE);
  }

  @Test
  void timeClaimsAreChecked() throws Exception {
    assertThat(reject(claims(b -> b.expirationTime(null)))).isEqualTo(RejectionReason.MISSING_CLAIM);
    Date farFuture = Date.from(clock.instant().plus(Duration.ofMinutes(5)));
    assertThat(reject(claims(b -> b.notBeforeTime(farFuture)))).isEqualTo(RejectionReason.NOT_YET_VALID);
    assertThat(reject(claims(b -> b.issueTime(farFuture)))).isEqualTo(RejectionReason.NOT_YET_VALID);
    Date past = Date.from(clock.instant().minus(Duration.ofMinutes(1)));
    assertThat(reject(claims(b -> b.expirationTime(past)))).isEqualTo(RejectionReason.EXPIRED);
  }

  @Test
  void skewIsToleratedWithinItsBounds() throws Exception {
    Date soon = Date.from(clock.instant().plus(Duration.ofSeconds(29)));
    assertThat(broker.verifier().verify(claims(b -> b.notBeforeTime(soon)), "postgres://orders").isVerified()).isTrue();
  }

  @Test
  void missingGrantClaimsAreRefused() throws Exception {
    assertThat(reject(claims(b -> b.claim("txn", null)))).isEqualTo(RejectionReason.MISSING_CLAIM);
    assertThat(reject(claims(b -> b.claim("scope", null)))).isEqualTo(RejectionReason.MISSING_CLAIM);
    assertThat(reject(claims(b -> b.claim("tctx", null)))).isEqualTo(RejectionReason.MISSING_CLAIM);
    assertThat(reject(claims(b -> b.jwtID(null)))).isEqualTo(RejectionReason.MISSING_CLAIM);
  }

  @Test
  void aValidlySignedTokenForAGrantTheBrokerNeverIssuedIsRefused() throws Exception {
    assertThat(reject(claims(b -> b.jwtID("never-issued")))).isEqualTo(RejectionReason.UNKNOWN_GRANT);
    assertThat(reject(claims(b -> b.claim("txn", "another-task")))).isEqualTo(RejectionReason.UNKNOWN_GRANT);
  }

  @Test
  void standAloneVerifierChecksSignatureAndClaimsWithoutAStore() throws Exception {
    GrantVerifier remote = GrantVerifier.builder().issuer(ISSUER).jwks(broker.publicJwks()).clock(clock).build();
    assertThat(remote.verify(grant.token(), "postgres://orders").isVerified()).isTrue();
    ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    Verification v = remote.verify(sign(header().build(), good, attacker), "postgres://orders");
    assertThat(((Verification.Rejected) v).reason()).isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void standAloneVerifierBuilderRefusesBadKeys() throws Exception {
    assertThatThrownBy(() -> GrantVerifier.builder().issuer(ISSUER).jwks("{\"keys\":[" + key.toJSONString() + "]}").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("private");
    assertThatThrownBy(() -> GrantVerifier.builder().issuer(ISSUER).jwks("not json").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GrantVerifier.builder().issuer(ISSUER).jwks("{\"keys\":[]}").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no keys");
    assertThatThrownBy(() -> GrantVerifier.builder().jwks(broker.publicJwks()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("issuer");
    assertThatThrownBy(() -> GrantVerifier.builder().issuer(ISSUER).issuer(ISSUER))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> GrantVerifier.builder().clockSkew(Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1H");
    assertThatThrownBy(() -> GrantVerifier.builder().maxTokenBytes(10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10");
  }

  @Test
  void twoReplicasSharingAKeyVerifyEachOthersTokensBySignature() throws Exception {
    try (GrantBroker replica = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(10))).clock(clock).scheduler(clock).auditSink(e -> {})
        .signingKey(key.toJSONString()).build()) {
      assertThat(replica.publicJwks()).isEqualTo(broker.publicJwks());
      GrantVerifier remote = GrantVerifier.builder().issuer(ISSUER).jwks(replica.publicJwks()).clock(clock).build();
      assertThat(remote.verify(grant.token(), "postgres://orders").isVerified()).isTrue();
      assertThatThrownBy(replica::rotateKeys).isInstanceOf(IllegalStateException.class).hasMessageContaining("shared");
    }
  }

  @Test
  void signingKeyLoadsFromPem() throws Exception {
    java.security.KeyPair pair = key.toKeyPair();
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n"
        + "-----BEGIN PUBLIC KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    try (GrantBroker fromPem = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(10))).clock(clock).scheduler(clock).auditSink(e -> {})
        .signingKey(pem).build()) {
      Grant g = fromPem.request(Fixtures.request());
      GrantVerifier remote = GrantVerifier.builder().issuer(ISSUER).jwks(fromPem.publicJwks()).clock(clock).build();
      assertThat(remote.verify(g.token(), "postgres://orders").isVerified()).isTrue();
      ECKey published = (ECKey) com.nimbusds.jose.jwk.JWKSet.parse(fromPem.publicJwks()).getKeys().get(0);
      assertThat(published.getX()).isEqualTo(key.getX());
      assertThat(published.getKeyID()).isEqualTo(key.computeThumbprint().toString());
    }
  }

  @Test
  void badSigningKeysAreRefusedWithoutEchoingThem() throws Exception {
    GrantBroker.Builder b = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(1))).auditSink(AuditSink.discardEveryRecord()).clock(clock).scheduler(clock);
    String secretLooking = "{\"kty\":\"EC\",\"d\":\"SECRET-MATERIAL\"}";
    assertThatThrownBy(() -> GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
            .policy(Fixtures.allowAll(Duration.ofMinutes(1))).auditSink(AuditSink.discardEveryRecord()).signingKey(secretLooking).build())
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET-MATERIAL"));
    assertThatThrownBy(() -> b.signingKey(key.toPublicJWK().toJSONString()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("private");
    assertThatThrownBy(() -> GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
            .policy(Fixtures.allowAll(Duration.ofMinutes(1))).auditSink(AuditSink.discardEveryRecord()).algorithm(SigningAlgorithm.RS256)
            .signingKey(key.toJSONString()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
    assertThatThrownBy(() -> GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
            .policy(Fixtures.allowAll(Duration.ofMinutes(1))).auditSink(AuditSink.discardEveryRecord()).signingKey("garbage").build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
