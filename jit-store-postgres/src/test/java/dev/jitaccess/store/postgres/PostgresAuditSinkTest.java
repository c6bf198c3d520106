package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AuditTrail;
import dev.jitaccess.JitException;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@link PostgresAuditSink} on the real server, appending to one chain ({@code chains(1)}, so each
 * tampering case below sits at known seqs of chain 0): valid chains across several sink instances
 * (replicas), and every kind of tampering (a changed record, a removed record, a truncated tail, a rewound
 * head) detected by {@link PostgresAuditSink#verify()}. The same cases in the other chains of the default
 * sink are in {@link PostgresAuditChainsTest}. Each test works in a fresh schema.
 */
class PostgresAuditSinkTest {
  private static final Instant AT = Instant.parse("2026-12-04T06:00:00Z");

  private TestDatabase db;
  private DataSource pool;
  private PostgresAuditSink sink;

  @BeforeEach
  void freshSchema() {
    db = TestDatabase.migrated();
    pool = db.pool("audit");
    sink = PostgresAuditSink.builder().dataSource(pool).schema(db.schema).chains(1).build();
  }

  @AfterEach
  void dropSchema() {
    db.close();
  }

  private static AuditEvent event(int i) {
    return new AuditEvent(AuditEventType.ISSUED, AT.plusSeconds(i),
        Map.of(AuditEvent.GRANT_ID, "grant-" + i, AuditEvent.REASON, "test " + i));
  }

  private void recordEvents(int n) {
    for (int i = 1; i <= n; i++) {
      sink.record(event(i));
    }
  }

  /** Records run from seq 1 without gaps, and the head names the last one. */
  @Test
  void emptyTrailIsIntactAndRecordsChainFromGenesis() {
    assertThat(sink.verify()).isEqualTo(new AuditTrail.Check(true, 0, 0, ""));
    assertThat(sink.head().chains()).hasSize(PostgresAuditSink.CHAINS)
        .containsOnly(new PostgresAuditSink.Head(0, "GENESIS"));
    recordEvents(3);
    assertThat(sink.verify()).isEqualTo(new AuditTrail.Check(true, 3, 0, ""));
    assertThat(sink.head().chains().get(0).seq()).isEqualTo(3);
    assertThat(sink.head().records()).isEqualTo(3);
    assertThat(db.queryLong("SELECT count(*) FROM jit_audit WHERE line LIKE '%\"prev\":\"GENESIS\"}' AND seq = 1"))
        .isEqualTo(1);
  }

  /** The table exports to a JSON-lines file that the file trail's verifier accepts, hash for hash. */
  @Test
  void exportIsAFileThatAuditTrailVerifies(@TempDir Path dir) throws Exception {
    recordEvents(4);
    sink.record(new AuditEvent(AuditEventType.DENIED, AT,
        Map.of(AuditEvent.REASON, "nul \u0000 quote \" newline \n Grüße \uD83D\uDE80 unpaired \uD800")));
    Path file = dir.resolve("audit.jsonl");
    try (OutputStream out = Files.newOutputStream(file)) {
      assertThat(sink.exportJsonLines(0, out)).isEqualTo(5);
    }
    assertThat(AuditTrail.verify(file)).isEqualTo(new AuditTrail.Check(true, 5, 0, ""));
    assertThat(Files.readString(file)).matches("\\p{ASCII}*");
  }

  /** Several sinks, each with its own pool (as replicas), appending at once keep every chain valid. */
  @Test
  void concurrentAppendsFromSeveralSinksKeepEveryChainValid() throws Exception {
    List<PostgresAuditSink> replicas = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      replicas.add(PostgresAuditSink.builder().dataSource(db.pool("replica-" + r)).schema(db.schema).build());
    }
    int perReplica = 60;
    ExecutorService threads = Executors.newFixedThreadPool(6);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int r = 0; r < replicas.size(); r++) {
        PostgresAuditSink replica = replicas.get(r);
        for (int i = 0; i < perReplica; i++) {
          AuditEvent e = new AuditEvent(AuditEventType.VERIFIED, AT, Map.of(AuditEvent.GRANT_ID, "r" + r + "-" + i));
          futures.add(threads.submit(() -> {
            start.await();
            replica.record(e);
            return null;
          }));
        }
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    int total = replicas.size() * perReplica;
    assertThat(sink.verify()).isEqualTo(new AuditTrail.Check(true, total, 0, ""));
    assertThat(sink.head().records()).isEqualTo(total);
    assertThat(PostgresAuditSinkContractTest.bodies(pool, db.schema)).doesNotHaveDuplicates().hasSize(total);
  }

  /** A record whose line was changed (its stored hash left alone) is reported at itself. */
  @Test
  void tamperedRecordIsDetectedAtItself() {
    recordEvents(10);
    db.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
    db.execute("UPDATE jit_audit SET line = replace(line, 'grant-5', 'grant-X') WHERE seq = 5");
    AuditTrail.Check check = sink.verify();
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(5);
    assertThat(check.records()).isEqualTo(4);
    assertThat(check.problem()).startsWith("altered");
  }

  /** A record changed together with its stored hash breaks the next record's link. */
  @Test
  void tamperedRecordWithRecomputedHashIsDetectedAtTheNextLink() {
    recordEvents(10);
    db.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
    String line = queryString("SELECT replace(line, 'grant-5', 'grant-X') FROM jit_audit WHERE seq = 5");
    db.execute("UPDATE jit_audit SET line = '" + line.replace("'", "''") + "', hash = '" + AuditLine.hash(line)
        + "' WHERE seq = 5");
    AuditTrail.Check check = sink.verify();
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(6);
    assertThat(check.problem()).contains("prev does not match the hash of seq 5");
  }

  /** The last record changed with its hash recomputed no longer matches the head. */
  @Test
  void tamperedLastRecordIsDetectedByTheHead() {
    recordEvents(3);
    db.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
    String line = queryString("SELECT replace(line, 'grant-3', 'grant-X') FROM jit_audit WHERE seq = 3");
    db.execute("UPDATE jit_audit SET line = '" + line + "', hash = '" + AuditLine.hash(line) + "' WHERE seq = 3");
    AuditTrail.Check check = sink.verify();
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(3);
    assertThat(check.problem()).contains("does not match the head");
  }

  /** A record deleted from the middle shows as a gap. */
  @Test
  void deletedRecordIsDetected() {
    recordEvents(10);
    db.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
    db.execute("DELETE FROM jit_audit WHERE seq = 5");
    AuditTrail.Check check = sink.verify();
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(5);
    assertThat(check.problem()).startsWith("removed: seq 5 missing");
  }

  /** Records deleted from the end leave the head pointing past the last record. */
  @Test
  void truncatedTailIsDetected() {
    recordEvents(10);
    db.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
    db.execute("DELETE FROM jit_audit WHERE seq >= 8");
    AuditTrail.Check check = sink.verify();
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(8);
    assertThat(check.records()).isEqualTo(7);
    assertThat(check.problem()).startsWith("truncated: the head names seq 10 but the trail ends at seq 7");
  }

  /** A record inserted past the head, not through an append, is reported. */
  @Test
  void recordAppendedPastTheHeadIsDetected() {
    recordEvents(3);
    String forged = AuditLine.line(4, AuditLine.body(event(4)), sink.head().chains().get(0).hash());
    db.execute("INSERT INTO jit_audit (seq, line, hash) VALUES (4, '" + forged + "', '" + AuditLine.hash(forged) + "')");
    AuditTrail.Check check = sink.verify();
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(4);
    assertThat(check.problem()).startsWith("appended past the head");
  }

  /** Tail and head both rewound by a table owner: only an anchor kept elsewhere shows it. */
  @Test
  void rewoundHeadIsDetectedByAnAnchor() {
    recordEvents(10);
    PostgresAuditSink.Heads anchor = sink.head();
    PostgresAuditSink.Head sevenHead = new PostgresAuditSink.Head(7,
        queryString("SELECT hash FROM jit_audit WHERE seq = 7"));
    PostgresAuditSink.Heads seven = withChain(anchor, 0, sevenHead);
    db.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
    db.execute("ALTER TABLE jit_audit_head DISABLE TRIGGER USER");
    db.execute("DELETE FROM jit_audit WHERE seq >= 8");
    db.execute("UPDATE jit_audit_head SET seq = 7, hash = '" + sevenHead.hash() + "' WHERE chain = 0");
    assertThat(sink.verify().intact()).isTrue();
    AuditTrail.Check check = sink.verify(anchor);
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(8);
    assertThat(check.problem()).startsWith("truncated: the anchor names seq 10");
    assertThat(sink.verify(seven).intact()).isTrue();
  }

  /** An anchor whose hash differs from the record at its seq is reported. */
  @Test
  void anchorWithAnotherHashIsReported() {
    recordEvents(3);
    AuditTrail.Check check = sink.verify(withChain(sink.head(), 0, new PostgresAuditSink.Head(2, "not-the-hash")));
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(2);
  }

  /** UPDATE, DELETE and TRUNCATE of records are refused by the database itself. */
  @Test
  void recordsCannotBeUpdatedDeletedOrTruncated() {
    recordEvents(2);
    assertThatThrownBy(() -> db.execute("UPDATE jit_audit SET line = 'x' WHERE seq = 1"))
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> db.execute("DELETE FROM jit_audit WHERE seq = 2")).hasMessageContaining("append-only");
    assertThatThrownBy(() -> db.execute("TRUNCATE jit_audit")).hasMessageContaining("append-only");
    assertThatThrownBy(() -> db.execute("DELETE FROM jit_audit_head")).hasMessageContaining("append-only");
    assertThat(sink.verify()).isEqualTo(new AuditTrail.Check(true, 2, 0, ""));
  }

  /** The head moves only forward, onto a record that exists with the same hash. */
  @Test
  void headCannotMoveBackwardOrOntoAForgedHash() {
    recordEvents(3);
    assertThatThrownBy(() -> db.execute("UPDATE jit_audit_head SET seq = 2 WHERE chain = 0"))
        .hasMessageContaining("only move forward");
    assertThatThrownBy(() -> db.execute("UPDATE jit_audit_head SET seq = 4, hash = 'forged' WHERE chain = 0"))
        .hasMessageContaining("only move forward");
    assertThat(sink.head().chains().get(0).seq()).isEqualTo(3);
  }

  /** An unreachable database fails the record (the broker then refuses to issue), naming the event. */
  @Test
  void unreachableDatabaseFailsTheRecord() {
    PGSimpleDataSource nowhere = new PGSimpleDataSource();
    nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2");
    PostgresAuditSink broken = PostgresAuditSinkTest.unchecked(nowhere, db.schema);
    assertThatThrownBy(() -> broken.record(event(1)))
        .isInstanceOf(JitException.class)
        .hasMessageContaining("could not record ISSUED of grant grant-1")
        .hasCauseInstanceOf(java.sql.SQLException.class);
    assertThatThrownBy(broken::verify).isInstanceOf(JitException.class);
  }

  /** build() checks the schema version: a schema without the tables is refused with the fix named. */
  @Test
  void buildRefusesAnUnmigratedSchema() {
    try (TestDatabase empty = TestDatabase.freshSchema()) {
      assertThatThrownBy(() -> PostgresAuditSink.builder().dataSource(empty.pool("empty")).schema(empty.schema).build())
          .isInstanceOf(JitException.class)
          .hasMessageContaining("migrate()");
    }
  }

  /** Builder misuse: null, set twice, bad schema name, missing data source. */
  @Test
  void builderRejectsBadInput() {
    assertThatThrownBy(() -> PostgresAuditSink.builder().dataSource(null))
        .isInstanceOf(NullPointerException.class).hasMessage("dataSource");
    assertThatThrownBy(() -> PostgresAuditSink.builder().dataSource(pool).dataSource(pool))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("dataSource");
    assertThatThrownBy(() -> PostgresAuditSink.builder().schema("Bad-Name"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Bad-Name");
    assertThatThrownBy(() -> PostgresAuditSink.builder().schema("a").schema("b"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> PostgresAuditSink.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("dataSource");
    assertThatThrownBy(() -> new PostgresAuditSink.Head(-1, "h")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PostgresAuditSink.Head(0, "")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PostgresAuditSink.builder().chains(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
    assertThatThrownBy(() -> PostgresAuditSink.builder().chains(17))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 17");
    assertThatThrownBy(() -> PostgresAuditSink.builder().chains(2).chains(3))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("chains");
    assertThatThrownBy(() -> new PostgresAuditSink.Heads(List.of(new PostgresAuditSink.Head(0, "GENESIS"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 1");
    assertThatThrownBy(() -> sink.exportJsonLines(16, OutputStream.nullOutputStream()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 16");
    assertThatThrownBy(() -> sink.exportJsonLines(-1, OutputStream.nullOutputStream()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
  }

  /** {@code heads} with chain {@code chain}'s head replaced. */
  static PostgresAuditSink.Heads withChain(PostgresAuditSink.Heads heads, int chain, PostgresAuditSink.Head head) {
    List<PostgresAuditSink.Head> all = new ArrayList<>(heads.chains());
    all.set(chain, head);
    return new PostgresAuditSink.Heads(all);
  }

  static PostgresAuditSink unchecked(DataSource ds, String schema) {
    return PostgresAuditSink.unchecked(ds, schema);
  }

  private String queryString(String sql) {
    try (java.sql.Connection c = pool.getConnection(); java.sql.Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + db.schema);
      try (java.sql.ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getString(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
