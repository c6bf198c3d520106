package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.jitaccess.Verification.RejectionReason;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.internal.SignatureSpellings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attack tests of the grant verifier's signature spellings (review 7): an ES256 signature has a second valid
 * spelling ({@code n - s}, ECDSA malleability) that neither Nimbus nor the JDK refuses, and an invalid DER
 * spelling. The verified-token cache is keyed by the token's exact text, so the two valid spellings are two
 * entries; these tests prove that neither spelling outlives the grant: revocation and single use are the
 * grant's, whichever spelling is presented first, on a cache hit as on a miss.
 */
class GrantTokenSpellingAttackTest {
  static final String AUD = "postgres://orders";

  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  GrantBroker broker;
  GrantVerifier verifier;

  @BeforeEach
  void setUp() throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(ctx -> new Decision.Allow(
            GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10))
                .withSingleUse(ctx.request().taskId().startsWith("once")),
            List.of("allow-all"), List.of("test"), "v1"))
        .clock(clock).scheduler(clock).auditSink(e -> {}).signingKey(key.toJSONString()).build();
    verifier = broker.verifier();
  }

  @AfterEach
  void tearDown() {
    broker.close();
  }

  Grant grant(String task) {
    return broker.request(Fixtures.request(DEPLOYER).taskId(task).ttl(Duration.ofMinutes(5)).build());
  }

  static RejectionReason reason(Verification v) {
    assertThat(v).isInstanceOf(Verification.Rejected.class);
    return ((Verification.Rejected) v).reason();
  }

  /** The malleated spelling either is refused for its signature or is the very same grant. */
  static void sameGrantOrBadSignature(Verification v, Grant g) {
    if (v instanceof Verification.Verified verified) {
      assertThat(verified.grant().grantId()).isEqualTo(g.id());
      assertThat(verified.grant().expiresAt()).isEqualTo(g.info().expiresAt());
    } else {
      assertThat(reason(v)).isEqualTo(RejectionReason.BAD_SIGNATURE);
    }
  }

  @Test
  void aMalleatedEs256SignatureIsRevokedWithItsGrantOnAHitAndAMiss() {
    Grant g = grant("t1");
    String flipped = SignatureSpellings.highLowSFlipped(g.token());
    assertThat(flipped).isNotEqualTo(g.token());
    assertThat(verifier.verify(g.token(), AUD).isVerified()).isTrue();
    assertThat(verifier.verify(g.token(), AUD).isVerified()).isTrue(); // a hit
    sameGrantOrBadSignature(verifier.verify(flipped, AUD), g); // a miss that may fill a second entry
    sameGrantOrBadSignature(verifier.verify(flipped, AUD), g);
    assertThat(broker.revoke(g.id())).isTrue();
    assertThat(reason(verifier.verify(g.token(), AUD))).isEqualTo(RejectionReason.REVOKED);
    assertThat(reason(verifier.verify(flipped, AUD))).isIn(RejectionReason.REVOKED, RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void aMalleatedEs256SignatureCannotSpendASingleUseGrantTwice() {
    Grant first = grant("once-1");
    assertThat(first.info().singleUse()).isTrue();
    String flipped = SignatureSpellings.highLowSFlipped(first.token());
    assertThat(verifier.verify(first.token(), AUD).isVerified()).isTrue();
    assertThat(reason(verifier.verify(flipped, AUD))).isIn(RejectionReason.REPLAYED, RejectionReason.BAD_SIGNATURE);
    // the other order: the malleated spelling spends the use, the minted one is then a replay (a cache hit
    // after the inspection below fills the cache)
    Grant second = grant("once-2");
    String flippedSecond = SignatureSpellings.highLowSFlipped(second.token());
    assertThat(verifier.verify(second.token(), VerificationRequest.builder(AUD).inspectOnly().build()).isVerified())
        .isTrue();
    Verification spent = verifier.verify(flippedSecond, AUD);
    if (spent.isVerified()) {
      assertThat(reason(verifier.verify(second.token(), AUD))).isEqualTo(RejectionReason.REPLAYED);
    } else {
      assertThat(reason(spent)).isEqualTo(RejectionReason.BAD_SIGNATURE);
    }
  }

  @Test
  void aDerEncodedEs256SignatureIsRefusedWhileTheRawSpellingIsCached() throws Exception {
    Grant g = grant("t1");
    assertThat(verifier.verify(g.token(), AUD).isVerified()).isTrue();
    String der = SignatureSpellings.derEncoded(g.token());
    assertThat(reason(verifier.verify(der, AUD))).isEqualTo(RejectionReason.BAD_SIGNATURE);
    assertThat(reason(verifier.verify(der, AUD))).isEqualTo(RejectionReason.BAD_SIGNATURE);
    assertThat(verifier.verify(g.token(), AUD).isVerified()).isTrue();
  }
}
