package dev.jitaccess.examples;

import com.nimbusds.jose.jwk.JWKSet;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.jitaccess.AuditTrail;
import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.JitException;
import dev.jitaccess.Verification;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spi.IdentityVerifier;
import dev.jitaccess.store.postgres.PostgresApprovalHandler;
import dev.jitaccess.store.postgres.PostgresAuditSink;
import dev.jitaccess.store.postgres.PostgresGrantStore;
import dev.jitaccess.store.postgres.PostgresKeyDirectory;
import dev.jitaccess.store.postgres.PostgresSchema;
import dev.jitaccess.testkit.ManualClock;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/**
 * Two replicas of one service, two brokers sharing one PostgreSQL database (README "Running several
 * replicas"): a grant issued on replica A verifies on replica B; a task revoked on B is refused on A;
 * a deployment waiting for approval on A is approved through B and completes on A; both replicas'
 * audit records form one hash chain that verifies; and each replica signs with its own key, registered
 * in the database's key directory, while both publish the same JWK Set. Each replica has its own connection pool, store,
 * audit sink and approval handler, as two JVMs would; the region between the {@code README:replicas}
 * markers is copied into README.md verbatim (a test checks it).
 */
public final class TwoReplicas {
  private static final String DATABASE = "postgres://orders-db.prod.example.org/orders";

  private TwoReplicas() {}

  /**
   * What happened.
   *
   * @param issuedOnAVerifiedOnB the backup grant issued on A, verified by B's verifier
   * @param revokedOnB how many grants B's {@code revokeTask} ended
   * @param refusedOnA the same token verified on A after the revocation on B
   * @param approvedThroughB the deployment grant A issued once B recorded the approval, verified on B
   * @param approvers who approved the deployment
   * @param audit the shared audit trail's verification
   * @param publishedKeys how many keys both replicas publish (one each)
   * @param sameJwks whether both replicas' {@code publicJwks()} are the same text
   */
  public record Result(Verification issuedOnAVerifiedOnB, int revokedOnB, Verification refusedOnA,
      Verification approvedThroughB, List<String> approvers, AuditTrail.Check audit, int publishedKeys,
      boolean sameJwks) {
    /** Copies the list. */
    public Result {
      approvers = List.copyOf(approvers);
    }
  }

  /** One replica: its broker and the PostgreSQL parts it was built from. */
  record Replica(GrantBroker broker, PostgresAuditSink audit, PostgresApprovalHandler approvals,
      PostgresKeyDirectory keys) implements AutoCloseable {
    @Override
    public void close() {
      broker.close();
      approvals.close();
      keys.close();
    }
  }

  /**
   * Runs the scenario in {@code schema}, replica A on {@code poolA} and replica B on {@code poolB} (two
   * pools of one database), printing to {@code out}.
   */
  public static Result run(PrintStream out, DataSource poolA, DataSource poolB, String schema) {
    Narrator n = new Narrator(out);
    n.title("Two replicas, one database: grants, revocation, approvals and audit shared through PostgreSQL");
    Scene scene = new Scene(out);
    try (Replica a = replica(poolA, schema, scene.clock, scene.domain.jwtSvidVerifier(Scene.BROKER_AUDIENCE),
            scene.policy);
        Replica b = replica(poolB, schema, scene.clock, scene.domain.jwtSvidVerifier(Scene.BROKER_AUDIENCE),
            scene.policy)) {
      String jwks = a.broker().publicJwks();
      boolean sameJwks = jwks.equals(b.broker().publicJwks());
      int publishedKeys = keyCount(jwks);
      n.step("keys", "each replica signs with its own key; both publish the same " + publishedKeys
          + " public keys: " + sameJwks);

      Grant backup = a.broker().request(GrantRequest.builder()
          .credential(Credential.jwtSvid(scene.svid("/jobs/backup", "storage-team")))
          .taskId("backup-2030-01-15").purpose("backup").environment("prod")
          .resource(DATABASE).actions("read").ttl(Duration.ofMinutes(30)).build());
      n.step("replica A", "issued " + backup.id() + " to the backup job");
      Verification onB = b.broker().verifier().verify(backup.token(), DATABASE);
      n.verification("replica B verifies it", onB);

      int revoked = b.broker().revokeTask("backup-2030-01-15");
      n.step("replica B", "revokeTask(backup-2030-01-15) ended " + revoked + " grant(s)");
      // A hears of it through its change feed within the store's maxStaleness (5 s by default); past that
      // bound A reads the database instead of its cache, so after it the refusal is certain.
      scene.clock.advance(Duration.ofSeconds(6));
      Verification onA = a.broker().verifier().verify(backup.token(), DATABASE);
      n.verification("replica A verifies it again", onA);

      CompletableFuture<Grant> deploy = a.broker().requestAsync(GrantRequest.builder()
          .credential(Credential.jwtSvid(scene.svid("/ci/deploy", "platform-team")))
          .taskId("deploy-2030.01.15-1").purpose("deploy").environment("prod")
          .resource(DATABASE).actions("write").ttl(Duration.ofMinutes(5)).build()).toCompletableFuture();
      PostgresApprovalHandler.PendingApproval ticket = b.approvals().pending().get(0);
      n.step("replica B", "sees ticket " + ticket.approvalId() + " of " + ticket.requesterId() + " waiting on A");
      b.approvals().approve(ticket.approvalId(), "alice", "reviewed the migration");
      Grant deployGrant = await(deploy);   // A hears of the decision through NOTIFY (or its polling)
      n.step("replica A", "issued " + deployGrant.id() + " once alice approved through B");
      Verification approved = b.broker().verifier().verify(deployGrant.token(), DATABASE);
      n.verification("replica B verifies the deployment grant", approved);
      deployGrant.close();

      AuditTrail.Check check = a.audit().verify();
      n.step("audit", check.records() + " records from both replicas in one chain, intact: " + check.intact());
      List<String> approvers = deployGrant.info().approvals().stream().map(x -> x.approver()).toList();
      return new Result(onB, revoked, onA, approved, approvers, check, publishedKeys, sameJwks);
    }
  }

  /** Builds one replica on its own pool: what every JVM of the service does at start. */
  static Replica replica(DataSource dataSource, String schema, ManualClock clock, IdentityVerifier spiffe,
      RulePolicy policy) {
    // README:replicas:start
    PostgresSchema.of(dataSource, schema).migrate();   // opt-in (or apply the SQL files); replicas migrate once
    PostgresGrantStore store = PostgresGrantStore.builder()
        .dataSource(dataSource).schema(schema).clock(clock)
        .build();                                      // checks the schema version
    PostgresAuditSink audit = PostgresAuditSink.builder()
        .dataSource(dataSource).schema(schema)
        .grantStore(store)                             // a grant commits only with its ISSUED record
        .build();
    PostgresApprovalHandler approvals = PostgresApprovalHandler.builder()
        .dataSource(dataSource).schema(schema).clock(clock)
        .group("dba", "alice", "bob")                  // the same groups on every replica
        .auditSink(audit)
        .build();
    PostgresKeyDirectory keys = PostgresKeyDirectory.builder()
        .dataSource(dataSource).schema(schema)
        .build();                                      // public keys only; private keys stay in this JVM
    GrantBroker.Builder builder = GrantBroker.builder()
        .issuer("https://jit.example.org")
        .identityVerifier(spiffe)
        .policy(policy)
        .store(store)
        .auditSink(audit)
        .approvalHandler(approvals)
        .keyDirectory(keys);                           // its own key, registered before it signs
    // README:replicas:end
    GrantBroker broker = builder.clock(clock).scheduler(clock).build();
    return new Replica(broker, audit, approvals, keys);
  }

  private static Grant await(CompletableFuture<Grant> pending) {
    try {
      return pending.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new JitException("the approved request failed", e.getCause() == null ? e : e.getCause());
    } catch (TimeoutException e) {
      throw new JitException("the approval did not reach replica A within 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JitException("interrupted", e);
    }
  }

  private static int keyCount(String jwks) {
    try {
      return JWKSet.parse(jwks).getKeys().size();
    } catch (java.text.ParseException e) {
      throw new JitException("publicJwks() is not a JWK Set", e);
    }
  }

  /** A small pool (HikariCP) on {@code JIT_PG_URL}, {@code JIT_PG_USER}, {@code JIT_PG_PASSWORD}. */
  static HikariDataSource pool(String name) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(env("JIT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/jit_test"));
    cfg.setUsername(env("JIT_PG_USER", "jit"));
    cfg.setPassword(env("JIT_PG_PASSWORD", "jit"));
    cfg.setMaximumPoolSize(4);
    cfg.setPoolName(name);
    return new HikariDataSource(cfg);
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** Runs the scenario on standard output against the database of the environment (schema {@code jit_example}). */
  public static void main(String[] args) {
    try (HikariDataSource a = pool("replica-a"); HikariDataSource b = pool("replica-b")) {
      run(System.out, a, b, "jit_example");
    }
  }
}
