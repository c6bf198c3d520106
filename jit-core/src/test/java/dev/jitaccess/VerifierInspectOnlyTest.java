package dev.jitaccess;

import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.jitaccess.internal.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link VerificationRequest.Builder#inspectOnly()}: every check runs, no state changes. */
class VerifierInspectOnlyTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  GrantBroker broker;

  @BeforeEach
  void setUp() {
    broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(ctx -> new Decision.Allow(GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10))
            .withSingleUse("t-single".equals(ctx.request().taskId())), java.util.List.of("r"), java.util.List.of("r"), "v1"))
        .clock(clock).scheduler(clock).auditSink(e -> {}).build();
  }

  @AfterEach
  void tearDown() {
    broker.close();
  }

  private static VerificationRequest inspect() {
    return VerificationRequest.builder("postgres://orders").inspectOnly().build();
  }

  @Test
  void inspectingASingleUseGrantDoesNotConsumeIt() {
    Grant g = broker.request(Fixtures.request(Fixtures.DEPLOYER).taskId("t-single").ttl(Duration.ofMinutes(5)).build());
    assertThat(broker.verifier().verify(g.token(), inspect()).isVerified()).isTrue();
    assertThat(broker.verifier().verify(g.token(), inspect()).isVerified()).isTrue();
    assertThat(broker.verifier().verify(g.token(), "postgres://orders").isVerified()).as("its one use").isTrue();
    Verification after = broker.verifier().verify(g.token(), inspect());
    assertThat(((Verification.Rejected) after).reason()).isEqualTo(Verification.RejectionReason.REPLAYED);
  }

  @Test
  void inspectingStillRefusesARevokedGrant() {
    Grant g = broker.request(Fixtures.request());
    broker.revoke(g.id());
    Verification v = broker.verifier().verify(g.token(), inspect());
    assertThat(((Verification.Rejected) v).reason()).isEqualTo(Verification.RejectionReason.REVOKED);
  }

  @Test
  void inspectingABoundTokenWithoutAProofReadsItButAWrongProofIsRefused() throws Exception {
    ECKey holder = new ECKeyGenerator(Curve.P_256).generate();
    Grant g = broker.request(Fixtures.request(Fixtures.DEPLOYER).taskId("t-2").ttl(Duration.ofMinutes(5))
        .dpopKey(holder.toPublicJWK().toJSONString()).build());
    assertThat(broker.verifier().verify(g.token(), inspect()).isVerified()).isTrue();
    assertThat(broker.verifier().verify(g.token(), "postgres://orders").isVerified()).as("not inspecting").isFalse();
    Verification wrong = broker.verifier().verify(g.token(), VerificationRequest.builder("postgres://orders")
        .inspectOnly().dpop("not.a.proof", "GET", "https://api.example.org/x").build());
    assertThat(((Verification.Rejected) wrong).reason()).isEqualTo(Verification.RejectionReason.PROOF_OF_POSSESSION);
  }

  @Test
  void inspectOnlyIsSetOnce() {
    VerificationRequest.Builder b = VerificationRequest.builder("postgres://orders").inspectOnly();
    assertThatThrownBy(b::inspectOnly).isInstanceOf(IllegalStateException.class).hasMessageContaining("inspectOnly");
    assertThat(b.build().inspectOnly()).isTrue();
    assertThat(b.build().toString()).contains("inspectOnly");
    assertThat(VerificationRequest.builder("postgres://orders").build().inspectOnly()).isFalse();
  }
}
