package dev.jitaccess.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.SigningAlgorithm;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityVerifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Model-based property of the grant lifecycle: for any sequence of operations (request, revoke by grant,
 * task or identity, heartbeat, close, time passing), a grant's token verifies if and only if the model
 * says the grant is live.
 */
class LifecycleStateMachineProperties {
  static final String[] IDENTITIES = {"spiffe://example.org/a", "spiffe://example.org/b"};
  static final String[] TASKS = {"t1", "t2", "t3"};

  sealed interface Op permits Request, Revoke, RevokeTask, RevokeIdentity, Renew, Close, Advance {}

  record Request(int identity, int task, int ttlSeconds, boolean idle) implements Op {}

  record Revoke(int index) implements Op {}

  record RevokeTask(int task) implements Op {}

  record RevokeIdentity(int identity) implements Op {}

  record Renew(int index) implements Op {}

  record Close(int index) implements Op {}

  record Advance(int seconds) implements Op {}

  /** The model of one grant. */
  static final class Model {
    final String identity;
    final String task;
    final Instant expiresAt;
    final Duration idle;
    Instant idleDeadline;
    boolean ended;

    Model(String identity, String task, Instant now, Duration ttl, Duration idle) {
      this.identity = identity;
      this.task = task;
      this.expiresAt = now.plus(ttl);
      this.idle = idle;
      this.idleDeadline = idle == null ? Instant.MAX : min(now.plus(idle), expiresAt);
    }

    boolean live(Instant now) {
      return !ended && now.isBefore(expiresAt) && now.isBefore(idleDeadline);
    }

    static Instant min(Instant a, Instant b) {
      return a.isBefore(b) ? a : b;
    }
  }

  /** Each presentation is a freshly issued credential (issued now), as a workload re-fetching its SVID. */
  static final class Identities implements IdentityVerifier {
    private final java.time.Clock clock;

    Identities(java.time.Clock clock) {
      this.clock = clock;
    }

    @Override
    public boolean supports(Credential credential) {
      return true;
    }

    @Override
    public IdentityResult verify(Credential credential) {
      return IdentityResult.verified(WorkloadIdentity.builder(((Credential.Token) credential).value(),
          "spiffe://example.org").kind("jwt-svid").issuedAt(clock.instant())
          .owner("team-test") // one owner: the identities share tasks (issue 14 #13 binds a task to its owner)
          .build());
    }
  }

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<Op> request = Combinators.combine(Arbitraries.integers().between(0, 1), Arbitraries.integers().between(0, 2),
        Arbitraries.oneOf(Arbitraries.integers().between(1, 600), Arbitraries.of(60, 90, 120, 300)),
        Arbitraries.of(true, false)).as(Request::new);
    Arbitrary<Integer> index = Arbitraries.integers().between(0, 30);
    Arbitrary<Op> op = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, request),
        net.jqwik.api.Tuple.of(1, index.map(Revoke::new)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 2).map(RevokeTask::new)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 1).map(RevokeIdentity::new)),
        net.jqwik.api.Tuple.of(2, index.map(Renew::new)),
        net.jqwik.api.Tuple.of(1, index.map(Close::new)),
        // time steps favour the edges: exactly at and one second either side of the 90 s idle timeout
        net.jqwik.api.Tuple.of(4, Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 400)),
            net.jqwik.api.Tuple.of(3, Arbitraries.of(1, 30, 60, 89, 90, 91, 300, 600))).map(Advance::new)));
    return op.list().ofMinSize(1).ofMaxSize(40);
  }

  @Property(tries = 150)
  void aTokenVerifiesIfAndOnlyIfItsGrantIsLive(@ForAll("operations") List<Op> ops) {
    ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    try (GrantBroker broker = GrantBroker.builder().issuer("https://jit.test")
        .identityVerifier(new Identities(clock))
        .policy(ctx -> {
          GrantTerms terms = GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10));
          if (ctx.request().attributes().containsKey("idle")) {
            terms = terms.withIdleTimeout(Duration.ofSeconds(90));
          }
          return new Decision.Allow(terms, List.of("p"), List.of(), "");
        })
        .algorithm(SigningAlgorithm.EDDSA)
        .clockSkew(Duration.ZERO)
        .clock(clock).scheduler(clock).auditSink(e -> {}).maxGrantsPerTask(1000).build()) {
      List<Grant> grants = new ArrayList<>();
      List<Model> models = new ArrayList<>();
      java.util.Map<String, Instant> revokedAt = new java.util.HashMap<>();
      for (Op op : ops) {
        Instant now = clock.instant();
        if (op instanceof Request) {
          Request r = (Request) op;
          GrantRequest.Builder b = GrantRequest.builder().credential(Credential.jwtSvid(IDENTITIES[r.identity()]))
              .taskId(TASKS[r.task()]).purpose("p").resource("db").actions("read").environment("prod")
              .ttl(Duration.ofSeconds(r.ttlSeconds()));
          if (r.idle()) {
            b.attribute("idle", true);
          }
          Instant revoked = revokedAt.get(IDENTITIES[r.identity()]);
          if (revoked != null && !now.isAfter(revoked)) {
            // the revocation watermark: a credential issued at the revocation instant is refused
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> broker.request(b.build()))
                .isInstanceOf(dev.jitaccess.AccessDeniedException.class).hasMessageContaining("revoked");
            continue;
          }
          grants.add(broker.request(b.build()));
          models.add(new Model(IDENTITIES[r.identity()], TASKS[r.task()], now, Duration.ofSeconds(r.ttlSeconds()),
              r.idle() ? Duration.ofSeconds(90) : null));
        } else if (op instanceof Revoke && !grants.isEmpty()) {
          int i = ((Revoke) op).index() % grants.size();
          assertThat(broker.revoke(grants.get(i).id())).isEqualTo(models.get(i).live(now));
          models.get(i).ended = true;
        } else if (op instanceof Close && !grants.isEmpty()) {
          int i = ((Close) op).index() % grants.size();
          grants.get(i).close();
          models.get(i).ended = true;
        } else if (op instanceof RevokeTask) {
          String task = TASKS[((RevokeTask) op).task()];
          long expected = models.stream().filter(m -> m.task.equals(task) && m.live(now)).count();
          assertThat(broker.revokeTask(task)).isEqualTo((int) expected);
          models.stream().filter(m -> m.task.equals(task)).forEach(m -> m.ended = true);
        } else if (op instanceof RevokeIdentity) {
          String id = IDENTITIES[((RevokeIdentity) op).identity()];
          long expected = models.stream().filter(m -> m.identity.equals(id) && m.live(now)).count();
          assertThat(broker.revokeIdentity(id)).isEqualTo((int) expected);
          revokedAt.put(id, now);
          models.stream().filter(m -> m.identity.equals(id)).forEach(m -> m.ended = true);
        } else if (op instanceof Renew && !grants.isEmpty()) {
          int i = ((Renew) op).index() % grants.size();
          Model m = models.get(i);
          boolean live = m.live(now);
          assertThat(grants.get(i).renew()).isEqualTo(live);
          if (live && m.idle != null) {
            m.idleDeadline = Model.min(now.plus(m.idle), m.expiresAt);
          }
        } else if (op instanceof Advance) {
          clock.advance(Duration.ofSeconds(((Advance) op).seconds()));
        }
        Instant t = clock.instant();
        for (int i = 0; i < grants.size(); i++) {
          boolean verifies = broker.verifier().verify(grants.get(i).token(), "db").isVerified();
          assertThat(verifies).as("grant %d after %s", i, op).isEqualTo(models.get(i).live(t));
          assertThat(grants.get(i).isLive()).isEqualTo(models.get(i).live(t));
        }
      }
    }
  }
}
