package dev.jitaccess.store.postgres;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.testkit.ManualClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;

/**
 * What the live-counter tests (schema V6 and V7) share: a manual clock, databases and stores closed after each
 * test in reverse order, a live record of an identity and task, and a schema file read from the jar.
 */
abstract class CounterTestSupport {
  private static final AtomicInteger SEQ = new AtomicInteger();
  final ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");
  final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeOpened() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  /** A schema of its own, migrated to the latest version or left empty; closed after the test. */
  TestDatabase database(boolean migrate) {
    TestDatabase db = migrate ? TestDatabase.migrated() : TestDatabase.freshSchema();
    opened.add(db);
    return db;
  }

  /** A store on {@code db}'s schema with its own pool, sweeping only hourly; closed after the test. */
  PostgresGrantStore store(TestDatabase db) {
    PostgresGrantStore s = PostgresGrantStore.builder().dataSource(db.pool("counters-" + SEQ.incrementAndGet()))
        .listenerDataSource(TestDatabase.direct()).schema(db.schema).clock(clock)
        .sweepInterval(Duration.ofHours(1)).build();
    opened.add(s);
    return s;
  }

  /** A live grant of {@code identity} for {@code task}, ten minutes long, with a fresh id. */
  GrantRecord record(String identity, String task) {
    return record("counted-" + SEQ.incrementAndGet(), identity, task);
  }

  /** A live record with the given grant id, of {@code identity} for {@code task}, ten minutes long. */
  GrantRecord record(String grantId, String identity, String task) {
    Instant now = clock.instant();
    GrantInfo info = GrantInfo.builder().grantId(grantId).subject(identity)
        .issuer("https://jit.test").resource("db://x").actions(Set.of("read")).taskId(task).purpose("p")
        .environment("test").issuedAt(now).expiresAt(now.plusSeconds(600)).build();
    return GrantRecord.live(info, null, Instant.MAX);
  }

  /** A file of the jar, such as a migration, as text. */
  static String resource(String path) throws IOException {
    try (InputStream in = PostgresSchema.class.getResourceAsStream("/" + path)) {
      return new String(Objects.requireNonNull(in, path).readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
