package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AuditTrail;
import dev.jitaccess.JitException;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 16 audit chains of schema version 8 ({@link PostgresAuditSink} with its default chains): where
 * appends go, that they do not wait for each other, that every chain is verified (each kind of tampering
 * is found in a chain other than 0, named in the problem), that the heads anchor every chain, and that an
 * upgrade from version 7 keeps the old chain verifiable as chain 0.
 */
class PostgresAuditChainsTest {
  private static final Instant AT = Instant.parse("2026-12-04T06:00:00Z");
  /** The chain the tampering tests work on. */
  private static final int CHAIN = 5;

  private TestDatabase db;
  private DataSource pool;
  private PostgresAuditSink sink;

  @BeforeEach
  void freshSchema() {
    db = TestDatabase.migrated();
    pool = db.pool("chains");
    sink = PostgresAuditSink.builder().dataSource(pool).schema(db.schema).build();
  }

  @AfterEach
  void dropSchema() {
    db.close();
  }

  /** A grant id whose records prefer {@code chain}: the {@code n}-th such id. */
  private static String grantIdIn(int chain, int n) {
    int found = 0;
    for (int i = 0; ; i++) {
      String id = "grant-" + i;
      if (PostgresAuditSink.preferredChain(id, PostgresAuditSink.CHAINS) == chain && found++ == n) {
        return id;
      }
    }
  }

  private static AuditEvent event(AuditEventType type, String grantId) {
    return new AuditEvent(type, AT, Map.of(AuditEvent.GRANT_ID, grantId));
  }

  /** Records {@code perChain} events in every chain, one after another (so each goes to its preferred chain). */
  private void fillEveryChain(int perChain) {
    for (int n = 0; n < perChain; n++) {
      for (int chain = 0; chain < PostgresAuditSink.CHAINS; chain++) {
        sink.record(event(AuditEventType.ISSUED, grantIdIn(chain, n)));
      }
    }
  }

  /** Without contention a grant's records all land in the chain its id chooses, in order. */
  @Test
  void aGrantsRecordsLandInOneChainInOrder() {
    String id = grantIdIn(CHAIN, 0);
    sink.record(event(AuditEventType.ISSUED, id));
    sink.record(event(AuditEventType.VERIFIED, id));
    sink.record(event(AuditEventType.REVOKED, id));
    assertThat(db.queryLong("SELECT count(*) FROM jit_audit WHERE chain = " + CHAIN)).isEqualTo(3);
    assertThat(db.queryLong("SELECT count(*) FROM jit_audit WHERE chain = " + CHAIN
        + " AND seq = 3 AND line LIKE '%\"type\":\"REVOKED\"%'")).isEqualTo(1);
    assertThat(sink.head().chains().get(CHAIN).seq()).isEqualTo(3);
    assertThat(sink.verify()).isEqualTo(new AuditTrail.Check(true, 3, 0, ""));
  }

  /**
   * Regression guard for the one head row every append waited on: while another transaction holds the
   * preferred chain's head (uncommitted, as a grant's insert does until its commit), an append takes the
   * next free chain and commits at once instead of waiting for that transaction.
   */
  @Test
  void anAppendDoesNotWaitForATransactionHoldingItsChain() throws Exception {
    String id = grantIdIn(CHAIN, 0);
    try (Connection held = pool.getConnection()) {
      held.setAutoCommit(false);
      sink.append(held, event(AuditEventType.ISSUED, grantIdIn(CHAIN, 1))); // holds chain 5's head
      CompletableFuture<Void> other = CompletableFuture.runAsync(() -> sink.record(event(AuditEventType.ISSUED, id)));
      other.get(30, TimeUnit.SECONDS); // it would wait for held's commit, which comes only after this line
      assertThat(db.queryLong("SELECT count(*) FROM jit_audit WHERE chain = " + (CHAIN + 1))).isEqualTo(1);
      held.commit();
    }
    assertThat(db.queryLong("SELECT count(*) FROM jit_audit WHERE chain = " + CHAIN)).isEqualTo(1);
    assertThat(sink.verify()).isEqualTo(new AuditTrail.Check(true, 2, 0, ""));
  }

  /** A transaction appending twice reuses the head it holds, so two appenders never wait for each other in a cycle. */
  @Test
  void aTransactionAppendingTwiceNeverWaitsForItself() throws Exception {
    try (Connection held = pool.getConnection()) {
      held.setAutoCommit(false);
      sink.append(held, event(AuditEventType.REVOKED, grantIdIn(CHAIN, 0)));
      sink.append(held, event(AuditEventType.REVOKED, grantIdIn(CHAIN, 1)));
      held.commit();
    }
    assertThat(db.queryLong("SELECT count(*) FROM jit_audit WHERE chain = " + CHAIN)).isEqualTo(2);
    assertThat(sink.verify().intact()).isTrue();
  }

  /** Every chain exports to a file that the file trail's verifier accepts; together they hold every record. */
  @Test
  void everyChainExportsToAFileThatAuditTrailVerifies(@TempDir Path dir) throws IOException {
    fillEveryChain(2);
    long total = 0;
    for (int chain = 0; chain < PostgresAuditSink.CHAINS; chain++) {
      Path file = dir.resolve("chain-" + chain + ".jsonl");
      try (OutputStream out = Files.newOutputStream(file)) {
        total += sink.exportJsonLines(chain, out);
      }
      assertThat(AuditTrail.verify(file)).isEqualTo(new AuditTrail.Check(true, 2, 0, ""));
    }
    assertThat(total).isEqualTo(2L * PostgresAuditSink.CHAINS);
    assertThat(sink.verify()).isEqualTo(new AuditTrail.Check(true, 2 * PostgresAuditSink.CHAINS, 0, ""));
  }

  /** A changed record in chain 5 is reported at itself, with the chain named. */
  @Test
  void tamperedRecordInAnyChainIsDetected() {
    fillEveryChain(4);
    db.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
    db.execute("UPDATE jit_audit SET line = replace(line, 'ISSUED', 'DENIED') WHERE chain = " + CHAIN + " AND seq = 2");
    AuditTrail.Check check = sink.verify();
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(2);
    assertThat(check.records()).isEqualTo(4 * CHAIN + 1);
    assertThat(check.problem()).startsWith("altered").endsWith("in chain " + CHAIN);
  }

  /** A record removed from the middle of chain 5 shows as a gap there. */
  @Test
  void deletedRecordInAnyChainIsDetected() {
    fillEveryChain(4);
    db.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
    db.execute("DELETE FROM jit_audit WHERE chain = " + CHAIN + " AND seq = 2");
    AuditTrail.Check check = sink.verify();
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(2);
    assertThat(check.problem()).startsWith("removed: seq 2 missing").endsWith("in chain " + CHAIN);
  }

  /** Records removed from the end of chain 5 (the last chain holding records, too) leave its head past them. */
  @Test
  void truncatedTailOfAnyChainIsDetected() {
    fillEveryChain(4);
    db.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
    db.execute("DELETE FROM jit_audit WHERE chain = " + CHAIN + " AND seq >= 3");
    AuditTrail.Check check = sink.verify();
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(3);
    assertThat(check.problem()).isEqualTo("truncated: the head names seq 4 but the trail ends at seq 2, in chain " + CHAIN);
    int last = PostgresAuditSink.CHAINS - 1;
    db.execute("DELETE FROM jit_audit WHERE chain = " + last);
    assertThat(sink.verify().problem()).startsWith("truncated: the head names seq 4 but the trail ends at seq 2, in chain "
        + CHAIN); // the first problem is still reported first
    db.execute("ALTER TABLE jit_audit ENABLE TRIGGER USER");
  }

  /** Emptying the last chain entirely is found by its head, though no record of that chain is left to read. */
  @Test
  void emptiedLastChainIsDetected() {
    fillEveryChain(2);
    int last = PostgresAuditSink.CHAINS - 1;
    db.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
    db.execute("DELETE FROM jit_audit WHERE chain = " + last);
    AuditTrail.Check check = sink.verify();
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(1);
    assertThat(check.records()).isEqualTo(2 * last);
    assertThat(check.problem()).isEqualTo("truncated: the head names seq 2 but the trail ends at seq 0, in chain " + last);
  }

  /** A record inserted past chain 5's head, not through an append, is reported there. */
  @Test
  void recordAppendedPastTheHeadOfAnyChainIsDetected() {
    fillEveryChain(2);
    String forged = AuditLine.line(3, AuditLine.body(event(AuditEventType.ISSUED, "forged")),
        sink.head().chains().get(CHAIN).hash());
    db.execute("INSERT INTO jit_audit (chain, seq, line, hash) VALUES (" + CHAIN + ", 3, '" + forged + "', '"
        + AuditLine.hash(forged) + "')");
    AuditTrail.Check check = sink.verify();
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(3);
    assertThat(check.problem()).startsWith("appended past the head").endsWith("in chain " + CHAIN);
  }

  /** A record copied into another chain breaks that chain's links. */
  @Test
  void recordCopiedIntoAnotherChainIsDetected() {
    fillEveryChain(2);
    db.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
    db.execute("ALTER TABLE jit_audit_head DISABLE TRIGGER USER");
    db.execute("DELETE FROM jit_audit WHERE chain = " + (CHAIN + 1) + " AND seq = 2");
    db.execute("INSERT INTO jit_audit (chain, seq, line, hash) SELECT " + (CHAIN + 1) + ", seq, line, hash FROM jit_audit"
        + " WHERE chain = " + CHAIN + " AND seq = 2");
    db.execute("UPDATE jit_audit_head h SET hash = a.hash FROM jit_audit a WHERE a.chain = h.chain AND a.seq = 2"
        + " AND h.chain = " + (CHAIN + 1));
    AuditTrail.Check check = sink.verify();
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(2);
    assertThat(check.problem()).contains("prev does not match the hash of seq 1").endsWith("in chain " + (CHAIN + 1));
  }

  /** Chain 5's tail and head both rewound by a table owner: the heads anchored earlier show it. */
  @Test
  void rewoundHeadOfAnyChainIsDetectedByTheAnchor() {
    fillEveryChain(4);
    PostgresAuditSink.Heads anchor = sink.head();
    assertThat(anchor.records()).isEqualTo(4L * PostgresAuditSink.CHAINS);
    db.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
    db.execute("ALTER TABLE jit_audit_head DISABLE TRIGGER USER");
    db.execute("DELETE FROM jit_audit WHERE chain = " + CHAIN + " AND seq >= 3");
    db.execute("UPDATE jit_audit_head h SET seq = 2, hash = a.hash FROM jit_audit a WHERE a.chain = h.chain"
        + " AND a.seq = 2 AND h.chain = " + CHAIN);
    assertThat(sink.verify().intact()).isTrue();
    AuditTrail.Check check = sink.verify(anchor);
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(3);
    assertThat(check.problem()).isEqualTo("truncated: the anchor names seq 4 but the trail ends at seq 2, in chain " + CHAIN);
    assertThat(sink.verify(sink.head()).intact()).isTrue();
  }

  /** Chain 5 rewritten from its second record on, heads and all: the anchor's hash no longer matches. */
  @Test
  void rewrittenChainIsDetectedByTheAnchor() {
    fillEveryChain(3);
    PostgresAuditSink.Heads anchor = sink.head();
    db.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
    db.execute("ALTER TABLE jit_audit_head DISABLE TRIGGER USER");
    db.execute("DELETE FROM jit_audit WHERE chain = " + CHAIN + " AND seq >= 2");
    db.execute("UPDATE jit_audit_head h SET seq = 1, hash = a.hash FROM jit_audit a WHERE a.chain = h.chain"
        + " AND a.seq = 1 AND h.chain = " + CHAIN);
    db.execute("ALTER TABLE jit_audit_head ENABLE TRIGGER USER");
    for (int i = 0; i < 2; i++) {
      sink.record(event(AuditEventType.DENIED, grantIdIn(CHAIN, 10 + i))); // rewritten history, chained anew
    }
    assertThat(sink.verify().intact()).isTrue();
    AuditTrail.Check check = sink.verify(anchor);
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(3);
    assertThat(check.problem()).startsWith("altered: the hash differs from the anchor taken at seq 3")
        .endsWith("in chain " + CHAIN);
  }

  /** A missing head row fails verification at its chain and head() with the chain named. */
  @Test
  void missingHeadRowIsReported() {
    fillEveryChain(1);
    db.execute("ALTER TABLE jit_audit_head DISABLE TRIGGER USER");
    db.execute("DELETE FROM jit_audit_head WHERE chain = " + CHAIN);
    AuditTrail.Check check = sink.verify();
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).isEqualTo(1);
    assertThat(check.records()).isEqualTo(CHAIN);
    assertThat(check.problem()).startsWith("the head row is missing").endsWith("in chain " + CHAIN);
    assertThatThrownBy(sink::head).isInstanceOf(JitException.class).hasMessageContaining("head row of chain " + CHAIN);
  }

  /** No head row can be added, removed or moved onto another chain's record. */
  @Test
  void headRowsCannotBeAddedOrMovedAcrossChains() {
    fillEveryChain(1);
    assertThatThrownBy(() -> db.execute("INSERT INTO jit_audit_head (chain, seq, hash) VALUES (16, 0, 'GENESIS')"))
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> db.execute("DELETE FROM jit_audit_head WHERE chain = " + CHAIN))
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> db.execute("UPDATE jit_audit_head h SET seq = 2, hash = (SELECT hash FROM jit_audit"
        + " WHERE chain = 0 AND seq = 1) WHERE chain = " + CHAIN)).hasMessageContaining("only move forward");
    assertThatThrownBy(() -> db.execute("UPDATE jit_audit_head SET chain = 0 WHERE chain = " + CHAIN))
        .hasMessageContaining("duplicate key");
    assertThatThrownBy(() -> db.execute("UPDATE jit_audit_head SET chain = 16 WHERE chain = " + CHAIN))
        .hasMessageContaining("check constraint");
    assertThat(sink.verify()).isEqualTo(new AuditTrail.Check(true, PostgresAuditSink.CHAINS, 0, ""));
  }

  /** The append function refuses a chain count or preferred chain out of range. */
  @Test
  void appendFunctionRefusesBadChains() {
    for (String args : List.of("0, 0", "0, 17", "-1, 16", "16, 16", "3, 2", "NULL, 16")) {
      assertThatThrownBy(() -> db.execute("SELECT jit_audit_append('\"type\":\"DENIED\"', " + args + ")"))
          .as(args).hasMessageContaining("chains must be 1 to 16");
    }
    assertThat(sink.verify()).isEqualTo(new AuditTrail.Check(true, 0, 0, ""));
  }

  /** An upgrade from version 7 keeps the old chain as chain 0, verifiable against an anchor taken before. */
  @Test
  void anUpgradeFromV7KeepsTheOldChainAsChainZero() throws IOException, SQLException {
    try (TestDatabase old = TestDatabase.freshSchema()) {
      List<String> scripts = PostgresSchema.scriptResources();
      assertThat(scripts.get(7)).endsWith("/V8__audit_chains.sql");
      DataSource before = old.pool("v7");
      try (Connection c = before.getConnection(); java.sql.Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.execute("SET LOCAL search_path TO " + old.schema);
        for (String path : scripts.subList(0, 7)) {
          s.execute(CounterTestSupport.resource(path));
        }
        c.commit();
      }
      List<String> bodies = new ArrayList<>();
      String lastHash = "";
      try (Connection c = before.getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT out_seq, out_hash FROM " + old.schema + ".jit_audit_append(?)")) {
        for (int i = 1; i <= 3; i++) {
          String body = AuditLine.body(event(AuditEventType.ISSUED, "old-" + i));
          bodies.add(body);
          ps.setString(1, body);
          try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(i);
            lastHash = rs.getString(2);
          }
        }
      }
      assertThat(PostgresSchema.of(old.pool("upgrade"), old.schema).migrate()).isEqualTo(PostgresSchema.latestVersion());
      PostgresAuditSink upgraded = PostgresAuditSink.builder().dataSource(old.pool("after")).schema(old.schema).build();
      PostgresAuditSink.Heads heads = upgraded.head();
      assertThat(heads.chains().get(0)).isEqualTo(new PostgresAuditSink.Head(3, lastHash));
      assertThat(heads.chains().subList(1, PostgresAuditSink.CHAINS)).containsOnly(new PostgresAuditSink.Head(0, "GENESIS"));
      assertThat(upgraded.verify()).isEqualTo(new AuditTrail.Check(true, 3, 0, ""));
      assertThat(old.queryLong("SELECT count(*) FROM jit_audit WHERE chain = 0")).isEqualTo(3);
      upgraded.record(event(AuditEventType.REVOKED, "old-1"));
      upgraded.record(event(AuditEventType.REVOKED, grantIdIn(CHAIN, 0)));
      assertThat(upgraded.verify(heads)).isEqualTo(new AuditTrail.Check(true, 5, 0, ""));
      old.execute("ALTER TABLE jit_audit DISABLE TRIGGER USER");
      old.execute("DELETE FROM jit_audit WHERE chain = 0 AND seq = 3");
      assertThat(upgraded.verify(heads).problem()).endsWith("in chain 0");
    }
  }
}
