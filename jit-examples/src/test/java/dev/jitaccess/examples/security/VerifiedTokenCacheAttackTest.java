package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.Verification;
import dev.jitaccess.Verification.RejectionReason;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.RecordingAuditSink;
import dev.jitaccess.testkit.TestTrustDomain;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the verified-token cache (issue 17): every token is first presented well, so that the next
 * presentation is a cache hit, and then presented in the attack. A hit must refuse what a miss refuses:
 * revoked, expired, single use consumed, wrong audience, wrong task, a missing or replayed DPoP proof, the
 * wrong peer certificate, a key withdrawn from the trusted set, a token differing in one byte. Each attack
 * runs against {@code broker.verifier()} and a stand-alone verifier (JWKS from a URL, reading the store), both
 * with their cache on by default, and against a cache-off verifier as the reference answer.
 */
class VerifiedTokenCacheAttackTest {
  private static final String RESOURCE = Target.RESOURCE;
  private static final String DPOP_URI = "https://db.example.org/q";

  ManualClock clock;
  TestTrustDomain td;
  GrantStore store;
  GrantBroker broker;
  /** What the JWKS URL serves to the stand-alone verifiers. */
  final AtomicReference<String> served = new AtomicReference<>();
  final AtomicInteger tasks = new AtomicInteger();

  @BeforeEach
  void start() {
    clock = ManualClock.at(Target.START);
    td = TestTrustDomain.create("example.org", clock);
    store = GrantStore.inMemory(clock, clock, Duration.ofMinutes(5));
    broker = GrantBroker.builder().issuer(Target.ISSUER)
        .identityVerifier(td.jwtSvidVerifier(Target.AUDIENCE)).identityVerifier(td.x509SvidVerifier())
        .policy(RulePolicy.of(Target.policy())).auditSink(new RecordingAuditSink()).store(store).clock(clock)
        .scheduler(clock).callbackExecutor(Runnable::run).build();
    served.set(broker.publicJwks());
  }

  @AfterEach
  void stop() {
    broker.close();
    Attacks.report();
  }

  private GrantVerifier fromUrl(boolean cache) {
    GrantVerifier.Builder b = GrantVerifier.builder().issuer(Target.ISSUER)
        .jwksUri(URI.create("https://jit.test/jwks")).jwksFetcher(uri -> served.get())
        .jwksCacheTtl(Duration.ofSeconds(10)).jwksOutageTolerance(Duration.ofMinutes(1)).store(store).clock(clock);
    if (!cache) {
      b.noVerifiedTokenCache();
    }
    return b.build();
  }

  /** The cached verifiers under attack, and the reference without cache. */
  private List<GrantVerifier> cached() {
    return List.of(broker.verifier(), fromUrl(true));
  }

  private Grant grant(String purpose) {
    return grant(purpose, b -> {});
  }

  private Grant grant(String purpose, java.util.function.Consumer<GrantRequest.Builder> more) {
    GrantRequest.Builder b = GrantRequest.builder()
        .credential(Credential.jwtSvid(td.jwtSvid(Target.WORKLOAD, Target.AUDIENCE)))
        .taskId("cache-" + tasks.incrementAndGet()).purpose(purpose).resource(RESOURCE).actions("read", "write")
        .environment("prod").ttl(Duration.ofMinutes(10));
    more.accept(b);
    return broker.request(b.build());
  }

  /**
   * Presents {@code token} well twice to {@code v} (a miss that fills the cache, then a hit), then the
   * attack, which must be refused for {@code expected}; the reference verifier without cache answers the same.
   */
  private void attack(String name, GrantVerifier v, String token, Supplier<VerificationRequest> good,
      Runnable between, Supplier<String> attackToken, Supplier<VerificationRequest> attack, RejectionReason expected) {
    Attacks.tried("GrantVerifier (cache hit)");
    assertThat(v.verify(token, good.get()).isVerified()).as(name + ": control, first presentation").isTrue();
    assertThat(v.verify(token, good.get()).isVerified()).as(name + ": control, second presentation").isTrue();
    between.run();
    Verification r = v.verify(attackToken.get(), attack.get());
    assertThat(r).as(name).isInstanceOf(Verification.Rejected.class);
    assertThat(((Verification.Rejected) r).reason()).as(name).isEqualTo(expected);
  }

  private static Supplier<VerificationRequest> plain(String audience) {
    return () -> VerificationRequest.builder(audience).build();
  }

  @Test
  void revokedOnTheVeryNextCall() {
    for (GrantVerifier v : cached()) {
      Grant g = grant("deploy");
      attack("revoked", v, g.token(), plain(RESOURCE), () -> broker.revoke(g.id()), g::token, plain(RESOURCE),
          RejectionReason.REVOKED);
      assertThat(((Verification.Rejected) fromUrl(false).verify(g.token(), RESOURCE)).reason())
          .isEqualTo(RejectionReason.REVOKED);
    }
  }

  @Test
  void expiredOnTheClock() {
    for (GrantVerifier v : cached()) {
      Grant g = grant("deploy");
      attack("expired", v, g.token(), plain(RESOURCE), () -> clock.advanceTo(g.expiresAt()), g::token,
          plain(RESOURCE), RejectionReason.EXPIRED);
      assertThat(((Verification.Rejected) fromUrl(false).verify(g.token(), RESOURCE)).reason())
          .isEqualTo(RejectionReason.EXPIRED);
    }
  }

  @Test
  void singleUseConsumedByTheFirstCall() {
    for (GrantVerifier v : cached()) {
      Grant g = grant("one-shot");
      VerificationRequest inspect = VerificationRequest.builder(RESOURCE).inspectOnly().build();
      // the controls inspect (a miss, then a hit) without spending the use; the holder spends it on a hit
      attack("single use", v, g.token(), () -> inspect, () -> assertThat(v.verify(g.token(), RESOURCE).isVerified()).isTrue(),
          g::token, plain(RESOURCE), RejectionReason.REPLAYED);
    }
  }

  @Test
  void wrongAudienceAndWrongTask() {
    for (GrantVerifier v : cached()) {
      Grant g = grant("deploy");
      attack("wrong audience", v, g.token(), plain(RESOURCE), () -> {}, g::token, plain("db://billing"),
          RejectionReason.WRONG_AUDIENCE);
      attack("wrong task", v, g.token(), plain(RESOURCE), () -> {}, g::token,
          () -> VerificationRequest.builder(RESOURCE).taskId("another-task").build(), RejectionReason.WRONG_TASK);
      attack("action out of scope", v, g.token(), plain(RESOURCE), () -> {}, g::token,
          () -> VerificationRequest.builder(RESOURCE).requiredActions("admin").build(), RejectionReason.INSUFFICIENT_SCOPE);
    }
  }

  @Test
  void missingOrReplayedDpopProof() {
    ECKey holder = GrantVerifierAttackTest.newKey();
    ECKey thief = GrantVerifierAttackTest.newKey();
    AtomicInteger jti = new AtomicInteger();
    for (GrantVerifier v : cached()) {
      Grant g = grant("deploy", b -> b.dpopKey(holder.toPublicJWK().toJSONString()));
      Supplier<VerificationRequest> fresh = () -> dpop(holder, g.token(), "j" + jti.incrementAndGet());
      attack("no DPoP proof", v, g.token(), fresh, () -> {}, g::token, plain(RESOURCE),
          RejectionReason.PROOF_OF_POSSESSION);
      VerificationRequest used = dpop(holder, g.token(), "used-" + jti.incrementAndGet());
      attack("replayed DPoP proof", v, g.token(), fresh, () -> assertThat(v.verify(g.token(), used).isVerified()).isTrue(),
          g::token, () -> used, RejectionReason.REPLAYED);
      attack("DPoP proof of another key", v, g.token(), fresh, () -> {}, g::token,
          () -> dpop(thief, g.token(), "t" + jti.incrementAndGet()), RejectionReason.PROOF_OF_POSSESSION);
    }
  }

  private VerificationRequest dpop(ECKey key, String token, String jti) {
    String proof = GrantVerifierAttackTest.dpopProof(key, "GET", DPOP_URI, token, clock.instant().getEpochSecond(), jti, "ES256");
    return VerificationRequest.builder(RESOURCE).dpop(proof, "GET", DPOP_URI).build();
  }

  @Test
  void wrongOrMissingPeerCertificate() {
    TestTrustDomain.X509Svid holder = td.x509Svid(Target.WORKLOAD);
    TestTrustDomain.X509Svid other = td.x509Svid(Target.WORKLOAD);
    for (GrantVerifier v : cached()) {
      GrantRequest r = GrantRequest.builder().credential(holder.credential()).taskId("cache-" + tasks.incrementAndGet())
          .purpose("deploy").resource(RESOURCE).actions("read").environment("prod").ttl(Duration.ofMinutes(10)).build();
      Grant g = broker.request(r);
      assertThat(g.info().certificateThumbprint()).isPresent();
      Supplier<VerificationRequest> mtls = () -> VerificationRequest.builder(RESOURCE).peerCertificate(holder.leaf()).build();
      attack("another peer certificate", v, g.token(), mtls, () -> {}, g::token,
          () -> VerificationRequest.builder(RESOURCE).peerCertificate(other.leaf()).build(), RejectionReason.PROOF_OF_POSSESSION);
      attack("no peer certificate", v, g.token(), mtls, () -> {}, g::token, plain(RESOURCE),
          RejectionReason.PROOF_OF_POSSESSION);
    }
  }

  @Test
  void keyWithdrawnFromTheTrustedSet() {
    GrantVerifier v = fromUrl(true);
    Grant g = grant("deploy");
    // the operator withdraws the broker's key (say, compromised): the JWKS URL now serves another key only
    String other = "{\"keys\":[" + GrantVerifierAttackTest.newKey().toPublicJWK().toJSONString().replace("{", "{\"kid\":\"other\",") + "]}";
    attack("key withdrawn", v, g.token(), plain(RESOURCE), () -> {
      served.set(other);
      clock.advance(Duration.ofSeconds(31)); // past the JWKS cache TTL and the 30-s fetch interval: the new set is fetched
    }, g::token, plain(RESOURCE), RejectionReason.UNKNOWN_KEY);
    assertThat(((Verification.Rejected) fromUrl(false).verify(g.token(), RESOURCE)).reason())
        .isEqualTo(RejectionReason.UNKNOWN_KEY);
  }

  @Test
  void rotatedOutKeyIsRefusedOnceRetired() {
    for (GrantVerifier v : cached()) {
      Grant g = grant("deploy");
      attack("rotated-out key", v, g.token(), plain(RESOURCE), () -> {
        broker.rotateKeys();
        served.set(broker.publicJwks());
        // past the retention of the retired key (maximum TTL plus skew)
        clock.advance(Duration.ofHours(2));
        served.set(broker.publicJwks());
      }, g::token, plain(RESOURCE), RejectionReason.UNKNOWN_KEY);
    }
  }

  @Test
  void aTokenDifferingInOneByte() {
    for (GrantVerifier v : cached()) {
      Grant g = grant("deploy");
      String t = g.token();
      int dot = t.lastIndexOf('.');
      for (int at : new int[] {dot + 1, dot + 20, t.length() - 2}) {
        String changed = t.substring(0, at) + (t.charAt(at) == 'A' ? 'B' : 'A') + t.substring(at + 1);
        attack("one byte of the signature changed at " + at, v, t, plain(RESOURCE), () -> {}, () -> changed,
            plain(RESOURCE), RejectionReason.BAD_SIGNATURE);
      }
      for (int at : new int[] {t.indexOf('.') + 30, dot - 3}) {
        String changed = t.substring(0, at) + (t.charAt(at) == 'A' ? 'B' : 'A') + t.substring(at + 1);
        Attacks.tried("GrantVerifier (cache hit)");
        Verification r = v.verify(changed, RESOURCE);
        assertThat(r.isVerified()).as("one byte of the claims changed at " + at).isFalse();
        assertThat(((Verification.Rejected) r).reason()).isIn(RejectionReason.BAD_SIGNATURE, RejectionReason.MALFORMED);
      }
      assertThat(v.verify(t, RESOURCE).isVerified()).as("the genuine token still verifies").isTrue();
    }
  }
}
