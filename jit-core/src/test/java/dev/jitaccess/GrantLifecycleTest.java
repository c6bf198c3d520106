package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Fixtures.FakeIdentities;
import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.Fixtures.RecordingListener;
import dev.jitaccess.Verification.RejectionReason;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.spi.PolicyEvaluator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GrantLifecycleTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final FakeIdentities identities = new FakeIdentities();
  final RecordingAudit audit = new RecordingAudit();
  final RecordingListener listener = new RecordingListener();
  GrantBroker broker = newBroker(GrantBroker.builder());

  GrantBroker newBroker(GrantBroker.Builder b) {
    return newBroker(b, Fixtures.allowAll(Duration.ofMinutes(10)));
  }

  /** This test's broker from {@code b}: its identities, clock (also the scheduler), audit and listener. */
  GrantBroker newBroker(GrantBroker.Builder b, PolicyEvaluator policy) {
    return b.issuer(ISSUER)
        .identityVerifier(identities)
        .policy(policy)
        .clock(clock)
        .scheduler(clock)
        .auditSink(audit)
        .listener(listener)
        .build();
  }

  /** Allows every request by {@code rule}, with {@code terms} applied to the request's actions. */
  static PolicyEvaluator allowing(String rule, Duration maxTtl, UnaryOperator<GrantTerms> terms) {
    return ctx -> new Decision.Allow(terms.apply(GrantTerms.of(ctx.request().actions(), maxTtl)), List.of(rule), List.of(), "");
  }

  /** Allows 30 minutes, ending a grant that has not heart-beaten for two (rule "backup"). */
  static PolicyEvaluator idleAfterTwoMinutes() {
    return allowing("backup", Duration.ofMinutes(30), t -> t.withIdleTimeout(Duration.ofMinutes(2)));
  }

  /** Closes the test's broker and puts {@code replacement} in its place. */
  void replaceBroker(GrantBroker replacement) {
    broker.close();
    broker = replacement;
  }

  @AfterEach
  void close() {
    broker.close();
  }

  Verification verify(String token) {
    return broker.verifier().verify(token, "postgres://orders");
  }

  static RejectionReason reason(Verification v) {
    assertThat(v).isInstanceOf(Verification.Rejected.class);
    return ((Verification.Rejected) v).reason();
  }

  @Test
  void issuedTokenVerifiesWithPlainNimbusAgainstPublishedJwks() throws Exception {
    Grant grant = broker.request(Fixtures.request());
    SignedJWT jwt = SignedJWT.parse(grant.token());
    JWKSet jwks = JWKSet.parse(broker.publicJwks());
    ECKey key = (ECKey) jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
    assertThat(key.isPrivate()).isFalse();
    assertThat(jwt.verify(new ECDSAVerifier(key))).isTrue();
    assertThat(jwt.getHeader().getType().toString()).isEqualTo("at+jwt");
    JWTClaimsSet c = jwt.getJWTClaimsSet();
    assertThat(c.getIssuer()).isEqualTo(ISSUER);
    assertThat(c.getSubject()).isEqualTo(DEPLOYER);
    assertThat(c.getAudience()).containsExactly("postgres://orders");
    assertThat(c.getJWTID()).isEqualTo(grant.id());
    assertThat(c.getStringClaim("scope")).isEqualTo("read write");
    assertThat(c.getStringClaim("client_id")).isEqualTo(DEPLOYER);
    assertThat(c.getStringClaim("txn")).isEqualTo("deploy-42");
    Map<String, Object> tctx = c.getJSONObjectClaim("tctx");
    assertThat(tctx).containsEntry("purpose", "deploy").containsEntry("env", "prod").containsEntry("owner", "team-payments");
    assertThat(c.getExpirationTime().toInstant()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
    assertThat(c.getIssueTime().toInstant()).isEqualTo(clock.instant());
  }

  @Test
  void rs256TokensVerifyWithPlainNimbus() throws Exception {
    replaceBroker(newBroker(GrantBroker.builder().algorithm(SigningAlgorithm.RS256)));
    Grant grant = broker.request(Fixtures.request());
    SignedJWT jwt = SignedJWT.parse(grant.token());
    RSAKey key = (RSAKey) JWKSet.parse(broker.publicJwks()).getKeyByKeyId(jwt.getHeader().getKeyID());
    assertThat(jwt.verify(new RSASSAVerifier(key))).isTrue();
    assertThat(verify(grant.token()).isVerified()).isTrue();
  }

  @Test
  void eddsaTokensVerifyWithThePublishedKey() throws Exception {
    replaceBroker(newBroker(GrantBroker.builder().algorithm(SigningAlgorithm.EDDSA)));
    Grant grant = broker.request(Fixtures.request());
    assertThat(JWSObject.parse(grant.token()).getHeader().getAlgorithm().getName()).isEqualTo("EdDSA");
    assertThat(verify(grant.token()).isVerified()).isTrue();
    // a stand-alone verifier built only from the published JWK Set agrees
    GrantVerifier remote = GrantVerifier.builder().issuer(ISSUER).jwks(broker.publicJwks()).clock(clock).build();
    assertThat(remote.verify(grant.token(), "postgres://orders").isVerified()).isTrue();
  }

  @Test
  void verifiedClaimsDescribeTheGrant() {
    Grant grant = broker.request(Fixtures.request());
    Verification v = verify(grant.token());
    assertThat(v).isInstanceOf(Verification.Verified.class);
    GrantInfo info = ((Verification.Verified) v).grant();
    assertThat(info).isEqualTo(grant.info());
    assertThat(info.ruleIds()).containsExactly("allow-all");
  }

  @Test
  void closeRevokesWithReasonCompletedAndTheVerifierRejectsAtOnce() {
    Grant grant;
    try (Grant g = broker.request(Fixtures.request())) {
      grant = g;
      assertThat(verify(g.token()).isVerified()).isTrue();
    }
    assertThat(reason(verify(grant.token()))).isEqualTo(RejectionReason.REVOKED);
    assertThat(grant.isLive()).isFalse();
    assertThat(listener.calls).containsExactly("issued:" + grant.id(), "revoked-COMPLETED:" + grant.id());
    grant.close(); // idempotent
    assertThat(broker.revoke(grant.id())).isFalse();
    assertThat(listener.count("revoked")).isEqualTo(1);
    assertThat(audit.of(AuditEventType.REVOKED)).hasSize(1);
  }

  @Test
  void revokeTaskEndsEveryGrantOfTheTaskOnly() {
    Grant a = broker.request(Fixtures.request());
    Grant b = broker.request(Fixtures.request());
    Grant other = broker.request(Fixtures.request(DEPLOYER).ttl(Duration.ofMinutes(5)).taskId("other").build());
    assertThat(broker.revokeTask("deploy-42")).isEqualTo(2);
    assertThat(broker.revokeTask("deploy-42")).isZero();
    assertThat(reason(verify(a.token()))).isEqualTo(RejectionReason.REVOKED);
    assertThat(reason(verify(b.token()))).isEqualTo(RejectionReason.REVOKED);
    assertThat(verify(other.token()).isVerified()).isTrue();
    assertThat(listener.count("revoked-TASK")).isEqualTo(2);
  }

  @Test
  void revokeIdentityEndsEveryGrantOfTheIdentity() {
    Grant a = broker.request(Fixtures.request());
    Grant b = broker.request(Fixtures.request(DEPLOYER).ttl(Duration.ofMinutes(5)).taskId("t2").build());
    Grant other = broker.request(Fixtures.request("spiffe://example.org/backup").taskId("deploy-42").ttl(Duration.ofMinutes(5)).build());
    assertThat(broker.revokeIdentity(DEPLOYER)).isEqualTo(2);
    assertThat(reason(verify(a.token()))).isEqualTo(RejectionReason.REVOKED);
    assertThat(reason(verify(b.token()))).isEqualTo(RejectionReason.REVOKED);
    assertThat(verify(other.token()).isVerified()).isTrue();
  }

  @Test
  void tokenVerifiesOneNanosecondBeforeExpiryAndNotAtExpiry() {
    replaceBroker(newBroker(GrantBroker.builder().clockSkew(Duration.ZERO)));
    Grant grant = broker.request(Fixtures.request());
    Instant exp = grant.expiresAt();
    clock.advanceTo(exp.minusNanos(1));
    assertThat(verify(grant.token()).isVerified()).isTrue();
    assertThat(listener.count("expired")).isZero();
    clock.advanceTo(exp);
    assertThat(reason(verify(grant.token()))).isEqualTo(RejectionReason.EXPIRED);
  }

  @Test
  void expiryCallbackFiresExactlyOnceAtExpiry() {
    Grant grant = broker.request(Fixtures.request());
    clock.advanceTo(grant.expiresAt().minusNanos(1));
    assertThat(listener.count("expired")).isZero();
    clock.advanceTo(grant.expiresAt());
    assertThat(listener.calls).containsExactly(
        "issued:" + grant.id(), "expiring:" + grant.id(), "expired:" + grant.id());
    clock.advance(Duration.ofHours(2));
    assertThat(listener.count("expired")).isEqualTo(1);
    assertThat(broker.revoke(grant.id())).isFalse();
    assertThat(listener.count("revoked")).isZero();
    assertThat(audit.of(AuditEventType.EXPIRED)).hasSize(1);
  }

  @Test
  void expiringFiresAtTheConfiguredFractionOfTheTtl() {
    Grant grant = broker.request(Fixtures.request()); // 5 minutes, default fraction 0.8 -> 4 minutes
    clock.advance(Duration.ofMinutes(4).minusNanos(1));
    assertThat(listener.count("expiring")).isZero();
    clock.advance(Duration.ofNanos(1));
    assertThat(listener.calls).containsExactly("issued:" + grant.id(), "expiring:" + grant.id());
  }

  @Test
  void perRequestListenerGetsOnlyItsOwnGrant() {
    RecordingListener own = new RecordingListener();
    Grant mine = broker.request(Fixtures.request(DEPLOYER).taskId("deploy-42").ttl(Duration.ofMinutes(5)).listener(own).build());
    Grant other = broker.request(Fixtures.request());
    other.close();
    mine.close();
    assertThat(own.calls).containsExactly("issued:" + mine.id(), "revoked-COMPLETED:" + mine.id());
  }

  @Test
  void singleUseGrantVerifiesOnce() {
    replaceBroker(newBroker(GrantBroker.builder(), allowing("one-shot", Duration.ofMinutes(5), t -> t.withSingleUse(true))));
    Grant grant = broker.request(Fixtures.request());
    assertThat(verify(grant.token()).isVerified()).isTrue();
    assertThat(reason(verify(grant.token()))).isEqualTo(RejectionReason.REPLAYED);
    assertThat(audit.of(AuditEventType.REPLAY_BLOCKED)).hasSize(1);
  }

  @Test
  void heartbeatExtendsTheIdleDeadlineButNeverPastTheHardExpiry() {
    replaceBroker(newBroker(GrantBroker.builder(), idleAfterTwoMinutes()));
    Grant grant = broker.request(Fixtures.request(DEPLOYER).taskId("deploy-42").ttl(Duration.ofMinutes(5)).build());
    Instant hardExpiry = grant.expiresAt();
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofMinutes(1).plusSeconds(30));
      assertThat(grant.renew()).isTrue();
      assertThat(verify(grant.token()).isVerified()).isTrue();
    }
    clock.advance(Duration.ofMinutes(1).plusSeconds(30));
    // 6 minutes in: past the 5-minute hard expiry although it kept heart-beating
    assertThat(clock.instant()).isAfter(hardExpiry);
    assertThat(grant.isLive()).isFalse();
    assertThat(grant.renew()).isFalse();
    assertThat(listener.count("expired")).isEqualTo(1);
    assertThat(reason(verify(grant.token()))).isEqualTo(RejectionReason.EXPIRED);
  }

  @Test
  void aJobThatStopsHeartBeatingLosesAccessEarly() {
    replaceBroker(newBroker(GrantBroker.builder(), idleAfterTwoMinutes()));
    Grant grant = broker.request(Fixtures.request(DEPLOYER).taskId("deploy-42").ttl(Duration.ofMinutes(30)).build());
    clock.advance(Duration.ofMinutes(1));
    assertThat(grant.renew()).isTrue();
    clock.advance(Duration.ofMinutes(2).minusNanos(1));
    assertThat(verify(grant.token()).isVerified()).isTrue();
    clock.advance(Duration.ofNanos(1));
    assertThat(listener.count("expired")).isEqualTo(1);
    assertThat(reason(verify(grant.token()))).isEqualTo(RejectionReason.EXPIRED);
    assertThat(audit.of(AuditEventType.EXPIRED).get(0).field("reason")).contains("idle");
  }

  @Test
  void ttlIsTheMinimumOfRequestPolicyAndCeiling() {
    replaceBroker(newBroker(GrantBroker.builder().maxTtl(Duration.ofMinutes(3))));
    Grant grant = broker.request(Fixtures.request()); // requested 5, policy 10, ceiling 3
    assertThat(Duration.between(grant.info().issuedAt(), grant.expiresAt())).isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void throwingListenerChangesNothing() {
    AtomicInteger calls = new AtomicInteger();
    GrantListener bomb = new GrantListener() {
      @Override
      public void onIssued(GrantInfo grant) {
        calls.incrementAndGet();
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void onRevoked(GrantInfo grant, RevocationReason reason) {
        calls.incrementAndGet();
        throw new IllegalStateException("listener bug");
      }
    };
    replaceBroker(newBroker(GrantBroker.builder().listener(bomb)));
    Grant grant = broker.request(Fixtures.request());
    assertThat(verify(grant.token()).isVerified()).isTrue();
    assertThat(listener.count("issued")).isEqualTo(1);
    assertThat(broker.revoke(grant.id())).isTrue();
    assertThat(listener.count("revoked")).isEqualTo(1);
    assertThat(calls.get()).isEqualTo(2);
  }

  @Test
  void renewingGrantIsReMintedBeforeItsTokenExpiresAndAudited() {
    AtomicInteger allowed = new AtomicInteger(1);
    PolicyEvaluator renewable = allowing("health-check", Duration.ofMinutes(10), t -> t.withRenewable(true));
    replaceBroker(newBroker(GrantBroker.builder(),
        ctx -> allowed.get() > 0 ? renewable.evaluate(ctx) : Decision.deny("no longer allowed")));
    Grant grant = broker.request(Fixtures.request(DEPLOYER).taskId("deploy-42").renewing(true).ttl(Duration.ofMinutes(10)).build());
    String first = grant.token();
    clock.advance(Duration.ofMinutes(5));
    String second = grant.token();
    assertThat(second).isNotEqualTo(first);
    assertThat(grant.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
    clock.advance(Duration.ofMinutes(9)); // past the first token's expiry
    assertThat(reason(verify(first))).isEqualTo(RejectionReason.EXPIRED);
    assertThat(verify(grant.token()).isVerified()).isTrue();
    assertThat(audit.of(AuditEventType.REMINTED)).hasSizeGreaterThanOrEqualTo(2);
    allowed.set(0);
    clock.advance(Duration.ofMinutes(5));
    assertThat(grant.isLive()).isFalse();
    assertThat(listener.count("revoked-POLICY")).isEqualTo(1);
    assertThat(reason(verify(grant.token()))).isEqualTo(RejectionReason.REVOKED);
  }

  @Test
  void renewingGrantNeedsAPolicyThatAllowsIt() {
    assertThatThrownBy(() -> broker.request(Fixtures.request(DEPLOYER).taskId("deploy-42").ttl(Duration.ofMinutes(5)).renewing(true).build()))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("renewing");
  }

  @Test
  void runWithGrantRevokesWithFailedWhenTheTaskThrows() {
    String[] id = new String[1];
    assertThatThrownBy(() -> broker.runWithGrant(Fixtures.request(), g -> {
      id[0] = g.id();
      throw new java.io.IOException("disk full");
    })).isInstanceOf(JitException.class).hasCauseInstanceOf(java.io.IOException.class);
    assertThat(listener.calls).contains("revoked-FAILED:" + id[0]);
    String result = broker.runWithGrant(Fixtures.request(), g -> {
      id[0] = g.id();
      return "ok";
    });
    assertThat(result).isEqualTo("ok");
    assertThat(listener.calls).contains("revoked-COMPLETED:" + id[0]);
  }

  @Test
  void keyRotationKeepsOldTokensVerifiableUntilTheyExpire() throws Exception {
    Grant before = broker.request(Fixtures.request());
    String oldKid = SignedJWT.parse(before.token()).getHeader().getKeyID();
    broker.rotateKeys();
    Grant after = broker.request(Fixtures.request());
    String newKid = SignedJWT.parse(after.token()).getHeader().getKeyID();
    assertThat(newKid).isNotEqualTo(oldKid);
    assertThat(JWKSet.parse(broker.publicJwks()).getKeys()).extracting(k -> k.getKeyID()).contains(oldKid, newKid);
    assertThat(verify(before.token()).isVerified()).isTrue();
    // retention = broker maxTtl (1h) + skew (30s)
    clock.advance(Duration.ofHours(1).plusSeconds(30));
    assertThat(JWKSet.parse(broker.publicJwks()).getKeys()).extracting(k -> k.getKeyID()).containsExactly(newKid);
  }

  @Test
  void scheduledRotationRotatesAtTheInterval() throws Exception {
    replaceBroker(newBroker(GrantBroker.builder().keyRotation(Duration.ofHours(6))));
    String kid = SignedJWT.parse(broker.request(Fixtures.request()).token()).getHeader().getKeyID();
    clock.advance(Duration.ofHours(6));
    String kid2 = SignedJWT.parse(broker.request(Fixtures.request(DEPLOYER).ttl(Duration.ofMinutes(5)).taskId("t2").build()).token()).getHeader().getKeyID();
    assertThat(kid2).isNotEqualTo(kid);
  }

  @Test
  void findReturnsThePublicFactsOnly() {
    Grant grant = broker.request(Fixtures.request());
    assertThat(broker.find(grant.id())).contains(grant.info());
    assertThat(broker.find("nope")).isEqualTo(Optional.empty());
  }

  @Test
  void closedBrokerRefusesNewRequests() {
    broker.close();
    assertThatThrownBy(() -> broker.request(Fixtures.request())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aTimerRunningLatePastTheStoresRetentionStillReportsTheExpiryOnce() {
    broker.close();
    java.util.List<Runnable> paused = new java.util.concurrent.CopyOnWriteArrayList<>();
    dev.jitaccess.spi.Scheduler stalled = (task, at) -> {
      paused.add(task);
      return () -> paused.remove(task);
    };
    dev.jitaccess.spi.GrantStore store = dev.jitaccess.spi.GrantStore.inMemory(clock, clock, Duration.ofSeconds(30));
    broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(identities)
        .policy(Fixtures.allowAll(Duration.ofMinutes(10))).clock(clock).scheduler(stalled).store(store)
        .auditSink(audit).listener(listener).build();
    Grant grant = broker.request(Fixtures.request());
    clock.advanceTo(grant.expiresAt().plus(Duration.ofMinutes(5))); // the store has dropped the record
    assertThat(store.find(grant.id())).isEmpty();
    for (Runnable r : List.copyOf(paused)) {
      r.run(); // the broker's timer finally runs
    }
    assertThat(listener.count("expired")).isEqualTo(1);
    assertThat(audit.of(AuditEventType.EXPIRED)).hasSize(1);
    for (Runnable r : List.copyOf(paused)) {
      r.run();
    }
    assertThat(listener.count("expired")).isEqualTo(1);
  }

  @Test
  void aTaskWithNoResultMayReturnNull() {
    String[] id = new String[1];
    Void nothing = broker.runWithGrant(Fixtures.request(), g -> {
      id[0] = g.id();
      return null;
    });
    assertThat(nothing).isNull();
    assertThat(listener.calls).contains("revoked-COMPLETED:" + id[0]);
  }

  @Test
  void remintKeepsTheBreakGlassCapOfFirstIssue() {
    BreakGlassPolicy policy = new BreakGlassPolicy();
    try (GrantBroker broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new FakeIdentities())
        .policy(policy::evaluate).clock(clock).scheduler(clock).auditSink(audit)
        .breakGlassTtl(Duration.ofMinutes(4)).build()) {
      Grant grant = broker.request(Fixtures.request(DEPLOYER).taskId("t1").renewing(true)
          .ttl(Duration.ofMinutes(30)).build());
      assertThat(grant.info().breakGlass()).isTrue();
      assertThat(Duration.between(clock.instant(), grant.expiresAt())).isEqualTo(Duration.ofMinutes(4));
      clock.advance(Duration.ofMinutes(3)); // past the re-mint point (half the lifetime)
      assertThat(audit.of(AuditEventType.REMINTED)).isNotEmpty();
      // re-mint applies the same TTL rule as first issue, break-glass cap included
      assertThat(grant.expiresAt()).isBeforeOrEqualTo(clock.instant().plus(Duration.ofMinutes(4)));
    }
  }

  /** A policy that grants renewing break-glass terms. */
  static final class BreakGlassPolicy {
    Decision evaluate(dev.jitaccess.spi.PolicyContext ctx) {
      GrantTerms terms = new GrantTerms(ctx.request().actions(), Duration.ofHours(1), null, false, true,
          true, 0);
      return new Decision.Allow(terms, List.of("standing-break-glass"), List.of(), "v1");
    }
  }

  @Test
  void aThrowingListenerChangesNoOutcome() {
    GrantListener throwing = new GrantListener() {
      @Override
      public void onIssued(GrantInfo grant) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void onRevoked(GrantInfo grant, RevocationReason reason) {
        throw new IllegalStateException("listener bug");
      }
    };
    try (GrantBroker broker = Fixtures.minimalBroker(audit).clock(clock).scheduler(clock).listener(throwing)
        .listener(listener).build()) {
      Grant grant = broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5)).build());
      assertThat(grant.isLive()).isTrue();
      assertThat(broker.revoke(grant.id())).isTrue();
      assertThat(listener.calls).contains("issued:" + grant.id(), "revoked-EXPLICIT:" + grant.id());
      assertThat(audit.types()).contains(AuditEventType.ISSUED, AuditEventType.REVOKED);
    }
  }

  @Test
  void isLiveAnswersThroughThePublicContractForLiveEndedAndUnknownGrants() {
    try (GrantBroker broker = Fixtures.minimalBroker(audit).clock(clock).scheduler(clock).build()) {
      Grant grant = broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5)).build());
      assertThat(broker.isLive(grant.id())).isTrue();
      assertThat(broker.isLive("no-such-grant")).isFalse();
      grant.close();
      assertThat(broker.isLive(grant.id())).isFalse();
    }
  }
}
