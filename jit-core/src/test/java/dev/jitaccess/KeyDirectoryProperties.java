package dev.jitaccess;

import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.KeyDirectory;
import dev.jitaccess.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The invariants of keys shared through a {@link KeyDirectory}, whatever the sequence of issues, rotations
 * (explicit and timed), clock jumps and replicas leaving (closed or vanished) and joining:
 * <ul>
 *   <li>every token a replica signed verifies on every live replica until it expires;
 *   <li>every live replica publishes the same JWK Set;
 *   <li>no key is published from its retireAfter on, and every published key is registered.
 * </ul>
 */
class KeyDirectoryProperties {
  static final Duration MAX_TTL = Duration.ofMinutes(10);
  static final String RESOURCE = "postgres://orders";

  enum Kind { ISSUE, ISSUE_AGAIN, ROTATE, ADVANCE, ADVANCE_LONG, CLOSE_AND_REPLACE, VANISH_AND_REPLACE }

  record Op(Kind kind, int replica, int minutes) {}

  record Issued(String token, Instant expiresAt) {}

  /** One replica's timers on the shared manual clock; a vanished replica's timers never run again. */
  static final class ReplicaScheduler implements Scheduler {
    final ManualClock clock;
    volatile boolean dead;

    ReplicaScheduler(ManualClock clock) {
      this.clock = clock;
    }

    @Override
    public Cancellable schedule(Runnable task, Instant at) {
      return clock.schedule(() -> {
        if (!dead) {
          task.run();
        }
      }, at);
    }
  }

  record Replica(GrantBroker broker, ReplicaScheduler scheduler) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op = Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 2),
        Arbitraries.integers().between(0, 200)).as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(40);
  }

  @Property(tries = 60)
  void tokensVerifyEverywhereUntilTheyExpireAndEveryReplicaPublishesTheSameKeys(@ForAll("ops") List<Op> ops)
      throws Exception {
    ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    KeyDirectory directory = KeyDirectory.inMemory();
    GrantStore store = GrantStore.inMemory(clock, clock, Duration.ofSeconds(30));
    List<Replica> live = new ArrayList<>();
    List<Replica> vanished = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      live.add(replica(clock, store, directory));
    }
    List<Issued> issued = new ArrayList<>();
    int task = 0;
    try {
      for (Op op : ops) {
        GrantBroker r = live.get(op.replica()).broker();
        switch (op.kind()) {
          case ISSUE, ISSUE_AGAIN -> {
            Grant g = r.request(Fixtures.request(Fixtures.DEPLOYER).taskId("t" + task++)
                .ttl(MAX_TTL).build());
            issued.add(new Issued(g.token(), g.info().expiresAt()));
          }
          case ROTATE -> r.rotateKeys();
          case ADVANCE -> clock.advance(Duration.ofSeconds(op.minutes() * 3L));   // 0 to 10 minutes
          case ADVANCE_LONG -> clock.advance(Duration.ofMinutes(op.minutes()));
          case CLOSE_AND_REPLACE -> {
            r.close();
            live.set(op.replica(), replica(clock, store, directory));
          }
          case VANISH_AND_REPLACE -> {
            Replica gone = live.get(op.replica());
            gone.scheduler().dead = true;   // no close(), no timer: its key is never retired early nor rotated
            vanished.add(gone);
            live.set(op.replica(), replica(clock, store, directory));
          }
          default -> throw new IllegalStateException(op.kind().name());
        }
        check(clock, directory, live.stream().map(Replica::broker).toList(), issued);
      }
    } finally {
      live.forEach(x -> x.broker().close());
      vanished.forEach(x -> x.broker().close());
    }
  }

  private static void check(ManualClock clock, KeyDirectory directory, List<GrantBroker> live, List<Issued> issued)
      throws Exception {
    Instant now = clock.instant();
    for (Issued i : issued) {
      if (now.isBefore(i.expiresAt())) {
        for (GrantBroker r : live) {
          Verification v = r.verifier().verify(i.token(), RESOURCE);
          assertThat(v).as("a live token on every replica at %s", now).isInstanceOf(Verification.Verified.class);
        }
      }
    }
    String jwks = live.get(0).publicJwks();
    for (GrantBroker r : live) {
      assertThat(r.publicJwks()).isEqualTo(jwks);
    }
    Set<String> published = JWKSet.parse(jwks).getKeys().stream().map(JWK::getKeyID).collect(Collectors.toSet());
    Set<String> registered = directory.keys(now).stream().filter(k -> k.trustedAt(now))
        .map(KeyDirectory.PublishedKey::kid).collect(Collectors.toSet());
    assertThat(published).isEqualTo(registered);
  }

  private static Replica replica(ManualClock clock, GrantStore store, KeyDirectory directory) {
    ReplicaScheduler scheduler = new ReplicaScheduler(clock);
    return new Replica(GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(Fixtures.allowAll(MAX_TTL)).clock(clock).scheduler(scheduler).auditSink(e -> {}).store(store)
        .maxTtl(MAX_TTL).maxGrantsPerIdentity(1_000).keyRotation(Duration.ofHours(1)).keyDirectory(directory).build(),
        scheduler);
  }
}
