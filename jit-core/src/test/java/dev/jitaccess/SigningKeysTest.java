package dev.jitaccess;

import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Verification.RejectionReason;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.GrantStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 item 5: shared signing keys that rotate. Replicas given {@link SigningKeys} sign with the
 * active key and trust the verify-only ones, so the three-step rollout of the class javadoc never leaves a
 * replica refusing another's tokens.
 */
class SigningKeysTest {
  static final String RESOURCE = "postgres://orders";
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  GrantStore store;
  ECKey k1;
  ECKey k2;

  @BeforeEach
  void setUp() throws Exception {
    store = GrantStore.inMemory(clock, clock, Duration.ofSeconds(30));
    k1 = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    k2 = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
  }

  GrantBroker.Builder replica() {
    return GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(10))).clock(clock).scheduler(clock).auditSink(e -> {})
        .store(store).maxTtl(Duration.ofMinutes(10));
  }

  GrantBroker replica(SigningKeys keys) {
    return replica().signingKeys(keys).build();
  }

  static String kid(Grant g) throws Exception {
    return SignedJWT.parse(g.token()).getHeader().getKeyID();
  }

  static List<String> kids(String jwks) throws Exception {
    return JWKSet.parse(jwks).getKeys().stream().map(JWK::getKeyID).toList();
  }

  @Test
  void aRollingRotationNeverLeavesAReplicaRefusingAnothersTokens() throws Exception {
    // step 0: everyone signs with k1
    GrantBroker old = replica(SigningKeys.builder().active(k1.toJSONString()).build());
    // step 1: the new set trusts k2 before anyone signs with it
    GrantBroker step1 = replica(SigningKeys.builder().active(k1.toJSONString()).verifyOnly(k2.toPublicJWK().toJSONString()).build());
    Grant byOld = old.request(Fixtures.request());
    assertThat(kid(byOld)).isEqualTo("k1");
    assertThat(step1.verifier().verify(byOld.token(), RESOURCE).isVerified()).isTrue();
    // step 2: k2 signs, k1 is trusted until the last token it signed has expired
    Instant k1RetireAfter = clock.instant().plus(Duration.ofMinutes(10)).plus(Duration.ofSeconds(30));
    GrantBroker step2 = replica(SigningKeys.builder().active(k2.toJSONString()).verifyOnly(k1.toJSONString(), k1RetireAfter).build());
    Grant byStep2 = step2.request(Fixtures.request("spiffe://example.org/ci/other").taskId("t2").ttl(Duration.ofMinutes(5)).build());
    assertThat(kid(byStep2)).isEqualTo("k2");
    assertThat(step1.verifier().verify(byStep2.token(), RESOURCE).isVerified()).isTrue();
    assertThat(step2.verifier().verify(byOld.token(), RESOURCE).isVerified()).isTrue();
    assertThat(kids(step2.publicJwks())).containsExactly("k2", "k1");
    // k1 drops out of step 2's set by itself at its retireAfter
    clock.advanceTo(k1RetireAfter.minusNanos(1));
    assertThat(kids(step2.publicJwks())).containsExactly("k2", "k1");
    clock.advanceTo(k1RetireAfter);
    assertThat(kids(step2.publicJwks())).containsExactly("k2");
    old.close();
    step1.close();
    step2.close();
  }

  @Test
  void aRetiredVerifyOnlyKeyIsRefusedAtItsRetireAfter() throws Exception {
    GrantBroker signer = replica(SigningKeys.builder().active(k1.toJSONString()).build());
    Grant g = signer.request(Fixtures.request());
    Instant retireAfter = clock.instant().plus(Duration.ofMinutes(2));
    GrantBroker next = replica(SigningKeys.builder().active(k2.toJSONString()).verifyOnly(k1.toJSONString(), retireAfter).build());
    clock.advanceTo(retireAfter.minusNanos(1));
    assertThat(next.verifier().verify(g.token(), RESOURCE).isVerified()).isTrue();
    clock.advanceTo(retireAfter);
    Verification v = next.verifier().verify(g.token(), RESOURCE);
    assertThat(((Verification.Rejected) v).reason()).isEqualTo(RejectionReason.UNKNOWN_KEY);
    signer.close();
    next.close();
  }

  @Test
  void aJwkSetFileWithOneActiveKidWorks() throws Exception {
    String file = new JWKSet(List.of(k1, k2.toPublicJWK())).toString(false);
    SigningKeys keys = SigningKeys.fromJwkSet(file, "k1");
    assertThat(keys.activeKid()).isEqualTo("k1");
    assertThat(keys.verifyOnlyKids()).containsExactly("k2");
    try (GrantBroker b = replica(keys)) {
      assertThat(kid(b.request(Fixtures.request()))).isEqualTo("k1");
      assertThat(kids(b.publicJwks())).containsExactly("k1", "k2");
      assertThat(JWKSet.parse(b.publicJwks()).getKeys()).noneMatch(JWK::isPrivate);
    }
  }

  @Test
  void sharedKeysCannotBeRotatedByOneReplica() {
    try (GrantBroker b = replica(SigningKeys.builder().active(k1.toJSONString()).build())) {
      assertThatThrownBy(b::rotateKeys).isInstanceOf(IllegalStateException.class).hasMessageContaining("shared");
    }
  }

  @Test
  void theSingleSigningKeyOptionStillWorks() throws Exception {
    try (GrantBroker b = replica().signingKey(k1.toJSONString()).build()) {
      assertThat(kid(b.request(Fixtures.request()))).isEqualTo("k1");
    }
  }

  @Test
  void theBuilderRefusesAMissingRepeatedOrNullKey() throws Exception {
    assertThatThrownBy(() -> SigningKeys.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessage("active is required");
    assertThatThrownBy(() -> SigningKeys.builder().active(k1.toPublicJWK().toJSONString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("private");
    assertThatThrownBy(() -> SigningKeys.builder().active(k1.toJSONString()).active(k2.toJSONString()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set");
    assertThatThrownBy(() -> SigningKeys.builder().active(k1.toJSONString()).verifyOnly(k1.toPublicJWK().toJSONString()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k1").hasMessageContaining("twice");
    assertThatThrownBy(() -> SigningKeys.builder().active(null))
        .isInstanceOf(NullPointerException.class).hasMessage("active");
    assertThatThrownBy(() -> SigningKeys.builder().verifyOnly(k1.toJSONString(), null))
        .isInstanceOf(NullPointerException.class).hasMessage("retireAfter");
  }

  @Test
  void badKeysAreRefusedWithoutEchoingKeyMaterial() throws Exception {
    String secret = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"d\":\"SECRET-MATERIAL\"}";
    assertThatThrownBy(() -> SigningKeys.builder().active(secret))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET-MATERIAL"));
    assertThatThrownBy(() -> SigningKeys.builder().active(k1.toJSONString()).verifyOnly("-----BEGIN PUBLIC KEY-----SECRET"))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET"));
    assertThatThrownBy(() -> SigningKeys.fromJwkSet("{\"keys\":[" + secret + "", "k1"))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET-MATERIAL"));
    assertThatThrownBy(() -> SigningKeys.fromJwkSet(new JWKSet(k1).toString(false), "k9"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k9");
  }

  @Test
  void toStringNamesKidsButNeverPrivateMaterial() throws Exception {
    SigningKeys ok = SigningKeys.builder().active(k1.toJSONString()).verifyOnly(k2.toJSONString()).build();
    assertThat(ok.toString()).contains("k1", "k2").doesNotContain(k1.getD().toString(), k2.getD().toString());
  }

  @Test
  void aKeyOfTheWrongAlgorithmForTheBrokerIsRefusedAtBuild() throws Exception {
    String rsa = new RSAKeyGenerator(2048).keyID("r1").generate().toPublicJWK().toJSONString();
    SigningKeys mixed = SigningKeys.builder().active(k1.toJSONString()).verifyOnly(rsa).build();
    assertThatThrownBy(() -> replica(mixed))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("r1").hasMessageContaining("does not fit");
    SigningKeys ec = SigningKeys.builder().active(k1.toJSONString()).build();
    assertThatThrownBy(() -> replica().algorithm(SigningAlgorithm.RS256).signingKeys(ec).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
    ECKey p384 = new ECKeyGenerator(Curve.P_384).keyID("p384").generate();
    SigningKeys wrongCurve = SigningKeys.builder().active(k1.toJSONString()).verifyOnly(p384.toPublicJWK().toJSONString()).build();
    assertThatThrownBy(() -> replica(wrongCurve))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("p384");
  }

  @Test
  void theBuilderRefusesContradictoryKeyOptions() {
    SigningKeys keys = SigningKeys.builder().active(k1.toJSONString()).build();
    assertThatThrownBy(() -> replica().signingKeys(keys).signingKey(k2.toJSONString()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("signingKeys");
    assertThatThrownBy(() -> replica().signingKeys(keys).keyRotation(Duration.ofHours(1)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("keyRotation");
    assertThatThrownBy(() -> replica().signingKeys(keys).signingKeys(keys))
        .isInstanceOf(IllegalStateException.class).hasMessage("signingKeys was already set");
    assertThatThrownBy(() -> replica().signingKeys(null))
        .isInstanceOf(NullPointerException.class).hasMessage("signingKeys");
  }
}
