package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.AuditTrail;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replicas as three separate JVMs ({@link ReplicaProcess}), each with its own pool, store, audit
 * sink and broker on one schema, their time a {@link FileClock} this test advances. One is killed with
 * SIGKILL in the middle of issuing: its grants still verify on the survivors until they expire, the
 * survivors' sweepers then write each EXPIRED record exactly once, quotas and single use stay exact
 * across the processes, and the shared audit chain verifies after all of it.
 */
class ThreeProcessReplicasTest {
  private TestDatabase db;
  private final List<Child> children = new ArrayList<>();

  /** A replica process and its command pipes. */
  static final class Child {
    final String name;
    final Process process;
    final PrintStream in;
    final BufferedReader out;

    Child(String name, Process process) {
      this.name = name;
      this.process = process;
      this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    void send(String command) {
      in.println(command);
    }

    String read() throws IOException {
      String line = out.readLine();
      assertThat(line).as("a line from replica " + name + " (see its stderr file)").isNotNull();
      return line;
    }

    String ask(String command) throws IOException {
      send(command);
      return read();
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (Child c : children) {
      c.process.destroyForcibly();
      c.process.waitFor(10, TimeUnit.SECONDS);
    }
    if (db != null) {
      db.close();
    }
  }

  private Child start(String name, Path clockFile, Path dir) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx192m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), ReplicaProcess.class.getName(), db.schema,
        clockFile.toString(), name);
    pb.redirectError(dir.resolve(name + ".stderr").toFile());
    Child c = new Child(name, pb.start());
    children.add(c);
    return c;
  }

  private long count(String sql) {
    return db.queryLong(sql);
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aReplicaKilledMidLoadLeavesEveryGuaranteeIntact(@TempDir Path dir) throws Exception {
    db = TestDatabase.migrated();
    Path clockFile = dir.resolve("clock");
    FileClock clock = FileClock.open(clockFile, Instant.parse("2030-01-01T00:00:00Z"));
    Child a = start("a", clockFile, dir);
    Child b = start("b", clockFile, dir);
    Child victim = start("c", clockFile, dir);
    for (Child c : children) {
      assertThat(c.read()).as("replica " + c.name + " starting").isEqualTo("ready");
    }

    // quotas: twelve concurrent requests of one identity over three processes, exactly the quota granted
    for (Child c : children) {
      c.send("burst 4 crash-loop");
    }
    int granted = 0;
    for (Child c : children) {
      String reply = c.read();
      assertThat(reply).startsWith("granted ");
      granted += Integer.parseInt(reply.substring("granted ".length()));
    }
    assertThat(granted).as("grants of one identity across three processes").isEqualTo(ReplicaProcess.QUOTA);

    // the victim is killed with SIGKILL while it issues grants one after another
    victim.send("load 400 victim");
    Map<String, String> victimGrants = new LinkedHashMap<>();
    while (victimGrants.size() < 15) {
      String[] reply = victim.read().split(" ");
      assertThat(reply[0]).as("the victim issuing").isEqualTo("ok");
      victimGrants.put(reply[1], reply[2]);
    }
    victim.process.destroyForcibly();
    assertThat(victim.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(victim.process.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

    // nothing the victim committed lacks its ISSUED record, and every grant it handed out verifies elsewhere
    assertThat(count("SELECT count(*) FROM jit_grant g WHERE NOT EXISTS (SELECT 1 FROM jit_audit x WHERE"
        + " position('\"type\":\"ISSUED\"' IN x.line) > 0 AND position('\"grant_id\":\"' || g.grant_id || '\"' IN x.line) > 0)"))
        .as("grant rows without their ISSUED record").isZero();
    for (Map.Entry<String, String> g : victimGrants.entrySet()) {
      assertThat(a.ask("verify " + g.getValue())).as("victim's grant " + g.getKey() + " on a").isEqualTo("verified");
      assertThat(b.ask("verify " + g.getValue())).as("victim's grant " + g.getKey() + " on b").isEqualTo("verified");
    }

    // single use stays exact with two survivors presenting one token at once
    String[] once = a.ask("issue once-task once-job once").split(" ");
    assertThat(once[0]).isEqualTo("ok");
    a.send("verify " + once[2]);
    b.send("verify " + once[2]);
    List<String> uses = List.of(a.read(), b.read());
    assertThat(uses.stream().filter("verified"::equals).count()).as("verifications of a single-use token").isEqualTo(1);

    // past expiry plus the sweep grace, the survivors' sweepers end every grant, each exactly once
    clock.advance(Duration.ofMinutes(5).plusSeconds(5));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (count("SELECT count(*) FROM jit_grant WHERE state = 'LIVE'") > 0) {
      assertThat(System.nanoTime()).as("the survivors' sweepers ending every grant").isLessThan(deadline);
      Thread.onSpinWait();
    }
    assertThat(count("SELECT count(*) FROM jit_grant WHERE starts_with(identity_id, 'spiffe://example.org/victim-')"))
        .as("the victim's committed grants").isGreaterThanOrEqualTo(victimGrants.size());
    assertThat(count("SELECT count(*) FROM jit_grant g WHERE state = 'EXPIRED' AND (SELECT count(*) FROM jit_audit x"
        + " WHERE position('\"type\":\"EXPIRED\"' IN x.line) > 0"
        + " AND position('\"grant_id\":\"' || g.grant_id || '\"' IN x.line) > 0) <> 1"))
        .as("expired grants without exactly one EXPIRED record").isZero();
    assertThat(count("SELECT count(*) FROM jit_audit x WHERE position('\"type\":\"EXPIRED\"' IN x.line) > 0"))
        .isEqualTo(count("SELECT count(*) FROM jit_grant WHERE state = 'EXPIRED'"));
    for (Map.Entry<String, String> g : victimGrants.entrySet()) {
      assertThat(a.ask("verify " + g.getValue())).as("victim's grant " + g.getKey() + " after expiry").startsWith("rejected");
    }

    // the chain holds every process's records, the dead one's included
    PostgresAuditSink audit = PostgresAuditSink.builder().dataSource(db.pool("verify")).schema(db.schema).build();
    AuditTrail.Check check = audit.verify();
    assertThat(check.intact()).as(check.problem()).isTrue();
    for (Child c : List.of(a, b)) {
      c.send("quit");
      assertThat(c.process.waitFor(30, TimeUnit.SECONDS)).as("replica " + c.name + " stopping").isTrue();
    }
  }
}
