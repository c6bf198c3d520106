package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Verification.RejectionReason;
import dev.jitaccess.internal.GrantTokens;
import dev.jitaccess.internal.KeyRing;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.internal.TokenVerifier;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The verified-token cache of the grant verifier: a hit skips only the signature (counted here by a
 * counting {@link JWSVerifier}) and refuses everything a miss refuses: revocation on the very next call,
 * single use, expiry on the clock, a key that left the trusted set, a token differing in one byte, a
 * replayed DPoP proof, the wrong audience, task or actions.
 */
class VerifiedTokenCacheTest {
  static final String AUD = "postgres://orders";
  static final Duration SKEW = Duration.ofSeconds(30);

  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final Fixtures.RecordingAudit audit = new Fixtures.RecordingAudit();
  final GrantStore store = GrantStore.inMemory(clock, clock, Duration.ofMinutes(5));
  ECKey brokerKey;
  GrantBroker broker;
  /** The verifier's trusted key of kid "k1", or none. */
  final AtomicReference<Optional<KeyRing.PublicKeyEntry>> trusted = new AtomicReference<>(Optional.empty());
  final AtomicInteger signatureChecks = new AtomicInteger();
  TokenVerifier cached;
  TokenVerifier uncached;

  @BeforeEach
  void setUp() throws Exception {
    brokerKey = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(ctx -> new Decision.Allow(
            GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10))
                .withSingleUse(ctx.request().taskId().startsWith("once")),
            List.of("allow-all"), List.of("test"), "v1"))
        .clock(clock).scheduler(clock).store(store).auditSink(audit).signingKey(brokerKey.toJSONString()).build();
    trusted.set(Optional.of(counting(brokerKey)));
    cached = new TokenVerifier(ISSUER, kid -> kid.equals("k1") ? trusted.get() : Optional.empty(), clock, SKEW, store,
        audit, 16 * 1024, 100);
    uncached = new TokenVerifier(ISSUER, kid -> kid.equals("k1") ? trusted.get() : Optional.empty(), clock, SKEW,
        store, audit, 16 * 1024, 0);
  }

  @AfterEach
  void tearDown() {
    broker.close();
  }

  /** A published entry for the public part of {@code key} whose verifier counts the signatures it checks. */
  KeyRing.PublicKeyEntry counting(ECKey key) throws JOSEException {
    ECDSAVerifier real = new ECDSAVerifier(key.toPublicJWK());
    JWSVerifier counting = new JWSVerifier() {
      @Override
      public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
        signatureChecks.incrementAndGet();
        return real.verify(header, signingInput, signature);
      }

      @Override
      public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return real.supportedJWSAlgorithms();
      }

      @Override
      public JCAContext getJCAContext() {
        return real.getJCAContext();
      }
    };
    return new KeyRing.PublicKeyEntry(key.toPublicJWK(), JWSAlgorithm.ES256, counting, Instant.MAX);
  }

  Grant grant(String task) {
    return broker.request(Fixtures.request(DEPLOYER).taskId(task).ttl(Duration.ofMinutes(5)).build());
  }

  static RejectionReason reason(Verification v) {
    assertThat(v).isInstanceOf(Verification.Rejected.class);
    return ((Verification.Rejected) v).reason();
  }

  /** Verifies once (the miss that fills the cache) and once more (a hit: no further signature check). */
  void warm(String token) {
    assertThat(cached.verify(token, AUD).isVerified()).isTrue();
    int before = signatureChecks.get();
    assertThat(cached.verify(token, AUD).isVerified()).isTrue();
    assertThat(signatureChecks.get()).as("a hit checks no signature").isEqualTo(before);
  }

  @Test
  void aRepeatedTokenIsVerifiedWithoutRepeatingTheSignature() {
    String token = grant("t1").token();
    for (int i = 0; i < 5; i++) {
      assertThat(cached.verify(token, AUD).isVerified()).isTrue();
    }
    assertThat(signatureChecks.get()).isEqualTo(1);
    for (int i = 0; i < 5; i++) {
      assertThat(uncached.verify(token, AUD).isVerified()).isTrue();
    }
    assertThat(signatureChecks.get()).as("without the cache, every call checks the signature").isEqualTo(6);
  }

  /**
   * Issue 17 (two threads verifying one token): a hit must write nothing that every caller of the same token
   * shares. Of the store, a hit on a multi-use grant only reads the record ({@code find}); the single use is the
   * one write, and it stays (see {@link #singleUseIsConsumedOnAHit}).
   */
  @Test
  void aHitOnAMultiUseGrantOnlyReadsTheStore() {
    List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    GrantStore recording = (GrantStore) java.lang.reflect.Proxy.newProxyInstance(GrantStore.class.getClassLoader(),
        new Class<?>[] {GrantStore.class}, (proxy, method, args) -> {
          calls.add(method.getName());
          try {
            return method.invoke(store, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
    TokenVerifier verifier = new TokenVerifier(ISSUER, kid -> kid.equals("k1") ? trusted.get() : Optional.empty(),
        clock, SKEW, recording, audit, 16 * 1024, 100);
    Grant multi = grant("t1");
    Grant once = broker.request(Fixtures.request(DEPLOYER).taskId("once-2").ttl(Duration.ofMinutes(5)).build());
    assertThat(verifier.verify(multi.token(), AUD).isVerified()).isTrue(); // the miss that fills the cache
    int checks = signatureChecks.get();
    calls.clear();
    for (int i = 0; i < 10; i++) {
      assertThat(verifier.verify(multi.token(), AUD).isVerified()).isTrue();
    }
    assertThat(signatureChecks.get()).as("all hits").isEqualTo(checks);
    assertThat(calls).as("a hit reads the record and writes nothing").containsOnly("find").hasSize(10);

    calls.clear();
    assertThat(verifier.verify(once.token(), AUD).isVerified()).isTrue();
    assertThat(calls).as("a single-use grant is still consumed").contains("update");
  }

  @Test
  void revokedTokenIsRefusedOnTheVeryNextCallAfterAHit() {
    Grant g = grant("t1");
    warm(g.token());
    assertThat(broker.revoke(g.id())).isTrue();
    assertThat(reason(cached.verify(g.token(), AUD))).isEqualTo(RejectionReason.REVOKED);
  }

  @Test
  void revokedTaskIsRefusedOnTheVeryNextCallAfterAHit() {
    Grant g = grant("t1");
    warm(g.token());
    assertThat(broker.revokeTask("t1")).isEqualTo(1);
    assertThat(reason(cached.verify(g.token(), AUD))).isEqualTo(RejectionReason.REVOKED);
  }

  @Test
  void singleUseIsConsumedOnAHit() {
    Grant g = broker.request(Fixtures.request(DEPLOYER).taskId("once-1").ttl(Duration.ofMinutes(5)).build());
    assertThat(g.info().singleUse()).isTrue();
    VerificationRequest inspect = VerificationRequest.builder(AUD).inspectOnly().build();
    // an inspection fills the cache without spending the use
    assertThat(cached.verify(g.token(), inspect).isVerified()).isTrue();
    int checks = signatureChecks.get();
    // the holder's call is a hit, and spends it
    assertThat(cached.verify(g.token(), AUD).isVerified()).isTrue();
    assertThat(signatureChecks.get()).isEqualTo(checks);
    // the next one is a hit too, and is refused
    assertThat(reason(cached.verify(g.token(), AUD))).isEqualTo(RejectionReason.REPLAYED);
    assertThat(reason(cached.verify(g.token(), inspect))).isEqualTo(RejectionReason.REPLAYED);
    assertThat(signatureChecks.get()).isEqualTo(checks);
  }

  @Test
  void expiredEntryIsNotServed() {
    Grant g = grant("t1");
    warm(g.token());
    Instant deadline = g.info().expiresAt().plus(SKEW);
    // the grant's record expires at expiresAt (refused from then on by the store check); a verifier
    // without a store refuses at exp + skew: both on a hit exactly as on a miss
    TokenVerifier storeless = new TokenVerifier(ISSUER, kid -> trusted.get(), clock, SKEW, null, null, 16 * 1024, 100);
    assertThat(storeless.verify(g.token(), AUD).isVerified()).isTrue();
    clock.advance(Duration.between(clock.instant(), deadline).minusNanos(1));
    int checks = signatureChecks.get();
    assertThat(storeless.verify(g.token(), AUD).isVerified()).as("one nanosecond before exp + skew").isTrue();
    assertThat(reason(cached.verify(g.token(), AUD))).isEqualTo(RejectionReason.EXPIRED);
    assertThat(signatureChecks.get()).isEqualTo(checks);
    clock.advance(Duration.ofNanos(1));
    assertThat(reason(storeless.verify(g.token(), AUD))).as("exactly at exp + skew").isEqualTo(RejectionReason.EXPIRED);
    assertThat(reason(uncached.verify(g.token(), AUD))).isEqualTo(RejectionReason.EXPIRED);
  }

  @Test
  void tokenOfARemovedKeyIsRefusedAfterAHit() {
    String token = grant("t1").token();
    warm(token);
    trusted.set(Optional.empty());
    assertThat(reason(cached.verify(token, AUD))).isEqualTo(RejectionReason.UNKNOWN_KEY);
    assertThat(reason(uncached.verify(token, AUD))).isEqualTo(RejectionReason.UNKNOWN_KEY);
  }

  @Test
  void tokenOfAReplacedKeyIsRefusedAfterAHit() throws Exception {
    String token = grant("t1").token();
    warm(token);
    // the same kid now names another key: the cached check of the old key no longer counts
    trusted.set(Optional.of(counting(new ECKeyGenerator(Curve.P_256).keyID("k1").generate())));
    assertThat(reason(cached.verify(token, AUD))).isEqualTo(RejectionReason.BAD_SIGNATURE);
    // and when the old key comes back, the token verifies again (its signature is checked once more)
    trusted.set(Optional.of(counting(brokerKey)));
    int checks = signatureChecks.get();
    assertThat(cached.verify(token, AUD).isVerified()).isTrue();
    assertThat(signatureChecks.get()).isEqualTo(checks + 1);
  }

  @Test
  void aTokenDifferingInOneByteMissesTheCacheAndFailsTheSignature() {
    String token = grant("t1").token();
    warm(token);
    int sig = token.lastIndexOf('.') + 5;
    for (int at : new int[] {sig, token.length() - 2}) {
      char c = token.charAt(at);
      String other = token.substring(0, at) + (c == 'A' ? 'B' : 'A') + token.substring(at + 1);
      int checks = signatureChecks.get();
      assertThat(reason(cached.verify(other, AUD))).isEqualTo(RejectionReason.BAD_SIGNATURE);
      assertThat(signatureChecks.get()).as("a miss: the signature is checked").isEqualTo(checks + 1);
    }
    // one byte of the payload: a miss too (and the signature no longer matches)
    int payload = token.indexOf('.') + 10;
    char c = token.charAt(payload);
    String other = token.substring(0, payload) + (c == 'A' ? 'B' : 'A') + token.substring(payload + 1);
    assertThat(reason(cached.verify(other, AUD))).isIn(RejectionReason.BAD_SIGNATURE, RejectionReason.MALFORMED);
    assertThat(cached.verify(token, AUD).isVerified()).isTrue();
  }

  @Test
  void wrongAudienceTaskOrActionsOnAHitAreRefused() {
    String token = grant("t1").token();
    warm(token);
    assertThat(reason(cached.verify(token, "postgres://billing"))).isEqualTo(RejectionReason.WRONG_AUDIENCE);
    assertThat(reason(cached.verify(token, VerificationRequest.builder(AUD).taskId("t2").build())))
        .isEqualTo(RejectionReason.WRONG_TASK);
    assertThat(reason(cached.verify(token, VerificationRequest.builder(AUD).requiredActions("drop").build())))
        .isEqualTo(RejectionReason.INSUFFICIENT_SCOPE);
    assertThat(reason(cached.verify(token, VerificationRequest.builder(AUD).requireProofOfPossession().build())))
        .isEqualTo(RejectionReason.PROOF_OF_POSSESSION);
    assertThat(signatureChecks.get()).isEqualTo(1);
  }

  @Test
  void dpopProofReplayOnAHitIsRefused() throws Exception {
    ECKey holder = new ECKeyGenerator(Curve.P_256).generate();
    Grant g = broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5))
        .dpopKey(holder.toPublicJWK().toJSONString()).build());
    String t = g.token();
    String first = proof(holder, t, "j1");
    assertThat(cached.verify(t, dpop(first)).isVerified()).isTrue();
    int checks = signatureChecks.get();
    assertThat(reason(cached.verify(t, dpop(first)))).as("the same proof again, on a hit").isEqualTo(RejectionReason.REPLAYED);
    assertThat(reason(cached.verify(t, AUD))).as("no proof, on a hit").isEqualTo(RejectionReason.PROOF_OF_POSSESSION);
    ECKey thief = new ECKeyGenerator(Curve.P_256).generate();
    assertThat(reason(cached.verify(t, dpop(proof(thief, t, "j2"))))).isEqualTo(RejectionReason.PROOF_OF_POSSESSION);
    assertThat(cached.verify(t, dpop(proof(holder, t, "j3")))).as("a fresh proof, on a hit").matches(Verification::isVerified);
    assertThat(signatureChecks.get()).isEqualTo(checks);
  }

  String proof(ECKey key, String token, String jti) throws Exception {
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt")).jwk(key.toPublicJWK()).build(),
        new JWTClaimsSet.Builder().jwtID(jti).claim("htm", "GET").claim("htu", "https://api.example.org/orders")
            .issueTime(Date.from(clock.instant())).claim("ath", GrantTokens.sha256(token)).build());
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  static VerificationRequest dpop(String proof) {
    return VerificationRequest.builder(AUD).dpop(proof, "GET", "https://api.example.org/orders").build();
  }

  @Test
  void aHitIsAuditedWithTheSameTokenHashAsAMiss() {
    String token = grant("t1").token();
    warm(token);
    List<AuditEvent> verified = audit.of(AuditEventType.VERIFIED);
    assertThat(verified).hasSize(2);
    for (AuditEvent e : verified) {
      assertThat(e.fields()).containsEntry(AuditEvent.TOKEN_SHA256, GrantTokens.sha256(token));
      assertThat(e.fields().values()).noneMatch(v -> v.contains(token));
    }
  }

  @Test
  void aTokenWithoutTheStoreRecordIsRefusedOnAHit() {
    Grant g = grant("t1");
    warm(g.token());
    store.remove(g.id());
    assertThat(reason(cached.verify(g.token(), AUD))).isEqualTo(RejectionReason.UNKNOWN_GRANT);
  }

  @Test
  void aRefusedTokenIsNeverCached() throws Exception {
    // signed by a key the verifier does not trust under k1: refused, and refused again (checked each time)
    ECKey other = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("at+jwt")).keyID("k1").build(),
        SignedJWT.parse(grant("t1").token()).getJWTClaimsSet());
    jwt.sign(new ECDSASigner(other));
    String forged = jwt.serialize();
    for (int i = 1; i <= 3; i++) {
      assertThat(reason(cached.verify(forged, AUD))).isEqualTo(RejectionReason.BAD_SIGNATURE);
      assertThat(signatureChecks.get()).isEqualTo(i);
    }
  }

  @Test
  void theBuilderSizesOrTurnsOffTheCache() {
    String jwks = broker.publicJwks();
    assertThatThrownBy(() -> GrantVerifier.builder().verifiedTokenCache(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
    assertThatThrownBy(() -> GrantVerifier.builder().verifiedTokenCache(1_000_001))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000001");
    assertThatThrownBy(() -> GrantVerifier.builder().verifiedTokenCache(5).noVerifiedTokenCache())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("verifiedTokenCache");
    assertThatThrownBy(() -> GrantVerifier.builder().noVerifiedTokenCache().verifiedTokenCache(5))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("verifiedTokenCache");
    String token = grant("t1").token();
    for (GrantVerifier v : List.of(
        GrantVerifier.builder().issuer(ISSUER).jwks(jwks).store(store).clock(clock).build(),
        GrantVerifier.builder().issuer(ISSUER).jwks(jwks).store(store).clock(clock).verifiedTokenCache(1).build(),
        GrantVerifier.builder().issuer(ISSUER).jwks(jwks).store(store).clock(clock).noVerifiedTokenCache().build())) {
      assertThat(v.verify(token, AUD).isVerified()).isTrue();
      assertThat(v.verify(token, AUD).isVerified()).isTrue();
      assertThat(reason(v.verify(token, "postgres://billing"))).isEqualTo(RejectionReason.WRONG_AUDIENCE);
    }
  }

  @Test
  void aCacheOfOneEntryStaysCorrectWhenTokensEvictEachOther() {
    TokenVerifier tiny = new TokenVerifier(ISSUER, kid -> trusted.get(), clock, SKEW, store, null, 16 * 1024, 1);
    List<String> tokens = List.of(grant("a").token(), grant("b").token(), grant("c").token());
    for (int round = 0; round < 3; round++) {
      for (String t : tokens) {
        assertThat(tiny.verify(t, AUD).isVerified()).isTrue();
      }
    }
    assertThat(broker.revokeTask("b")).isEqualTo(1);
    assertThat(reason(tiny.verify(tokens.get(1), AUD))).isEqualTo(RejectionReason.REVOKED);
    assertThat(tiny.verify(tokens.get(2), AUD).isVerified()).isTrue();
  }

  @Test
  void aCacheOfOneHoldsTheLatestTokenOnly() {
    TokenVerifier one = new TokenVerifier(ISSUER, kid -> trusted.get(), clock, SKEW, store, null, 16 * 1024, 1);
    String a = grant("a").token();
    String b = grant("b").token();
    assertThat(one.verify(a, AUD).isVerified()).isTrue();
    assertThat(one.verify(b, AUD).isVerified()).isTrue();
    int checks = signatureChecks.get();
    assertThat(one.verify(b, AUD).isVerified()).isTrue();
    assertThat(signatureChecks.get()).as("b, the latest, is a hit").isEqualTo(checks);
    assertThat(one.verify(a, AUD).isVerified()).isTrue();
    assertThat(signatureChecks.get()).as("a made room for b: a miss").isEqualTo(checks + 1);
  }

  @Test
  void whenBothSlotsAreLiveTheTokenExpiringFirstMakesRoom() {
    // a cache of two slots: every token's two slots are the whole table
    TokenVerifier two = new TokenVerifier(ISSUER, kid -> trusted.get(), clock, SKEW, store, null, 16 * 1024, 2);
    String early = grant("early").token();
    clock.advance(Duration.ofMinutes(1));
    String late = grant("late").token();
    clock.advance(Duration.ofMinutes(1));
    String latest = grant("latest").token();
    for (String t : List.of(early, late, latest)) {
      assertThat(two.verify(t, AUD).isVerified()).isTrue();
    }
    int checks = signatureChecks.get();
    assertThat(two.verify(late, AUD).isVerified()).isTrue();
    assertThat(two.verify(latest, AUD).isVerified()).isTrue();
    assertThat(signatureChecks.get()).as("the two later tokens stayed").isEqualTo(checks);
    assertThat(two.verify(early, AUD).isVerified()).isTrue();
    assertThat(signatureChecks.get()).as("the earliest deadline made room").isEqualTo(checks + 1);
  }

  @Test
  void anExpiredSlotIsReusedBeforeALiveOne() {
    TokenVerifier two = new TokenVerifier(ISSUER, kid -> trusted.get(), clock, SKEW, null, null, 16 * 1024, 2);
    String first = grant("first").token(); // 5 minutes
    String live = broker.request(Fixtures.request(DEPLOYER).taskId("live").ttl(Duration.ofMinutes(10)).build()).token();
    assertThat(two.verify(first, AUD).isVerified()).isTrue();
    assertThat(two.verify(live, AUD).isVerified()).isTrue();
    clock.advance(Duration.ofMinutes(5).plus(SKEW)); // first is past exp + skew, still in its slot
    String fresh = grant("fresh").token();
    assertThat(two.verify(fresh, AUD).isVerified()).isTrue();
    int checks = signatureChecks.get();
    assertThat(two.verify(live, AUD).isVerified()).isTrue();
    assertThat(two.verify(fresh, AUD).isVerified()).isTrue();
    assertThat(signatureChecks.get()).as("the fresh token took the expired slot, not the live one").isEqualTo(checks);
  }
}
