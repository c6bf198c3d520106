package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Approval;
import dev.jitaccess.ApprovalRequirement;
import dev.jitaccess.AuditTrail;
import dev.jitaccess.Credential;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.JitException;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.ApprovalOutcome;
import dev.jitaccess.spi.ApprovalTicket;
import dev.jitaccess.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@link PostgresApprovalHandler} across replicas on the real server: a decision through one replica
 * completes the request waiting on another (by NOTIFY, and by polling when no notification comes), a
 * restart loses no ticket and the decision is still recorded and audited, and the in-memory handler's
 * rules hold with case folding. Each test works in a fresh schema; replicas have their own pools.
 */
class PostgresApprovalHandlerTest {
  private static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.secret-credential-payload.sig";

  private final ManualClock clock = ManualClock.at(Instant.parse("2026-12-04T06:00:00Z"));
  private final List<PostgresApprovalHandler> handlers = new ArrayList<>();
  private TestDatabase db;
  private PostgresAuditSink audit;
  private int sequence;

  @BeforeEach
  void freshSchema() {
    db = TestDatabase.migrated();
    audit = PostgresAuditSink.builder().dataSource(db.pool("audit")).schema(db.schema).build();
  }

  @AfterEach
  void dropSchema() {
    handlers.forEach(PostgresApprovalHandler::close);
    db.close();
  }

  private PostgresApprovalHandler replica(String name) {
    PostgresApprovalHandler h = PostgresApprovalHandler.builder().dataSource(db.pool(name)).schema(db.schema)
        .clock(clock).group("release", "alice", "Bob", "carol").auditSink(audit)
        .pollInterval(Duration.ofMillis(100)).build();
    handlers.add(h);
    return h;
  }

  private ApprovalTicket ticket(int approvals, String owner) {
    Instant now = clock.instant();
    Duration timeout = Duration.ofMinutes(30);
    WorkloadIdentity requester = WorkloadIdentity.builder("spiffe://example.org/ci/deploy", "spiffe://example.org")
        .kind("jwt-svid").owner(owner).expiresAt(now.plus(Duration.ofHours(1))).build();
    sequence++;
    GrantRequest request = GrantRequest.builder().credential(Credential.jwtSvid(TOKEN))
        .taskId("deploy-" + sequence).purpose("deploy").resource("db://prod").actions("write")
        .environment("prod").ttl(Duration.ofMinutes(5)).build();
    return new ApprovalTicket("apr-" + sequence + "-" + System.identityHashCode(this), requester, request,
        GrantTerms.of(Set.of("write"), Duration.ofMinutes(5)), new ApprovalRequirement("release", approvals, timeout),
        List.of("needs-release"), now, now.plus(timeout));
  }

  private static ApprovalOutcome await(CompletableFuture<ApprovalOutcome> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  /** An approval recorded through replica B completes the request waiting on replica A. */
  @Test
  void approvalThroughAnotherReplicaCompletesTheWaitingRequest() throws Exception {
    PostgresApprovalHandler a = replica("a");
    PostgresApprovalHandler b = replica("b");
    ApprovalTicket t = ticket(2, "team-ci");
    CompletableFuture<ApprovalOutcome> waiting = a.requestApproval(t).toCompletableFuture();
    assertThat(b.approve(t.approvalId(), "alice", "fine")).isEqualTo(1);
    assertThat(waiting).isNotDone();
    assertThat(b.approve(t.approvalId(), "carol", "fine too")).isZero();
    ApprovalOutcome outcome = await(waiting);
    assertThat(outcome).isInstanceOf(ApprovalOutcome.Approved.class);
    assertThat(((ApprovalOutcome.Approved) outcome).approvals()).extracting(Approval::approver)
        .containsExactlyInAnyOrder("alice", "carol");
  }

  /** A rejection through another replica refuses the waiting request. */
  @Test
  void rejectionThroughAnotherReplicaRefusesTheWaitingRequest() throws Exception {
    PostgresApprovalHandler a = replica("a");
    PostgresApprovalHandler b = replica("b");
    ApprovalTicket t = ticket(1, "team-ci");
    CompletableFuture<ApprovalOutcome> waiting = a.requestApproval(t).toCompletableFuture();
    b.reject(t.approvalId(), "carol", "not now");
    assertThat(await(waiting)).isEqualTo(new ApprovalOutcome.Rejected("carol", "not now"));
  }

  /** With the notification suppressed, the polling fallback still completes the waiting request. */
  @Test
  void pollingCompletesTheRequestWhenNoNotificationArrives() throws Exception {
    PostgresApprovalHandler a = replica("a");
    PostgresApprovalHandler b = replica("b");
    db.execute("ALTER TABLE jit_approval DISABLE TRIGGER jit_approval_decided");
    ApprovalTicket t = ticket(1, "team-ci");
    CompletableFuture<ApprovalOutcome> waiting = a.requestApproval(t).toCompletableFuture();
    b.approve(t.approvalId(), "alice", "fine");
    assertThat(await(waiting)).isInstanceOf(ApprovalOutcome.Approved.class);
  }

  /** A restart loses no ticket: approvers still see it, and their decision is recorded and audited. */
  @Test
  void restartLosesNoTicketAndTheDecisionIsStillRecordedAndAudited() throws Exception {
    PostgresApprovalHandler a = replica("a");
    ApprovalTicket t = ticket(2, "team-ci");
    CompletableFuture<ApprovalOutcome> waiting = a.requestApproval(t).toCompletableFuture();
    a.close(); // the replica goes away with its waiting caller
    assertThatThrownBy(() -> await(waiting)).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("stays pending in the database");

    PostgresApprovalHandler restarted = replica("a-restarted");
    List<PostgresApprovalHandler.PendingApproval> pending = restarted.pending();
    assertThat(pending).hasSize(1);
    PostgresApprovalHandler.PendingApproval p = pending.get(0);
    assertThat(p.approvalId()).isEqualTo(t.approvalId());
    assertThat(p.requesterId()).isEqualTo("spiffe://example.org/ci/deploy");
    assertThat(p.resource()).isEqualTo("db://prod");
    assertThat(p.approvalsNeeded()).isEqualTo(2);
    assertThat(p.deadline()).isEqualTo(t.deadline());

    clock.advance(Duration.ofMinutes(1));
    assertThat(restarted.approve(t.approvalId(), "alice", "ok")).isEqualTo(1);
    assertThat(restarted.pending().get(0).approvals()).extracting(Approval::approver).containsExactly("alice");
    assertThat(replica("b").approve(t.approvalId(), "carol", "ok")).isZero();
    assertThat(restarted.pending()).isEmpty();
    assertThat(db.queryLong("SELECT count(*) FROM jit_approval WHERE state = 'APPROVED'")).isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM jit_audit WHERE line LIKE '%\"type\":\"APPROVAL_APPROVED\"%'"
        + " AND line LIKE '%" + t.approvalId() + "%'")).isEqualTo(2);
    assertThat(audit.verify()).isEqualTo(new AuditTrail.Check(true, 2, 0, ""));
  }

  /** The ticket's facts are stored, never the requester's credential. */
  @Test
  void theCredentialIsNeverStored() {
    PostgresApprovalHandler a = replica("a");
    ApprovalTicket t = ticket(1, "team-ci");
    a.requestApproval(t);
    a.approve(t.approvalId(), "alice", "ok");
    assertThat(db.queryLong("SELECT count(*) FROM jit_approval WHERE row_to_json(jit_approval)::text LIKE '%secret-credential%'"))
        .isZero();
    assertThat(db.queryLong("SELECT count(*) FROM jit_audit WHERE line LIKE '%secret-credential%'")).isZero();
  }

  /** The requester's owner cannot approve, whatever the case of the name. */
  @Test
  void selfApprovalIsRefusedCaseFolded() throws Exception {
    PostgresApprovalHandler a = replica("a");
    ApprovalTicket t = ticket(1, "Alice");
    CompletableFuture<ApprovalOutcome> waiting = a.requestApproval(t).toCompletableFuture();
    assertThatThrownBy(() -> a.approve(t.approvalId(), "ALICE", "me")).isInstanceOf(JitException.class)
        .hasMessageContaining("never approves its own request");
    assertThatThrownBy(() -> a.approve(t.approvalId(), "spiffe://EXAMPLE.org/ci/deploy", "me"))
        .isInstanceOf(JitException.class).hasMessageContaining("never approves its own request");
    assertThat(waiting).isNotDone();
    assertThat(db.queryLong("SELECT count(*) FROM jit_approval_vote")).isZero();
  }

  /** One person approving under two spellings counts once, and is recorded under the group's spelling. */
  @Test
  void distinctApproversAreCaseFolded() throws Exception {
    PostgresApprovalHandler a = replica("a");
    ApprovalTicket t = ticket(2, "team-ci");
    CompletableFuture<ApprovalOutcome> waiting = a.requestApproval(t).toCompletableFuture();
    assertThat(a.approve(t.approvalId(), "bob", "ok")).isEqualTo(1);
    assertThatThrownBy(() -> a.approve(t.approvalId(), "BOB", "again")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("distinct approvers");
    assertThat(waiting).isNotDone();
    a.approve(t.approvalId(), "ALICE", "ok");
    ApprovalOutcome.Approved approved = (ApprovalOutcome.Approved) await(waiting);
    assertThat(approved.approvals()).extracting(Approval::approver).containsExactlyInAnyOrder("Bob", "alice");
  }

  /** Someone outside the group is refused, on approve and on reject. */
  @Test
  void nonMembersAreRefused() {
    PostgresApprovalHandler a = replica("a");
    ApprovalTicket t = ticket(1, "team-ci");
    a.requestApproval(t);
    assertThatThrownBy(() -> a.approve(t.approvalId(), "mallory", "ok")).isInstanceOf(JitException.class)
        .hasMessageContaining("not a member");
    assertThatThrownBy(() -> a.reject(t.approvalId(), "mallory", "no")).isInstanceOf(JitException.class)
        .hasMessageContaining("not a member");
    assertThat(a.pending()).hasSize(1);
  }

  /** At the deadline an approval is refused, the ticket times out, is audited, and the request fails. */
  @Test
  void approvalAtTheDeadlineTimesTheTicketOut() {
    PostgresApprovalHandler a = replica("a");
    PostgresApprovalHandler b = replica("b");
    ApprovalTicket t = ticket(1, "team-ci");
    CompletableFuture<ApprovalOutcome> waiting = a.requestApproval(t).toCompletableFuture();
    clock.advanceTo(t.deadline());
    assertThatThrownBy(() -> b.approve(t.approvalId(), "alice", "late")).isInstanceOf(JitException.class)
        .hasMessageContaining("timed out");
    assertThatThrownBy(() -> await(waiting)).hasMessageContaining("timed out");
    assertThat(db.queryLong("SELECT count(*) FROM jit_approval WHERE state = 'TIMED_OUT'")).isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM jit_audit WHERE line LIKE '%\"type\":\"APPROVAL_TIMED_OUT\"%'"))
        .isEqualTo(1);
    assertThatThrownBy(() -> b.approve(t.approvalId(), "alice", "again")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("timed_out");
  }

  /** expireDue on any replica refuses the due tickets of every replica, exactly at the deadline. */
  @Test
  void expireDueRefusesDueTicketsOfEveryReplica() {
    PostgresApprovalHandler a = replica("a");
    PostgresApprovalHandler b = replica("b");
    ApprovalTicket first = ticket(1, "team-ci");
    CompletableFuture<ApprovalOutcome> waiting = a.requestApproval(first).toCompletableFuture();
    clock.advance(Duration.ofMinutes(1));
    ApprovalTicket second = ticket(1, "team-ci");
    a.requestApproval(second);
    clock.advanceTo(first.deadline().minusNanos(1));
    assertThat(b.expireDue()).isEmpty();
    clock.advanceTo(first.deadline());
    assertThat(b.expireDue()).containsExactly(first.approvalId());
    assertThatThrownBy(() -> await(waiting)).hasMessageContaining("timed out");
    assertThat(a.pending()).extracting(PostgresApprovalHandler.PendingApproval::approvalId)
        .containsExactly(second.approvalId());
  }

  /** Two replicas recording the last two approvals at once: both count, the request is approved once. */
  @Test
  void concurrentApprovalsOnTwoReplicasApproveOnce() throws Exception {
    PostgresApprovalHandler a = replica("a");
    PostgresApprovalHandler b = replica("b");
    PostgresApprovalHandler c = replica("c");
    ApprovalTicket t = ticket(2, "team-ci");
    CompletableFuture<ApprovalOutcome> waiting = a.requestApproval(t).toCompletableFuture();
    CompletableFuture<Integer> byB = CompletableFuture.supplyAsync(() -> b.approve(t.approvalId(), "alice", "ok"));
    CompletableFuture<Integer> byC = CompletableFuture.supplyAsync(() -> c.approve(t.approvalId(), "carol", "ok"));
    assertThat(Set.of(byB.get(20, TimeUnit.SECONDS), byC.get(20, TimeUnit.SECONDS))).isEqualTo(Set.of(0, 1));
    assertThat(((ApprovalOutcome.Approved) await(waiting)).approvals()).hasSize(2);
    assertThat(db.queryLong("SELECT count(*) FROM jit_audit")).isEqualTo(2);
  }

  /** cancel ends the ticket in the database: another replica can no longer approve it. */
  @Test
  void cancelEndsTheTicketForEveryReplica() {
    PostgresApprovalHandler a = replica("a");
    PostgresApprovalHandler b = replica("b");
    ApprovalTicket t = ticket(1, "team-ci");
    CompletableFuture<ApprovalOutcome> waiting = a.requestApproval(t).toCompletableFuture();
    a.cancel(t.approvalId());
    assertThat(waiting).isCompletedExceptionally();
    assertThatThrownBy(() -> b.approve(t.approvalId(), "alice", "ok")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cancelled");
  }

  /** A request is refused at once when its group is missing or too small, or the id is already pending. */
  @Test
  void ineligibleTicketsAreRefusedAtOnce() {
    PostgresApprovalHandler a = replica("a");
    ApprovalTicket tooMany = ticket(3, "alice"); // alice is the owner: two eligible of three needed
    assertThat(a.requestApproval(tooMany).toCompletableFuture()).isCompletedExceptionally();
    ApprovalTicket t = ticket(1, "team-ci");
    a.requestApproval(t);
    assertThatThrownBy(() -> a.requestApproval(t).toCompletableFuture().join())
        .hasMessageContaining("already pending");
    assertThat(a.pending()).hasSize(1);
  }

  /** An unreachable database refuses the request (fail closed) with the cause. */
  @Test
  void unreachableDatabaseRefusesTheRequest() {
    PostgresApprovalHandler a = replica("a");
    PGSimpleDataSource nowhere = new PGSimpleDataSource();
    nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2");
    assertThatThrownBy(() -> PostgresApprovalHandler.builder().dataSource(nowhere).clock(clock).build())
        .isInstanceOf(JitException.class);
    db.execute("ALTER TABLE jit_approval RENAME TO jit_approval_gone");
    ApprovalTicket t = ticket(1, "team-ci");
    assertThatThrownBy(() -> a.requestApproval(t).toCompletableFuture().join())
        .hasCauseInstanceOf(JitException.class).hasMessageContaining("could not record approval");
  }

  /** Builder misuse and bad values are refused with the argument named. */
  @Test
  void builderAndArgumentsRejectBadInput() {
    DataSource pool = db.pool("builder");
    assertThatThrownBy(() -> PostgresApprovalHandler.builder().dataSource(pool).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("clock");
    assertThatThrownBy(() -> PostgresApprovalHandler.builder().clock(clock).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("dataSource");
    assertThatThrownBy(() -> PostgresApprovalHandler.builder().clock(clock).clock(clock))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> PostgresApprovalHandler.builder().group("g", "alice", "ALICE"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same approver");
    assertThatThrownBy(() -> PostgresApprovalHandler.builder().group(" ", "alice"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PostgresApprovalHandler.builder().pollInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
    assertThatThrownBy(() -> PostgresApprovalHandler.builder().dataSource(pool).clock(clock).schema("other_schema")
        .auditSink(audit).build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema");
    PostgresApprovalHandler a = replica("a");
    ApprovalTicket t = ticket(1, "team-ci");
    a.requestApproval(t);
    assertThatThrownBy(() -> a.approve(t.approvalId(), "alice", "nul \u0000"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+0000");
    assertThatThrownBy(() -> a.approve(t.approvalId(), " ", "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> a.approve(null, "alice", "x")).isInstanceOf(NullPointerException.class)
        .hasMessage("approvalId");
    assertThatThrownBy(() -> a.approve("no-such", "alice", "x")).isInstanceOf(IllegalStateException.class);
    assertThat(a.toString()).doesNotContain(TOKEN);
    assertThat(a.pending().stream().map(Object::toString).collect(Collectors.joining())).doesNotContain("secret");
  }
}
