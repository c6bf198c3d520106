package dev.jitaccess.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.Verification;
import dev.jitaccess.testkit.TestTrustDomain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One replica of a service as its own JVM, for {@link ThreeProcessReplicasTest}: its own pool, store (with
 * change feed and sweeper), linked audit sink and broker on the shared schema, its time read from the
 * shared {@link FileClock}. It answers commands on stdin, one line each, on stdout:
 *
 * <ul>
 *   <li>{@code issue <task> <identity> <purpose>}: {@code ok <grantId> <token>} or {@code denied <category>}
 *   <li>{@code burst <n> <identity>}: n concurrent requests of one identity; {@code granted <k>}
 *   <li>{@code load <n> <prefix>}: n requests one after another, each answered as {@code issue} is, then
 *       {@code loaded}
 *   <li>{@code verify <token>}: {@code verified} or {@code rejected <reason>}
 *   <li>{@code quit}
 * </ul>
 * Tokens cross only this test's pipes.
 */
public final class ReplicaProcess {
  static final String AUDIENCE = "jit-broker";
  /** The identity quota every replica applies. */
  static final int QUOTA = 5;

  private ReplicaProcess() {}

  /**
   * Runs a replica.
   *
   * @param args schema, clock file, replica name
   */
  public static void main(String[] args) throws Exception {
    String schema = args[0];
    FileClock clock = FileClock.open(Path.of(args[1]));
    String name = args[2];
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(TestDatabase.URL);
    cfg.setUsername(TestDatabase.USER);
    cfg.setPassword(TestDatabase.PASSWORD);
    cfg.setMaximumPoolSize(6);
    cfg.setMinimumIdle(0);
    cfg.setPoolName(schema + "-" + name);
    cfg.addDataSourceProperty("ApplicationName", schema + "-" + name);
    try (HikariDataSource pool = new HikariDataSource(cfg);
        PostgresGrantStore store = PostgresGrantStore.builder().dataSource(pool)
            .listenerDataSource(TestDatabase.direct(schema + "-feed-" + name)).schema(schema).clock(clock)
            .sweepGrace(Duration.ofSeconds(1)).sweepInterval(Duration.ofSeconds(1)).build()) {
      PostgresAuditSink sink = PostgresAuditSink.builder().dataSource(pool).schema(schema).grantStore(store).build();
      TestTrustDomain td = TestTrustDomain.create("example.org", clock);
      try (GrantBroker broker = GrantBroker.builder().issuer("https://jit.test")
          .identityVerifier(td.jwtSvidVerifier(AUDIENCE))
          .policy(TestPolicies.workAndOnce())
          .store(store).auditSink(sink).clock(clock)
          .signingKey(PostgresReplicasBrokerTest.SIGNING_KEY).maxGrantsPerIdentity(QUOTA).build()) {
        out.println("ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
          String[] c = line.split(" ");
          switch (c[0]) {
            case "issue" -> out.println(issue(broker, td, c[1], c[2], c[3]));
            case "burst" -> out.println("granted " + burst(broker, td, Integer.parseInt(c[1]), c[2]));
            case "load" -> {
              for (int i = 0; i < Integer.parseInt(c[1]); i++) {
                out.println(issue(broker, td, c[2] + "-" + i, c[2] + "-" + i, "work"));
              }
              out.println("loaded");
            }
            case "verify" -> {
              Verification v = broker.verifier().verify(c[1], "db://orders");
              out.println(v instanceof Verification.Rejected r ? "rejected " + r.reason() : "verified");
            }
            case "quit" -> {
              return;
            }
            default -> out.println("unknown command " + c[0]);
          }
        }
      }
    }
  }

  private static String issue(GrantBroker broker, TestTrustDomain td, String task, String identity, String purpose) {
    try {
      Grant g = broker.request(GrantRequest.builder()
          .credential(td.credential("spiffe://example.org/" + identity, AUDIENCE)).purpose(purpose)
          .resource("db://orders").actions("read").environment("prod").taskId(task).ttl(Duration.ofMinutes(5))
          .build());
      return "ok " + g.id() + " " + g.token();
    } catch (AccessDeniedException e) {
      return "denied " + e.category();
    }
  }

  private static int burst(GrantBroker broker, TestTrustDomain td, int n, String identity) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<String>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String task = identity + "-" + ProcessHandle.current().pid() + "-" + i;
        fs.add(pool.submit(() -> issue(broker, td, task, identity, "work")));
      }
      int k = 0;
      for (Future<String> f : fs) {
        if (f.get(60, TimeUnit.SECONDS).startsWith("ok ")) {
          k++;
        }
      }
      return k;
    } finally {
      pool.shutdownNow();
    }
  }
}
