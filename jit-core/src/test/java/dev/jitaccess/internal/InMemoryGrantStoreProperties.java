package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore.InsertResult;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For any sequence of operations (single updates, bulk ends through {@code endLive} on the slot alone, removes
 * and drops interleaved) the store's indexes, live count and quota answers equal those of a
 * plain model. Times are whole multiples of {@link #STEP} and the clock always sits half a step after
 * one, so no record is ever within Caffeine's one-second eviction granularity of its drop point and the
 * model can be exact.
 */
class InMemoryGrantStoreProperties {
  private static final Duration STEP = Duration.ofSeconds(10);
  private static final Duration RETENTION = STEP;
  private static final int MAX_PER_IDENTITY = 3;
  private static final int MAX_PER_TASK = 4;
  private static final List<String> IDS = List.of("g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9");
  private static final List<String> IDENTITIES = List.of("alice", "bob", "carol");
  private static final List<String> TASKS = List.of("t0", "t1", "t2");

  sealed interface Op permits Insert, Revoke, Expire, EndLive, Renew, Use, Remove, Advance {}

  record Insert(String id, String identity, String task, int lifeSteps) implements Op {}

  record Revoke(String id) implements Op {}

  record Expire(String id) implements Op {}

  /** A bulk end ({@code endLive}, as {@code revokeTask} makes it): ids may repeat, be missing or be ended. */
  record EndLive(List<String> ids, boolean revoke) implements Op {}

  record Renew(String id, int moreSteps) implements Op {}

  record Use(String id) implements Op {}

  record Remove(String id) implements Op {}

  record Advance(int steps) implements Op {}

  /** The model of one record. */
  record Model(String identity, String task, GrantState state, Instant expiresAt) {
    Instant dropAt() {
      return expiresAt.plus(RETENTION);
    }
  }

  @Property(tries = 200)
  void indexesLiveCountAndQuotasMatchAModel(@ForAll("operations") List<Op> ops) {
    ManualClock clock = ManualClock.at("2026-05-01T00:00:00Z");
    Instant t0 = clock.instant();
    InMemoryGrantStore store = new InMemoryGrantStore(clock, clock, RETENTION);
    clock.advance(STEP.dividedBy(2));
    Map<String, Model> model = new HashMap<>();

    for (Op op : ops) {
      Instant now = clock.instant();
      Instant nextStep = t0.plus(STEP.multipliedBy(stepsSince(t0, now) + 1));
      if (op instanceof Insert) {
        Insert in = (Insert) op;
        Instant expiresAt = nextStep.plus(STEP.multipliedBy(in.lifeSteps()));
        InsertResult expected = modelInsert(model, in, expiresAt);
        InsertResult actual =
            store.insert(
                GrantRecords.live(in.id(), in.identity(), in.task(), now, expiresAt),
                MAX_PER_IDENTITY,
                MAX_PER_TASK);
        assertThat(actual).as("%s", op).isEqualTo(expected);
      } else if (op instanceof Revoke) {
        String id = ((Revoke) op).id();
        store.update(id, r -> r.state() == GrantState.LIVE ? GrantRecords.revoked(r) : r);
        model.computeIfPresent(id, (k, m) -> m.state() == GrantState.LIVE ? withState(m, GrantState.REVOKED) : m);
      } else if (op instanceof Expire) {
        String id = ((Expire) op).id();
        store.update(id, r -> r.state() == GrantState.LIVE ? GrantRecords.expired(r) : r);
        model.computeIfPresent(id, (k, m) -> m.state() == GrantState.LIVE ? withState(m, GrantState.EXPIRED) : m);
      } else if (op instanceof EndLive) {
        EndLive end = (EndLive) op;
        GrantState state = end.revoke() ? GrantState.REVOKED : GrantState.EXPIRED;
        List<String> expected = new java.util.ArrayList<>();
        for (String id : end.ids()) {
          Model m = model.get(id);
          if (m != null && m.state() == GrantState.LIVE) {
            model.put(id, withState(m, state));
            expected.add(id);
          }
        }
        List<GrantRecord> ended =
            store.endLive(end.ids(), state, end.revoke() ? dev.jitaccess.RevocationReason.TASK : null);
        assertThat(ended).as("%s", op).extracting(GrantRecord::grantId).containsExactlyElementsOf(expected);
        assertThat(ended).as("%s", op).allMatch(r -> r.state() == state);
      } else if (op instanceof Renew) {
        Renew renew = (Renew) op;
        Instant expiresAt = nextStep.plus(STEP.multipliedBy(renew.moreSteps()));
        store.update(
            renew.id(),
            r -> r.withInfo(GrantRecords.info(r.grantId(), r.info().subject(), r.info().taskId(), now, expiresAt)));
        model.computeIfPresent(renew.id(), (k, m) -> new Model(m.identity(), m.task(), m.state(), expiresAt));
      } else if (op instanceof Use) {
        store.update(((Use) op).id(), GrantRecord::withUse);
      } else if (op instanceof Remove) {
        store.remove(((Remove) op).id());
        model.remove(((Remove) op).id());
      } else {
        clock.advance(STEP.multipliedBy(((Advance) op).steps()));
        store.cleanUp();
        Instant later = clock.instant();
        model.values().removeIf(m -> !m.dropAt().isAfter(later));
      }
      check(store, model);
    }
  }

  private static long stepsSince(Instant t0, Instant now) {
    return Duration.between(t0, now).dividedBy(STEP);
  }

  private static Model withState(Model m, GrantState state) {
    return new Model(m.identity(), m.task(), state, m.expiresAt());
  }

  private static InsertResult modelInsert(Map<String, Model> model, Insert in, Instant expiresAt) {
    if (model.containsKey(in.id())) {
      return InsertResult.DUPLICATE;
    }
    if (live(model, m -> m.identity().equals(in.identity())).size() >= MAX_PER_IDENTITY) {
      return InsertResult.IDENTITY_QUOTA_EXCEEDED;
    }
    if (live(model, m -> m.task().equals(in.task())).size() >= MAX_PER_TASK) {
      return InsertResult.TASK_QUOTA_EXCEEDED;
    }
    model.put(in.id(), new Model(in.identity(), in.task(), GrantState.LIVE, expiresAt));
    return InsertResult.INSERTED;
  }

  private static Set<String> live(Map<String, Model> model, java.util.function.Predicate<Model> filter) {
    return model.entrySet().stream()
        .filter(e -> e.getValue().state() == GrantState.LIVE && filter.test(e.getValue()))
        .map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }

  private static void check(InMemoryGrantStore store, Map<String, Model> model) {
    for (String task : TASKS) {
      assertThat(store.liveByTask(task)).as("live by task %s", task)
          .containsExactlyInAnyOrderElementsOf(live(model, m -> m.task().equals(task)));
    }
    for (String identity : IDENTITIES) {
      assertThat(store.liveByIdentity(identity)).as("live by identity %s", identity)
          .containsExactlyInAnyOrderElementsOf(live(model, m -> m.identity().equals(identity)));
    }
    assertThat(store.liveCount()).as("live count").isEqualTo(live(model, m -> true).size());
    for (String id : IDS) {
      Model m = model.get(id);
      assertThat(store.find(id).map(GrantRecord::state)).as("state of %s", id)
          .isEqualTo(java.util.Optional.ofNullable(m).map(Model::state));
    }
  }

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<String> id = Arbitraries.of(IDS);
    Arbitrary<Op> insert =
        Combinators.combine(id, Arbitraries.of(IDENTITIES), Arbitraries.of(TASKS), Arbitraries.integers().between(0, 4))
            .as(Insert::new);
    Arbitrary<Op> revoke = id.map(Revoke::new);
    Arbitrary<Op> expire = id.map(Expire::new);
    Arbitrary<Op> endLive =
        Combinators.combine(id.list().ofMaxSize(6), Arbitraries.of(true, false)).as(EndLive::new);
    Arbitrary<Op> renew = Combinators.combine(id, Arbitraries.integers().between(0, 6)).as(Renew::new);
    Arbitrary<Op> use = id.map(Use::new);
    Arbitrary<Op> remove = id.map(Remove::new);
    Arbitrary<Op> advance = Arbitraries.integers().between(1, 4).map(Advance::new);
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, insert),
            net.jqwik.api.Tuple.of(2, revoke),
            net.jqwik.api.Tuple.of(2, expire),
            net.jqwik.api.Tuple.of(2, endLive),
            net.jqwik.api.Tuple.of(1, renew),
            net.jqwik.api.Tuple.of(1, use),
            net.jqwik.api.Tuple.of(1, remove),
            net.jqwik.api.Tuple.of(2, advance))
        .list()
        .ofMaxSize(60);
  }
}
