package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore.InsertResult;
import dev.jitaccess.testkit.ManualClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.lifecycle.BeforeTry;
import org.jspecify.annotations.Nullable;

/**
 * The live-grant counters of schema V6 against a model: after any sequence of inserts, single ends, bulk
 * ends, removals, sweeps and hand-made deletions, every counter equals the number of LIVE rows it stands
 * for, and every insert decides exactly as the model of the live grants says (identity quota, task bound
 * to another owner, task quota, in that order).
 */
class PostgresGrantStoreCounterPropertyTest {
  private static final int MAX_PER_IDENTITY = 3;
  private static final int MAX_PER_TASK = 2;
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static @Nullable TestDatabase db;
  private final ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");
  private @Nullable PostgresGrantStore store;

  /** One step of a sequence. */
  sealed interface Op permits Insert, End, EndMany, Remove, DeleteByHand, Sweep {}

  record Insert(int identity, int task, int owner) implements Op {}

  record End(int pick) implements Op {}

  record EndMany(int pick, int count) implements Op {}

  record Remove(int pick) implements Op {}

  record DeleteByHand(int pick) implements Op {}

  record Sweep() implements Op {}

  @BeforeContainer
  static void createSchema() {
    db = TestDatabase.migrated();
  }

  @AfterContainer
  static void dropSchema() {
    if (db != null) {
      db.close();
    }
  }

  @BeforeTry
  void emptyTheTables() {
    java.util.Objects.requireNonNull(db).execute("TRUNCATE jit_grant, jit_used_value, jit_grant_change");
  }

  @BeforeProperty
  void openStore() {
    TestDatabase d = java.util.Objects.requireNonNull(db);
    store = PostgresGrantStore.builder().dataSource(d.pool("counters-" + SEQ.incrementAndGet()))
        .listenerDataSource(TestDatabase.direct()).schema(d.schema).clock(clock)
        .sweepInterval(Duration.ofHours(1)).retention(Duration.ZERO).build();
  }

  @AfterProperty
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Provide
  Arbitrary<List<Op>> sequences() {
    Arbitrary<Op> insert = Combinators.combine(Arbitraries.integers().between(0, 2),
        Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2)).as(Insert::new);
    Arbitrary<Integer> pick = Arbitraries.integers().between(0, 1_000);
    Arbitrary<Op> op = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, insert),
        net.jqwik.api.Tuple.of(2, pick.map(End::new)),
        net.jqwik.api.Tuple.of(1, Combinators.combine(pick, Arbitraries.integers().between(1, 4)).as(EndMany::new)),
        net.jqwik.api.Tuple.of(1, pick.map(Remove::new)),
        net.jqwik.api.Tuple.of(1, pick.map(DeleteByHand::new)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(new Sweep())));
    return op.list().ofMinSize(1).ofMaxSize(30);
  }

  @Property(tries = 20)
  void theCountersFollowTheLiveRowsAndTheQuotasFollowTheModel(@ForAll("sequences") List<Op> ops) {
    PostgresGrantStore s = java.util.Objects.requireNonNull(store);
    List<GrantRecord> live = new ArrayList<>();
    List<String> all = new ArrayList<>();
    for (Op op : ops) {
      if (op instanceof Insert i) {
        GrantRecord r = record(i);
        InsertResult expected = expected(live, r);
        assertThat(s.insert(r, MAX_PER_IDENTITY, MAX_PER_TASK)).as("insert of %s", r.grantId()).isEqualTo(expected);
        if (expected == InsertResult.INSERTED) {
          live.add(r);
          all.add(r.grantId());
        }
      } else if (op instanceof Sweep) {
        s.sweep(); // deletes the counters at zero
      } else if (!all.isEmpty()) {
        apply(s, op, live, all);
      }
      assertThat(counters("SELECT identity_id, live FROM jit_live_by_identity WHERE live <> 0"))
          .isEqualTo(counters("SELECT identity_id, count(*) FROM jit_grant WHERE state = 'LIVE' GROUP BY 1"));
      assertThat(counters("SELECT task_id || '/' || owner, live FROM jit_live_by_task WHERE live <> 0"))
          .isEqualTo(counters("SELECT task_id || '/' || coalesce(owner, delegators[cardinality(delegators)], identity_id),"
              + " count(*) FROM jit_grant WHERE state = 'LIVE' GROUP BY 1"));
    }
  }

  /** Ends or removes grants as {@code op} says, in the store and in the model. */
  private static void apply(PostgresGrantStore s, Op op, List<GrantRecord> live, List<String> all) {
    if (op instanceof End e) {
      String id = all.get(e.pick() % all.size());
      s.update(id, r -> r.state() == GrantState.LIVE ? r.withState(GrantState.EXPIRED, null) : r);
      live.removeIf(r -> r.grantId().equals(id));
    } else if (op instanceof EndMany m) {
      List<String> ids = new ArrayList<>();
      for (int k = 0; k < m.count(); k++) {
        ids.add(all.get((m.pick() + k) % all.size()));
      }
      s.endLive(ids, GrantState.REVOKED, RevocationReason.TASK);
      live.removeIf(r -> ids.contains(r.grantId()));
    } else if (op instanceof Remove r) {
      String id = all.remove(r.pick() % all.size());
      s.remove(id);
      live.removeIf(x -> x.grantId().equals(id));
    } else if (op instanceof DeleteByHand d) {
      String id = all.remove(d.pick() % all.size());
      java.util.Objects.requireNonNull(db).execute("DELETE FROM jit_grant WHERE grant_id = '" + id + "'");
      live.removeIf(x -> x.grantId().equals(id));
    }
  }

  /** What GrantStore.insert must answer, from the model's live grants, in the contract's order. */
  private static InsertResult expected(List<GrantRecord> live, GrantRecord r) {
    if (live.stream().filter(x -> x.info().subject().equals(r.info().subject())).count() >= MAX_PER_IDENTITY) {
      return InsertResult.IDENTITY_QUOTA_EXCEEDED;
    }
    List<GrantRecord> inTask = live.stream().filter(x -> x.info().taskId().equals(r.info().taskId())).toList();
    long owned = inTask.stream().filter(x -> x.taskOwner().equals(r.taskOwner())).count();
    if (owned == 0 && !inTask.isEmpty()) {
      return InsertResult.TASK_BOUND_TO_ANOTHER_OWNER;
    }
    return owned >= MAX_PER_TASK ? InsertResult.TASK_QUOTA_EXCEEDED : InsertResult.INSERTED;
  }

  private GrantRecord record(Insert i) {
    Instant now = clock.instant();
    GrantInfo info = GrantInfo.builder().grantId("cnt-" + SEQ.incrementAndGet())
        .subject("spiffe://example.org/w" + i.identity()).issuer("https://jit.test").resource("db://x")
        .actions(Set.of("read")).taskId("task-" + i.task()).purpose("p").environment("test")
        .owner(i.owner() == 0 ? null : "team-" + i.owner()) // 0: the identity owns the task
        .issuedAt(now).expiresAt(now.plusSeconds(600)).build();
    return GrantRecord.live(info, null, Instant.MAX);
  }

  private static Map<String, Long> counters(String sql) {
    TestDatabase d = java.util.Objects.requireNonNull(db);
    Map<String, Long> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(TestDatabase.URL, TestDatabase.props());
        Statement st = c.createStatement()) {
      st.execute("SET search_path TO " + d.schema);
      try (ResultSet rs = st.executeQuery(sql)) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
    return out;
  }
}
