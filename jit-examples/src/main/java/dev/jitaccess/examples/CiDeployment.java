package dev.jitaccess.examples;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.JitException;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.ApprovalTicket;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.spi.InMemoryApprovalHandler;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Scenario 1, CI deployment: the deploy pipeline ({@value #PIPELINE}, a JWT-SVID) gets a 5-minute write
 * grant on the production orders database only after one DBA approves (policy rule {@code
 * ci-deploy-orders-db}, {@link InMemoryApprovalHandler}). The deploy step holds the grant in
 * try-with-resources, so it is revoked when the step ends: COMPLETED when the migration succeeds, FAILED
 * when it throws. Both outcomes are shown.
 */
public final class CiDeployment {
  /** The pipeline's SPIFFE ID. */
  public static final String PIPELINE = "spiffe://prod.example.org/ci/deploy";
  /** The production database, the grant's resource (its token's audience). */
  public static final String DATABASE = "postgres://orders-db.prod.example.org/orders";

  private CiDeployment() {}

  /**
   * What happened.
   *
   * @param requestedTtl the TTL the pipeline asked for
   * @param grantedTtl the TTL it got (the rule's 5 minutes)
   * @param approvers who approved each of the two deploys
   * @param successfulDeploy how the grant of the deploy that succeeded ended, or null if no revocation was seen
   * @param failedDeploy how the grant of the deploy that failed ended, or null if no revocation was seen
   * @param afterDeploy the first deploy's token presented again after the step ended
   * @param audit every audit event
   */
  public record Result(
      Duration requestedTtl,
      Duration grantedTtl,
      List<String> approvers,
      @Nullable RevocationReason successfulDeploy,
      @Nullable RevocationReason failedDeploy,
      Verification afterDeploy,
      List<AuditEvent> audit) {
    /** Copies the lists. */
    public Result {
      approvers = List.copyOf(approvers);
      audit = List.copyOf(audit);
    }
  }

  /** Runs the scenario, printing what happens to {@code out}. */
  public static Result run(PrintStream out) {
    Narrator n = new Narrator(out);
    n.title("1. CI deployment: a 5-minute write grant after one approval, revoked when the step ends");
    Scene scene = new Scene(out);
    InMemoryApprovalHandler dba = ApprovalHandler.inMemory(scene.clock)
        .group("dba", "alice", "bob")
        .onRequest(t -> n.step("approval", "ticket " + t.approvalId() + " sent to group '"
            + t.requirement().approverGroup() + "', needed: " + t.requirement().approvals()
            + ", deadline " + t.deadline()))
        .build();
    Map<String, RevocationReason> ended = new ConcurrentHashMap<>();
    GrantListener onEnd = new GrantListener() {
      @Override
      public void onRevoked(GrantInfo grant, RevocationReason reason) {
        ended.put(grant.grantId(), reason);
        n.step("revoked", grant.grantId() + ", reason " + reason);
      }
    };
    List<String> approvers = new CopyOnWriteArrayList<>();
    try (GrantBroker broker = scene.broker().approvalHandler(dba).listener(onEnd).build()) {
      GrantVerifier database = broker.verifier();

      // Deploy 1: the migration succeeds.
      GrantRequest first = deployRequest(scene, "deploy-2030.01.15-1");
      n.step("request", PIPELINE + " wants " + first.actions() + " on " + DATABASE + " for "
          + Narrator.human(first.ttl()) + " (task " + first.taskId() + ")");
      n.decision(broker.evaluate(first));
      try {
        broker.request(first);
      } catch (AccessDeniedException e) {
        n.step("", "request() refuses (" + e.decision().getClass().getSimpleName()
            + "); requestAsync() waits for the approver");
      }
      Grant grant = approved(broker, dba, first, "alice", n, approvers);
      String firstToken = grant.token();
      try (grant) {
        deployStep(grant, database, n, false);
      }
      Verification after = database.verify(firstToken, VerificationRequest.builder(DATABASE).build());
      n.verification("the token after the step", after);

      // Deploy 2: the migration fails; the grant still ends with the step, as FAILED.
      GrantRequest second = deployRequest(scene, "deploy-2030.01.15-2");
      n.step("request", "the next deploy, task " + second.taskId());
      Grant grant2 = approved(broker, dba, second, "bob", n, approvers);
      try (grant2) {
        deployStep(grant2, database, n, true);
      } catch (IllegalStateException e) {
        n.step("deploy", "the pipeline reports: " + e.getMessage());
      }
      n.say("audit of deploy 1: " + scene.auditOf(grant.id()));
      n.say("audit of deploy 2: " + scene.auditOf(grant2.id()));
      return new Result(first.ttl(), Duration.between(grant.info().issuedAt(), grant.expiresAt()),
          approvers, ended.get(grant.id()), ended.get(grant2.id()), after, scene.audit());
    }
  }

  /** The deploy step: it holds the grant; on failure it ends it as FAILED before try-with-resources closes it. */
  private static void deployStep(Grant grant, GrantVerifier database, Narrator n, boolean migrationFails) {
    try {
      // the database proxy checks the token for this resource, this task and the write scope
      Verification v = database.verify(grant.token(), VerificationRequest.builder(DATABASE)
          .taskId(grant.info().taskId()).requiredActions("write").build());
      n.verification("orders-db proxy", v);
      if (migrationFails) {
        throw new IllegalStateException("migration 0043 failed: column 'eta' already exists");
      }
      n.step("deploy", "migration 0042 applied, step done");
    } catch (RuntimeException e) {
      grant.fail(); // reason FAILED; close() afterwards changes nothing
      throw e;
    }
  }

  private static GrantRequest deployRequest(Scene scene, String taskId) {
    return GrantRequest.builder()
        .credential(Credential.jwtSvid(scene.svid("/ci/deploy", "platform-team")))
        .taskId(taskId)
        .purpose("deploy")
        .resource(DATABASE)
        .actions("write")
        .environment("prod")
        .ttl(Duration.ofMinutes(15)) // the rule clamps it to 5 minutes
        .attribute("pipeline_run", taskId)
        .justification("release 2030.01.15: schema migration")
        .build();
  }

  /** Asks asynchronously, lets a DBA approve the pending ticket, and returns the issued grant. */
  private static Grant approved(GrantBroker broker, InMemoryApprovalHandler dba, GrantRequest request,
      String approver, Narrator n, List<String> approvers) {
    CompletionStage<Grant> pending = broker.requestAsync(request);
    ApprovalTicket ticket = dba.pending().get(0);
    int left = dba.approve(ticket.approvalId(), approver, "reviewed " + request.taskId());
    n.step("approval", approver + " approves " + ticket.approvalId() + ", approvals still needed: " + left);
    approvers.add(approver);
    try {
      // the approval completed the stage on this thread; the bound only guards against a bug
      Grant grant = pending.toCompletableFuture().get(5, TimeUnit.SECONDS);
      n.grant(grant);
      return grant;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof JitException je ? je : new JitException("deploy denied", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JitException("interrupted", e);
    } catch (TimeoutException e) {
      throw new JitException("approval did not complete", e);
    }
  }

  /** Runs the scenario on standard output. */
  public static void main(String[] args) {
    run(System.out);
  }
}
