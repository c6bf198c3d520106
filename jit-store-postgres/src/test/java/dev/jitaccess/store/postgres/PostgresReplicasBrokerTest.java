package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.policy.Policy;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.TestTrustDomain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three brokers in one JVM, each with its own pool, change feed and store instance on one schema, as
 * three replicas of a service: what one replica does, every other one honours.
 */
class PostgresReplicasBrokerTest {
  static final String SIGNING_KEY = "{\"kty\":\"EC\",\"d\":\"54VGd9dT4cs-o5ACubXq5adG2DJVNu1ZyjepwDnKIw8\","
      + "\"crv\":\"P-256\",\"kid\":\"replicas-k1\",\"x\":\"-wQe_lea11Np5qJvKurb25kxzgLJfM3jcqBbnn_hSjA\","
      + "\"y\":\"jAStzZ8t7BuVZ4Z5n7tinYLwupcBgaxTh1gFJxbZkNM\"}";
  static final String AUDIENCE = "jit-broker";
  static final String POLICY = """
      version: 1
      name: replicas
      maxTtl: 1h
      rules:
        - id: once
          owner: test
          description: single use
          effect: allow
          match:
            purpose: once
          grant:
            maxTtl: 10m
            singleUse: true
        - id: work
          owner: test
          description: delegable work
          effect: allow
          match:
            purpose: work
          grant:
            maxTtl: 10m
            maxDelegationDepth: 2
            sharedTask: true     # distinct identities without an owner share the task "shared"
      """;

  @RegisterExtension
  static final TestSchema SCHEMA = new TestSchema();
  private final ManualClock clock = ManualClock.at("2030-01-01T00:00:00Z");
  private final TestTrustDomain td = TestTrustDomain.create("example.org", clock);
  private final List<Replica> replicas = new ArrayList<>();

  /** One replica: its store, broker, what its broker's listener heard, and what its feed delivered. */
  static final class Replica {
    final PostgresGrantStore store;
    final GrantBroker broker;
    final List<String> events;
    private final BlockingQueue<GrantStore.Change> feed = new LinkedBlockingQueue<>();
    private final java.util.Set<String> seen = new java.util.HashSet<>();

    Replica(PostgresGrantStore store, GrantBroker broker, List<String> events) {
      this.store = store;
      this.broker = broker;
      this.events = events;
      store.subscribe(feed::add);
    }

    long count(String event) {
      return events.stream().filter(event::equals).count();
    }

    /**
     * Waits (at most 30 s, never sleeping) until this replica's feed delivered the grant in this state:
     * its cache and its broker know it by then.
     */
    void awaitFeed(String grantId, GrantState state) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!seen.contains(grantId + state)) {
        GrantStore.Change r = feed.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        assertThat(r).as("feed delivering " + grantId + " " + state).isNotNull();
        seen.add(r.grantId() + r.state());
      }
    }
  }

  @BeforeEach
  void startReplicas() {
    SCHEMA.db().execute("TRUNCATE jit_grant, jit_used_value, jit_grant_change");
    for (int i = 0; i < 3; i++) {
      PostgresGrantStore store = PostgresGrantStore.builder().dataSource(SCHEMA.db().pool("b" + i + "-" + System.identityHashCode(this)))
          .listenerDataSource(TestDatabase.direct()).schema(SCHEMA.db().schema).clock(clock).build();
      List<String> events = new CopyOnWriteArrayList<>();
      GrantBroker broker = GrantBroker.builder()
          .issuer("https://jit.test")
          .identityVerifier(td.jwtSvidVerifier(AUDIENCE))
          .policy(RulePolicy.of(Policy.parse("replicas", POLICY).orElseThrow()))
          .store(store)
          .auditSink(e -> {})
          .listener(recorder(events))
          .clock(clock)
          .scheduler(clock)
          .callbackExecutor(Runnable::run)
          .signingKey(SIGNING_KEY)
          .maxGrantsPerIdentity(3)
          .build();
      replicas.add(new Replica(store, broker, events));
    }
  }

  private static GrantListener recorder(List<String> events) {
    return new GrantListener() {
      @Override
      public void onRevoked(GrantInfo grant, RevocationReason reason) {
        events.add("revoked:" + grant.grantId() + ":" + reason);
      }

      @Override
      public void onExpired(GrantInfo grant) {
        events.add("expired:" + grant.grantId());
      }
    };
  }

  @AfterEach
  void stopReplicas() {
    for (Replica r : replicas) {
      r.broker.close();
      r.store.close();
    }
  }

  private Replica r(int i) {
    return replicas.get(i);
  }

  private GrantRequest.Builder request(String spiffeId, String task, String purpose) {
    return GrantRequest.builder().credential(td.credential(spiffeId, AUDIENCE)).purpose(purpose)
        .resource("db://orders").actions("read").environment("prod").taskId(task).ttl(Duration.ofMinutes(5));
  }

  private Verification verifyAt(int i, Grant g) {
    return r(i).broker.verifier().verify(g.token(), "db://orders");
  }

  /** Revoked on B: A (which issued it) hears onRevoked once, and every replica's verifier refuses it. */
  @Test
  void aRevocationOnOneReplicaIsRefusedOnAll() throws Exception {
    Grant g = r(0).broker.request(request("spiffe://example.org/app", "t1", "work").build());
    for (int i = 0; i < 3; i++) {
      assertThat(verifyAt(i, g)).as("replica " + i).isInstanceOf(Verification.Verified.class);
    }
    assertThat(r(1).broker.revoke(g.id())).isTrue();
    for (int i = 0; i < 3; i++) {
      r(i).awaitFeed(g.id(), GrantState.REVOKED);
      assertThat(verifyAt(i, g)).as("replica " + i).isInstanceOf(Verification.Rejected.class);
    }
    assertThat(r(0).count("revoked:" + g.id() + ":EXPLICIT")).isEqualTo(1);
    // B, which revoked it, reports the revocation it made to its own broker-wide listeners, once
    assertThat(r(1).count("revoked:" + g.id() + ":EXPLICIT")).isEqualTo(1);
    assertThat(r(2).count("revoked:" + g.id() + ":EXPLICIT")).isZero();
    // A's timer dropped it: no expiry is reported later
    clock.advance(Duration.ofMinutes(10));
    assertThat(r(0).events).noneMatch(e -> e.startsWith("expired:" + g.id()));
  }

  /** revokeTask on C ends the task's grants issued on A, B and C; each issuer hears it exactly once. */
  @Test
  void revokeTaskReachesEveryReplica() throws Exception {
    List<Grant> grants = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      grants.add(r(i).broker.request(request("spiffe://example.org/w" + i, "shared", "work").build()));
    }
    assertThat(r(2).broker.revokeTask("shared")).isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      Grant g = grants.get(i);
      r(i).awaitFeed(g.id(), GrantState.REVOKED);
    }
    for (int i = 0; i < 3; i++) {
      for (Grant g : grants) {
        r(i).awaitFeed(g.id(), GrantState.REVOKED);
        assertThat(verifyAt(i, g)).isInstanceOf(Verification.Rejected.class);
      }
      assertThat(r(i).count("revoked:" + grants.get(i).id() + ":TASK")).isEqualTo(1);
    }
  }

  /** revokeIdentity on B ends the identity's grants issued on A and C. */
  @Test
  void revokeIdentityReachesEveryReplica() throws Exception {
    Grant a = r(0).broker.request(request("spiffe://example.org/bad", "ta", "work").build());
    Grant c = r(2).broker.request(request("spiffe://example.org/bad", "tc", "work").build());
    assertThat(r(1).broker.revokeIdentity("spiffe://example.org/bad")).isEqualTo(2);
    r(0).awaitFeed(a.id(), GrantState.REVOKED);
    r(2).awaitFeed(c.id(), GrantState.REVOKED);
    assertThat(r(0).count("revoked:" + a.id() + ":IDENTITY")).isEqualTo(1);
    assertThat(r(2).count("revoked:" + c.id() + ":IDENTITY")).isEqualTo(1);
    r(1).awaitFeed(a.id(), GrantState.REVOKED);
    assertThat(verifyAt(1, a)).isInstanceOf(Verification.Rejected.class);
    // within the staleness bound A may still answer from its cache until its feed brings C's revocation
    r(0).awaitFeed(c.id(), GrantState.REVOKED);
    assertThat(verifyAt(0, c)).isInstanceOf(Verification.Rejected.class);
  }

  /** C revokes a parent issued on A: A hears it once and revokes the sub-grant it issued from it. */
  @Test
  void aParentRevokedElsewhereEndsItsSubGrants() throws Exception {
    Grant parent = r(0).broker.request(request("spiffe://example.org/agent", "tp", "work").build());
    Grant child = r(0).broker.delegate(DelegationRequest.builder(parent)
        .credential(td.credential("spiffe://example.org/tool", AUDIENCE)).actions("read").ttl(Duration.ofMinutes(2)).build());
    assertThat(r(2).broker.revoke(parent.id())).isTrue();
    r(0).awaitFeed(child.id(), GrantState.REVOKED);
    assertThat(r(0).count("revoked:" + parent.id() + ":EXPLICIT")).isEqualTo(1);
    assertThat(r(0).count("revoked:" + child.id() + ":PARENT")).isEqualTo(1);
    r(1).awaitFeed(child.id(), GrantState.REVOKED);
    assertThat(verifyAt(1, child)).isInstanceOf(Verification.Rejected.class);
  }

  /** A single-use token presented at three replicas at once verifies exactly once. */
  @Test
  void aSingleUseTokenVerifiesOnceAcrossThreeReplicas() throws Exception {
    Grant g = r(0).broker.request(request("spiffe://example.org/job", "once-1", "once").build());
    assertThat(g.info().singleUse()).isTrue();
    List<Verification> results = Race.times(6, 30, i -> verifyAt(i % 3, g));
    assertThat(results.stream().filter(v -> v instanceof Verification.Verified).count()).isEqualTo(1);
  }

  /** Fifteen concurrent requests for one identity spread over three replicas: exactly the quota (3) succeed. */
  @Test
  void theQuotaIsExactUnderConcurrentRequestsOnThreeReplicas() throws Exception {
    List<Boolean> granted = Race.times(6, 15, i -> {
      try {
        r(i % 3).broker.request(request("spiffe://example.org/crash-loop", "q" + i, "work").build());
        return true;
      } catch (AccessDeniedException e) {
        return false;
      }
    });
    assertThat(granted.stream().filter(b -> b).count()).isEqualTo(3);
  }

  /** A DPoP proof of {@code key} for GET https://api.example.org/orders, bound to {@code token}. */
  private static String dpopProof(ECKey key, String token, java.time.Instant iat, String jti) throws Exception {
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt")).jwk(key.toPublicJWK()).build(),
        new JWTClaimsSet.Builder().jwtID(jti).claim("htm", "GET").claim("htu", "https://api.example.org/orders")
            .issueTime(java.util.Date.from(iat)).claim("ath", java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))).build());
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  private Verification verifyWithDpop(int i, Grant g, String proof) {
    return r(i).broker.verifier().verify(g.token(), VerificationRequest.builder("db://orders")
        .dpop(proof, "GET", "https://api.example.org/orders").build());
  }

  /**
   * A DPoP proof accepted by one replica is refused as a replay by the others (the proof's jti is a
   * one-time value in the shared store), and the same proof presented to three replicas at once is
   * accepted exactly once; a fresh proof of the same key still verifies.
   */
  @Test
  void aDpopProofReplayedAtAnotherReplicaIsRefused() throws Exception {
    ECKey holder = new ECKeyGenerator(Curve.P_256).generate();
    Grant g = r(0).broker.request(request("spiffe://example.org/dpop", "dpop-1", "work")
        .dpopKey(holder.toPublicJWK().toJSONString()).build());
    String proof = dpopProof(holder, g.token(), clock.instant(), "jti-1");
    assertThat(verifyWithDpop(1, g, proof)).isInstanceOf(Verification.Verified.class);
    for (int i : new int[] {0, 2, 1}) {
      assertThat(verifyWithDpop(i, g, proof)).as("replayed at replica " + i)
          .isInstanceOfSatisfying(Verification.Rejected.class,
              r -> assertThat(r.reason()).isEqualTo(Verification.RejectionReason.REPLAYED));
    }
    String concurrent = dpopProof(holder, g.token(), clock.instant(), "jti-2");
    List<Verification> results = Race.times(6, 30, i -> verifyWithDpop(i % 3, g, concurrent));
    assertThat(results.stream().filter(v -> v instanceof Verification.Verified).count())
        .as("verified exactly once; all results: %s", results.stream().map(v -> v instanceof Verification.Rejected r
            ? r.reason() + " (" + r.detail() + ")" : "VERIFIED").toList())
        .isEqualTo(1);
    assertThat(results.stream().filter(v -> v instanceof Verification.Rejected rej
        && rej.reason() == Verification.RejectionReason.REPLAYED).count()).isEqualTo(29);
    assertThat(verifyWithDpop(2, g, dpopProof(holder, g.token(), clock.instant(), "jti-3")))
        .isInstanceOf(Verification.Verified.class);
  }
}
