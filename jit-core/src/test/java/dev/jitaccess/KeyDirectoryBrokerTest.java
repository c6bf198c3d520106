package dev.jitaccess;

import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Verification.RejectionReason;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.KeyDirectory;
import dev.jitaccess.spi.KeyDirectory.PublishedKey;
import dev.jitaccess.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Brokers sharing a {@link KeyDirectory}: each signs with its own key, every replica trusts every
 * replica's registered key within its window, rotation and replicas coming and going, and fail-closed
 * behaviour when the directory fails. Two brokers in one JVM on one in-memory store and directory.
 */
class KeyDirectoryBrokerTest {
  static final Duration MAX_TTL = Duration.ofMinutes(10);
  static final Duration SKEW = Duration.ofSeconds(30);
  static final String RESOURCE = "postgres://orders";

  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final FlakyDirectory directory = new FlakyDirectory(KeyDirectory.inMemory());
  GrantStore store;
  GrantBroker a;
  GrantBroker b;

  @BeforeEach
  void setUp() {
    store = GrantStore.inMemory(clock, clock, SKEW);
    a = replica(clock).build();
    b = replica(clock).build();
  }

  @AfterEach
  void tearDown() {
    a.close();
    b.close();
  }

  GrantBroker.Builder replica(Scheduler scheduler) {
    return GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofHours(3))).clock(clock).scheduler(scheduler).auditSink(e -> {})
        .store(store).maxTtl(MAX_TTL).clockSkew(SKEW).keyDirectory(directory);
  }

  static GrantRequest request(String task) {
    return Fixtures.request(Fixtures.DEPLOYER).taskId(task).ttl(MAX_TTL).build();
  }

  static String kid(String token) throws Exception {
    return SignedJWT.parse(token).getHeader().getKeyID();
  }

  Verification verify(GrantBroker on, String token) {
    return on.verifier().verify(token, RESOURCE);
  }

  static RejectionReason reason(Verification v) {
    assertThat(v).isInstanceOf(Verification.Rejected.class);
    return ((Verification.Rejected) v).reason();
  }

  @Test
  void eachReplicaSignsWithItsOwnKeyAndVerifiesTheOthersTokens() throws Exception {
    Grant onA = a.request(request("t-a"));
    Grant onB = b.request(request("t-b"));
    assertThat(kid(onA.token())).isNotEqualTo(kid(onB.token()));
    assertThat(verify(b, onA.token()).isVerified()).isTrue();
    assertThat(verify(a, onB.token()).isVerified()).isTrue();
  }

  @Test
  void publicJwksIsTheSameOnEveryReplicaAndHoldsEveryReplicasKey() throws Exception {
    Grant onA = a.request(request("t-a"));
    Grant onB = b.request(request("t-b"));
    assertThat(a.publicJwks()).isEqualTo(b.publicJwks());
    assertThat(kids(a.publicJwks())).containsExactlyInAnyOrder(kid(onA.token()), kid(onB.token()));
  }

  @Test
  void privateKeysNeverReachTheDirectory() throws Exception {
    List<PublishedKey> keys = directory.keys(clock.instant());
    assertThat(keys).hasSize(2);
    for (PublishedKey k : keys) {
      JWK jwk = JWK.parse(k.publicJwk());
      assertThat(jwk.isPrivate()).isFalse();
      assertThat(k.publicJwk()).doesNotContain("\"d\"");
      assertThat(jwk.getKeyID()).isEqualTo(k.kid());
    }
    assertThat(JWKSet.parse(a.publicJwks()).getKeys()).noneMatch(JWK::isPrivate);
  }

  @Test
  void aKeyIsRegisteredForItsSigningWindowPlusTheLongestTokenLifetime() {
    Instant now = clock.instant();
    assertThat(directory.keys(now)).allSatisfy(k -> {
      assertThat(k.notBefore()).isEqualTo(now);
      assertThat(k.retireAfter()).isEqualTo(now.plus(BrokerConfig.DEFAULT_DIRECTORY_KEY_ROTATION).plus(MAX_TTL).plus(SKEW));
    });
  }

  @Test
  void theKeyAgeStartsWhenAKeyStartsSigningTimedOrByRotateKeys() {
    Instant started = clock.instant();
    assertThat(a.signingKeyActiveSince()).contains(started);
    clock.advance(BrokerConfig.DEFAULT_DIRECTORY_KEY_ROTATION);
    a.request(request("t-timed")); // the timed rotation happens when the next token is signed
    assertThat(a.signingKeyActiveSince()).contains(clock.instant());
    clock.advance(Duration.ofMinutes(1));
    a.rotateKeys();
    assertThat(a.signingKeyActiveSince()).contains(clock.instant());
  }

  @Test
  void rotationOnOneReplicaIsSeenByTheOtherAndOldTokensStayValid() throws Exception {
    Grant before = a.request(request("t-before"));
    a.rotateKeys();
    Grant after = a.request(request("t-after"));
    assertThat(kid(after.token())).isNotEqualTo(kid(before.token()));
    assertThat(verify(b, after.token()).isVerified()).isTrue();
    assertThat(verify(b, before.token()).isVerified()).isTrue();
    assertThat(kids(b.publicJwks())).hasSize(3).isEqualTo(kids(a.publicJwks()));
  }

  @Test
  void aRetiredKeyIsTrustedUntilRetirementPlusMaxTtlAndSkewThenRefused() throws Exception {
    String oldKid = kid(a.request(request("t-old")).token());
    Instant retired = clock.instant();
    a.rotateKeys();
    PublishedKey registered = directory.find(oldKid);
    assertThat(registered.retireAfter()).isEqualTo(retired.plus(MAX_TTL).plus(SKEW));
    clock.advanceTo(registered.retireAfter().minusNanos(1));
    assertThat(kids(b.publicJwks())).contains(oldKid);
    clock.advanceTo(registered.retireAfter());
    assertThat(kids(b.publicJwks())).doesNotContain(oldKid);
  }

  @Test
  void aReplicaThatGoesAwayLeavesItsKeyTrustedUntilItsRetireAfterThenRefused() throws Exception {
    Scheduler dead = (task, at) -> () -> {};   // a crashed replica: no timer runs, close() is never called
    GrantBroker gone = replica(dead).keyRotation(Duration.ofHours(1)).build();
    Grant token = gone.request(request("t-gone"));
    String goneKid = kid(token.token());
    Instant retireAfter = clock.instant().plus(Duration.ofHours(1)).plus(MAX_TTL).plus(SKEW);
    assertThat(directory.find(goneKid).retireAfter()).isEqualTo(retireAfter);
    clock.advance(Duration.ofMinutes(5));
    assertThat(verify(a, token.token()).isVerified()).isTrue();
    clock.advanceTo(retireAfter.minusNanos(1));
    assertThat(kids(a.publicJwks())).contains(goneKid).isEqualTo(kids(b.publicJwks()));
    clock.advanceTo(retireAfter);
    assertThat(kids(a.publicJwks())).doesNotContain(goneKid);
  }

  @Test
  void aTokenSignedJustBeforeTheTimedRotationVerifiesUntilItExpires() throws Exception {
    try (GrantBroker r = replica(clock).keyRotation(Duration.ofHours(1)).build()) {
      Instant start = clock.instant();
      clock.advanceTo(start.plus(Duration.ofHours(1)).minusSeconds(1));
      Grant late = r.request(request("t-late"));                      // the last second of the first key
      assertThat(verify(a, late.token()).isVerified()).isTrue();      // and in a's verified-token cache
      clock.advanceTo(start.plus(Duration.ofHours(1)));              // the timer rotates
      assertThat(kid(r.request(request("t-next")).token())).isNotEqualTo(kid(late.token()));
      clock.advanceTo(late.info().expiresAt().minusNanos(1));
      assertThat(verify(a, late.token()).isVerified()).isTrue();
      assertThat(verify(r, late.token()).isVerified()).isTrue();
    }
  }

  @Test
  void closingAReplicaRetiresItsKeyOnceItsLastTokenHasExpired() throws Exception {
    String kid = kid(b.request(request("t-b")).token());
    Instant closedAt = clock.instant();
    b.close();
    assertThat(directory.find(kid).retireAfter()).isEqualTo(closedAt.plus(MAX_TTL).plus(SKEW));
  }

  @Test
  void aKeyPastItsSigningWindowIsReplacedAndPublishedBeforeAnythingIsSigned() throws Exception {
    Scheduler late = (task, at) -> () -> {};   // the rotation timer never fires
    try (GrantBroker r = replica(late).keyRotation(Duration.ofHours(1)).build()) {
      String first = kid(r.request(request("t-1")).token());
      clock.advance(Duration.ofHours(1).minusNanos(1));
      assertThat(kid(r.request(request("t-2")).token())).isEqualTo(first);
      clock.advance(Duration.ofNanos(1));
      Grant g = r.request(request("t-3"));
      assertThat(kid(g.token())).isNotEqualTo(first);
      assertThat(directory.publishedBeforeSigning(kid(g.token()))).isNotNull();
      assertThat(verify(a, g.token()).isVerified()).isTrue();
    }
  }

  @Test
  void whenTheDirectoryCannotRegisterANewKeyNothingIsSigned() {
    Scheduler late = (task, at) -> () -> {};
    try (GrantBroker r = replica(late).keyRotation(Duration.ofHours(1)).build()) {
      directory.failing = true;
      clock.advance(Duration.ofHours(1));
      assertThatThrownBy(() -> r.request(request("t-1")))
          .isInstanceOf(AccessDeniedException.class)
          .satisfies(e -> assertThat(((AccessDeniedException) e).category()).isEqualTo(DenialCategory.UNAVAILABLE));
      assertThatThrownBy(r::rotateKeys).isInstanceOf(JitException.class);
      directory.failing = false;
      assertThat(r.request(request("t-2")).token()).isNotEmpty();
    }
  }

  @Test
  void aBrokerWhoseFirstKeyCannotBeRegisteredIsNotBuilt() {
    directory.failing = true;
    assertThatThrownBy(() -> replica(clock).build())
        .isInstanceOf(JitException.class).hasMessageContaining("could not be registered");
  }

  @Test
  void anUnknownKidIsRereadAtMostOncePerSecond() throws Exception {
    Grant g = a.request(request("t-a"));
    assertThat(verify(a, g.token()).isVerified()).isTrue();
    int reads = directory.reads.get();
    ECKey stranger = new ECKeyGenerator(Curve.P_256).generate();
    for (int i = 0; i < 100; i++) {
      String garbage = resign(g.token(), "garbage-" + i, stranger);
      assertThat(reason(verify(a, garbage))).isEqualTo(RejectionReason.UNKNOWN_KEY);
    }
    assertThat(directory.reads.get() - reads).isLessThanOrEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(reason(verify(a, resign(g.token(), "garbage-x", stranger)))).isEqualTo(RejectionReason.UNKNOWN_KEY);
    assertThat(directory.reads.get() - reads).isLessThanOrEqualTo(2);
  }

  @Test
  void aKidRegisteredWithNotBeforeInTheFutureIsRefusedUntilThenMinusTheSkew() throws Exception {
    ECKey mine = new ECKeyGenerator(Curve.P_256).keyID("future-key").generate();
    Instant notBefore = clock.instant().plus(Duration.ofMinutes(1));
    directory.publish(new PublishedKey("future-key", mine.toPublicJWK().toJSONString(), notBefore,
        notBefore.plus(Duration.ofHours(1))));
    Grant g = a.request(request("t-a"));
    String token = resign(g.token(), "future-key", mine);
    assertThat(reason(verify(b, token))).isEqualTo(RejectionReason.UNKNOWN_KEY);
    clock.advanceTo(notBefore.minus(SKEW).minusNanos(1));
    assertThat(reason(verify(b, token))).isEqualTo(RejectionReason.UNKNOWN_KEY);
    clock.advanceTo(notBefore.minus(SKEW));
    assertThat(verify(b, token).isVerified()).isTrue();
  }

  @Test
  void aTokenOfAKeyPastItsRetireAfterIsRefusedEvenBeforeTheTokenExpires() throws Exception {
    ECKey mine = new ECKeyGenerator(Curve.P_256).keyID("short-key").generate();
    Instant retireAfter = clock.instant().plus(Duration.ofMinutes(5));
    directory.publish(new PublishedKey("short-key", mine.toPublicJWK().toJSONString(), clock.instant(), retireAfter));
    String token = resign(a.request(request("t-a")).token(), "short-key", mine);   // expires in 10 minutes
    clock.advanceTo(retireAfter.minusNanos(1));
    assertThat(verify(b, token).isVerified()).isTrue();
    clock.advanceTo(retireAfter);
    assertThat(reason(verify(b, token))).isEqualTo(RejectionReason.UNKNOWN_KEY);
  }

  @Test
  void aKeyOfAnotherAlgorithmThanTheBrokersIsRefused() throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-key").generate();
    directory.publish(new PublishedKey("rsa-key", rsa.toPublicJWK().toJSONString(), clock.instant(),
        clock.instant().plus(Duration.ofHours(1))));
    SignedJWT original = SignedJWT.parse(a.request(request("t-a")).token());
    SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("at+jwt"))
        .keyID("rsa-key").build(), original.getJWTClaimsSet());
    forged.sign(new RSASSASigner(rsa));
    assertThat(reason(verify(b, forged.serialize()))).isEqualTo(RejectionReason.UNKNOWN_KEY);
    assertThat(kids(b.publicJwks())).doesNotContain("rsa-key");
  }

  @Test
  void garbageEntriesInTheDirectoryAreRefusedAndTheOthersStillServe() throws Exception {
    Instant now = clock.instant();
    Instant later = now.plus(Duration.ofHours(1));
    ECKey priv = new ECKeyGenerator(Curve.P_256).keyID("private-key").generate();
    ECKey other = new ECKeyGenerator(Curve.P_256).keyID("named-otherwise").generate();
    directory.publish(new PublishedKey("garbage-key", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"SECRET-LOOKING\"}", now, later));
    directory.publish(new PublishedKey("not-json", "-----BEGIN PRIVATE KEY----- SECRET", now, later));
    directory.publish(new PublishedKey("private-key", priv.toJSONString(), now, later));
    directory.publish(new PublishedKey("wrong-kid", other.toPublicJWK().toJSONString(), now, later));
    Grant g = a.request(request("t-a"));
    assertThat(verify(b, g.token()).isVerified()).isTrue();
    assertThat(reason(verify(b, resign(g.token(), "private-key", priv)))).isEqualTo(RejectionReason.UNKNOWN_KEY);
    assertThat(reason(verify(b, resign(g.token(), "wrong-kid", other)))).isEqualTo(RejectionReason.UNKNOWN_KEY);
    assertThat(kids(b.publicJwks())).hasSize(2).doesNotContain("garbage-key", "not-json", "private-key", "wrong-kid");
  }

  @Test
  void aDirectoryOutagePastTheBoundFailsClosedAndRecoversByItself() throws Exception {
    Grant g = a.request(request("t-a"));
    assertThat(verify(b, g.token()).isVerified()).isTrue();
    Instant lastRead = clock.instant();
    directory.failing = true;
    clock.advanceTo(lastRead.plus(Duration.ofMinutes(5)).minusNanos(1));
    assertThat(verify(b, g.token()).isVerified()).isTrue();      // the last good set, within the bound
    clock.advanceTo(lastRead.plus(Duration.ofMinutes(5)));
    assertThat(reason(verify(b, g.token()))).isEqualTo(RejectionReason.UNKNOWN_KEY);
    assertThat(reason(verify(a, g.token()))).isEqualTo(RejectionReason.UNKNOWN_KEY);
    assertThatThrownBy(b::publicJwks).isInstanceOf(JitException.class).hasMessageContaining("could not be read");
    directory.failing = false;
    clock.advance(Duration.ofSeconds(1));
    assertThat(verify(b, g.token()).isVerified()).isTrue();
  }

  @Test
  void theBuilderRefusesAKeyDirectoryWithSharedKeys() throws Exception {
    String shared = new ECKeyGenerator(Curve.P_256).generate().toJSONString();
    assertThatThrownBy(() -> replica(clock).signingKey(shared).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("keyDirectory");
    assertThatThrownBy(() -> replica(clock).signingKeys(SigningKeys.builder().active(shared).build()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("keyDirectory");
    assertThatThrownBy(() -> replica(clock).keyDirectory(directory))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set");
    assertThatThrownBy(() -> GrantBroker.builder().keyDirectory(null))
        .isInstanceOf(NullPointerException.class).hasMessage("keyDirectory");
  }

  /** The token's claims signed again with another key under another kid. */
  static String resign(String token, String kid, ECKey with) throws Exception {
    SignedJWT original = SignedJWT.parse(token);
    SignedJWT copy = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("at+jwt"))
        .keyID(kid).build(), original.getJWTClaimsSet());
    copy.sign(new ECDSASigner(with));
    return copy.serialize();
  }

  static List<String> kids(String jwks) throws Exception {
    return JWKSet.parse(jwks).getKeys().stream().map(JWK::getKeyID).toList();
  }

  /** A directory that can be made to fail, counts reads and remembers the order of publications. */
  static final class FlakyDirectory implements KeyDirectory {
    final KeyDirectory delegate;
    final AtomicInteger reads = new AtomicInteger();
    final java.util.Map<String, Instant> published = new java.util.concurrent.ConcurrentHashMap<>();
    volatile boolean failing;

    FlakyDirectory(KeyDirectory delegate) {
      this.delegate = delegate;
    }

    @Override
    public void publish(PublishedKey key) {
      check();
      delegate.publish(key);
      published.put(key.kid(), key.notBefore());
    }

    @Override
    public boolean retire(String kid, Instant retireAfter) {
      check();
      return delegate.retire(kid, retireAfter);
    }

    @Override
    public List<PublishedKey> keys(Instant at) {
      check();
      reads.incrementAndGet();
      return delegate.keys(at);
    }

    @Override
    public Subscription subscribe(Runnable onChange) {
      return delegate.subscribe(onChange);
    }

    PublishedKey find(String kid) {
      return delegate.keys(Instant.MIN).stream().filter(k -> k.kid().equals(kid)).findFirst().orElseThrow();
    }

    Instant publishedBeforeSigning(String kid) {
      return published.get(kid);
    }

    private void check() {
      if (failing) {
        throw new IllegalStateException("directory down (test) " + UUID.randomUUID());
      }
    }
  }
}
