package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import com.zaxxer.hikari.HikariDataSource;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.JitException;
import dev.jitaccess.Verification;
import dev.jitaccess.spi.KeyDirectory;
import dev.jitaccess.spi.Scheduler;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.TestTrustDomain;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15 item 5 on the real server: three replicas, each with its own pool, grant store and
 * {@link PostgresKeyDirectory}, sign with their own keys (which never leave their JVM) and verify each
 * other's tokens; {@code publicJwks()} is the same everywhere; rotation on one is seen by the others; a
 * replica that goes away leaves its key trusted until its retireAfter, then refused.
 */
class PostgresKeysAcrossReplicasTest {
  static final String AUDIENCE = "jit-broker";
  static final Duration MAX_TTL = Duration.ofMinutes(10);
  static final Duration SKEW = Duration.ofSeconds(30);

  @RegisterExtension
  static final TestSchema SCHEMA = new TestSchema();
  private final ManualClock clock = ManualClock.at("2030-01-01T00:00:00Z");
  private final TestTrustDomain td = TestTrustDomain.create("example.org", clock);
  private final List<Replica> replicas = new ArrayList<>();
  private int tasks;

  /** One replica: everything it was built from, so that it can be closed, or made to vanish. */
  record Replica(GrantBroker broker, PostgresGrantStore store, PostgresKeyDirectory keys, HikariDataSource keyPool) {
    void close() {
      broker.close();
      store.close();
      keys.close();
    }
  }

  @BeforeEach
  void startReplicas() {
    SCHEMA.db().execute("TRUNCATE jit_grant, jit_used_value, jit_grant_change, jit_signing_key");
    for (int i = 0; i < 3; i++) {
      replicas.add(replica("r" + i, clock, null));
    }
  }

  @AfterEach
  void stopReplicas() {
    replicas.forEach(Replica::close);
  }

  Replica replica(String name, Scheduler scheduler, Duration rotation) {
    String pool = name + "-" + System.identityHashCode(this);
    PostgresGrantStore store = PostgresGrantStore.builder().dataSource(SCHEMA.db().pool(pool))
        .listenerDataSource(TestDatabase.direct()).schema(SCHEMA.db().schema).clock(clock).build();
    HikariDataSource keyPool = SCHEMA.db().pool(pool + "-keys");
    PostgresKeyDirectory keys = PostgresKeyDirectory.builder().dataSource(keyPool)
        .listenerDataSource(TestDatabase.direct()).schema(SCHEMA.db().schema).build();
    GrantBroker.Builder b = GrantBroker.builder()
        .issuer("https://jit.test")
        .identityVerifier(td.jwtSvidVerifier(AUDIENCE))
        .policy(TestPolicies.work())
        .store(store)
        .auditSink(e -> {})
        .clock(clock)
        .scheduler(scheduler)
        .maxTtl(MAX_TTL)
        .clockSkew(SKEW)
        .keyDirectory(keys);
    if (rotation != null) {
      b.keyRotation(rotation);
    }
    return new Replica(b.build(), store, keys, keyPool);
  }

  Grant issue(Replica on) {
    return on.broker().request(GrantRequest.builder().credential(td.credential("spiffe://example.org/jobs/w", AUDIENCE))
        .purpose("work").resource("db://orders").actions("read").environment("prod").taskId("task-" + tasks++)
        .ttl(MAX_TTL).build());
  }

  static Verification verify(Replica on, Grant g) {
    return on.broker().verifier().verify(g.token(), "db://orders");
  }

  static String kid(Grant g) throws Exception {
    return SignedJWT.parse(g.token()).getHeader().getKeyID();
  }

  static List<String> kids(String jwks) throws Exception {
    return JWKSet.parse(jwks).getKeys().stream().map(JWK::getKeyID).toList();
  }

  @Test
  void everyReplicaSignsWithItsOwnKeyAndVerifiesEveryOthersTokens() throws Exception {
    List<Grant> grants = replicas.stream().map(this::issue).toList();
    assertThat(grants.stream().map(g -> {
      try {
        return kid(g);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).distinct()).hasSize(3);
    for (Replica on : replicas) {
      for (Grant g : grants) {
        assertThat(verify(on, g)).isInstanceOf(Verification.Verified.class);
      }
    }
  }

  @Test
  void onlyPublicKeysAreStored() throws Exception {
    assertThat(SCHEMA.db().queryLong("SELECT count(*) FROM jit_signing_key")).isEqualTo(3);
    assertThat(SCHEMA.db().queryLong("SELECT count(*) FROM jit_signing_key WHERE jwk LIKE '%\"d\"%'")).isZero();
    for (KeyDirectory.PublishedKey k : replicas.get(0).keys().keys(clock.instant())) {
      assertThat(JWK.parse(k.publicJwk()).isPrivate()).isFalse();
    }
  }

  @Test
  void publicJwksIsTheSameOnEveryReplica() throws Exception {
    String first = replicas.get(0).broker().publicJwks();
    assertThat(kids(first)).hasSize(3);
    for (Replica r : replicas) {
      assertThat(r.broker().publicJwks()).isEqualTo(first);
    }
  }

  @Test
  void aRotationOnOneReplicaIsSeenByTheOthers() throws Exception {
    Grant before = issue(replicas.get(1));
    for (Replica r : replicas) {
      assertThat(verify(r, before)).isInstanceOf(Verification.Verified.class);   // every cache is read now
    }
    replicas.get(1).broker().rotateKeys();
    Grant after = issue(replicas.get(1));
    assertThat(kid(after)).isNotEqualTo(kid(before));
    clock.advance(Duration.ofSeconds(1));   // the unknown-kid re-read is rate limited (or the NOTIFY came first)
    for (Replica r : replicas) {
      assertThat(verify(r, after)).isInstanceOf(Verification.Verified.class);
      assertThat(verify(r, before)).isInstanceOf(Verification.Verified.class);
    }
    String jwks = replicas.get(0).broker().publicJwks();
    assertThat(kids(jwks)).hasSize(4).contains(kid(before), kid(after));
    for (Replica r : replicas) {
      assertThat(r.broker().publicJwks()).isEqualTo(jwks);
    }
  }

  @Test
  void aReplicaThatGoesAwayLeavesItsKeyTrustedUntilItsRetireAfterThenRefused() throws Exception {
    Scheduler dead = (task, at) -> () -> {};   // no timer of the vanished replica ever runs
    Replica gone = replica("gone", dead, Duration.ofHours(1));
    Instant retireAfter = clock.instant().plus(Duration.ofHours(1)).plus(MAX_TTL).plus(SKEW);
    Grant g = issue(gone);
    gone.keys().close();
    gone.keyPool().close();                     // the JVM is gone: no close(), no retirement
    gone.store().close();
    clock.advance(Duration.ofMinutes(5));
    for (Replica r : replicas) {
      assertThat(verify(r, g)).isInstanceOf(Verification.Verified.class);
    }
    clock.advanceTo(retireAfter.minusNanos(1));
    for (Replica r : replicas) {
      assertThat(kids(r.broker().publicJwks())).contains(kid(g));
    }
    clock.advanceTo(retireAfter);
    for (Replica r : replicas) {
      assertThat(kids(r.broker().publicJwks())).doesNotContain(kid(g)).hasSize(3);
    }
  }

  @Test
  void aReplicaClosedGracefullyRetiresItsKeyOnceItsLastTokenExpired() throws Exception {
    Replica leaving = replica("leaving", clock, null);
    Grant g = issue(leaving);
    Instant closedAt = clock.instant();
    leaving.close();
    clock.advance(Duration.ofSeconds(1));
    assertThat(verify(replicas.get(0), g)).isInstanceOf(Verification.Verified.class);
    clock.advanceTo(closedAt.plus(MAX_TTL).plus(SKEW).minusNanos(1));
    assertThat(kids(replicas.get(0).broker().publicJwks())).contains(kid(g));
    clock.advanceTo(closedAt.plus(MAX_TTL).plus(SKEW));
    assertThat(kids(replicas.get(0).broker().publicJwks())).doesNotContain(kid(g));
  }

  @Test
  void aGarbageRowInTheTableIsRefusedAndTheOthersStillServe() throws Exception {
    long nb = clock.instant().getEpochSecond();
    SCHEMA.db().execute("INSERT INTO jit_signing_key (kid, jwk, not_before_s, not_before_n, retire_after_s, retire_after_n)"
        + " VALUES ('garbage', '{\"kty\":\"EC\",\"d\":\"SECRET-MATERIAL\"}', " + nb + ", 0, " + (nb + 3600) + ", 0)");
    clock.advance(Duration.ofSeconds(1));
    Grant g = issue(replicas.get(0));
    assertThat(verify(replicas.get(2), g)).isInstanceOf(Verification.Verified.class);
    assertThat(kids(replicas.get(2).broker().publicJwks())).hasSize(3).doesNotContain("garbage");
  }

  @Test
  void aDirectoryOutagePastTheBoundFailsClosed() throws Exception {
    Replica r = replicas.get(0);
    Grant g = issue(replicas.get(1));
    assertThat(verify(r, g)).isInstanceOf(Verification.Verified.class);
    Instant lastRead = clock.instant();
    r.keys().close();
    r.keyPool().close();                        // this replica can no longer read the directory
    clock.advanceTo(lastRead.plus(Duration.ofMinutes(5)).minusNanos(1));
    assertThat(verify(r, g)).isInstanceOf(Verification.Verified.class);
    clock.advanceTo(lastRead.plus(Duration.ofMinutes(5)));
    assertThat(((Verification.Rejected) verify(r, g)).reason()).isEqualTo(Verification.RejectionReason.UNKNOWN_KEY);
    assertThatThrownBy(() -> r.broker().publicJwks()).isInstanceOf(JitException.class);
    assertThat(verify(replicas.get(2), g)).isInstanceOf(Verification.Verified.class);
  }

  @Test
  void aReplicaWhoseKeyCannotBeRegisteredDoesNotStart() {
    HikariDataSource closed = SCHEMA.db().pool("closed-" + System.identityHashCode(this));
    PostgresKeyDirectory keys = PostgresKeyDirectory.builder().dataSource(closed).schema(SCHEMA.db().schema).build();
    closed.close();
    GrantBroker.Builder b = GrantBroker.builder().issuer("https://jit.test").identityVerifier(td.jwtSvidVerifier(AUDIENCE))
        .policy(TestPolicies.work()).auditSink(e -> {}).clock(clock).scheduler(clock)
        .keyDirectory(keys);
    assertThatThrownBy(b::build).isInstanceOf(JitException.class).hasMessageContaining("could not be registered");
    keys.close();
  }

  /** NOTIFY, not polling: the next poll is 12 s away, so within 8 s only the trigger's notification can arrive. */
  @Test
  void aPublicationIsAnnouncedToEveryReplicasSubscribers() throws Exception {
    try (PostgresKeyDirectory a = PostgresKeyDirectory.builder().dataSource(SCHEMA.db().pool("notify-a-" + System.identityHashCode(this)))
            .listenerDataSource(TestDatabase.direct()).schema(SCHEMA.db().schema).pollInterval(Duration.ofSeconds(12)).build();
        PostgresKeyDirectory b = PostgresKeyDirectory.builder().dataSource(SCHEMA.db().pool("notify-b-" + System.identityHashCode(this)))
            .schema(SCHEMA.db().schema).build()) {
      BlockingQueue<String> heard = new LinkedBlockingQueue<>();
      KeyDirectory.Subscription s = a.subscribe(() -> heard.add("change"));
      try {
        assertThat(heard.poll(30, TimeUnit.SECONDS)).as("the catch-up after LISTEN").isNotNull();
        heard.clear();
        Instant now = clock.instant();
        b.publish(new KeyDirectory.PublishedKey("announced", "{\"kty\":\"EC\",\"kid\":\"announced\"}", now,
            now.plus(Duration.ofHours(1))));
        assertThat(heard.poll(8, TimeUnit.SECONDS)).as("the notification of b's publication").isNotNull();
      } finally {
        s.close();
      }
    }
  }

  @Test
  void theBuilderChecksItsArguments() {
    assertThatThrownBy(() -> PostgresKeyDirectory.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessage("dataSource is required");
    assertThatThrownBy(() -> PostgresKeyDirectory.builder().dataSource(null))
        .isInstanceOf(NullPointerException.class).hasMessage("dataSource");
    assertThatThrownBy(() -> PostgresKeyDirectory.builder().schema("Bad-Name"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Bad-Name");
    assertThatThrownBy(() -> PostgresKeyDirectory.builder().pollInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
  }
}
