package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Fixtures.FakeIdentities;
import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.Fixtures.RecordingListener;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.ApprovalOutcome;
import dev.jitaccess.spi.ApprovalTicket;
import dev.jitaccess.spi.AuditEventType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApprovalAndBreakGlassTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final FakeIdentities identities = new FakeIdentities();
  final RecordingAudit audit = new RecordingAudit();
  final RecordingListener listener = new RecordingListener();
  final PendingApprovals approvals = new PendingApprovals();
  GrantBroker broker;

  static final class PendingApprovals implements ApprovalHandler {
    final List<ApprovalTicket> tickets = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<ApprovalOutcome>> pending = new CopyOnWriteArrayList<>();
    final List<String> cancelled = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<ApprovalOutcome> requestApproval(ApprovalTicket ticket) {
      tickets.add(ticket);
      CompletableFuture<ApprovalOutcome> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    }

    @Override
    public void cancel(String approvalId) {
      cancelled.add(approvalId);
    }
  }

  GrantBroker broker(int approvalsNeeded) {
    return GrantBroker.builder().issuer(ISSUER).identityVerifier(identities).clock(clock).scheduler(clock)
        .auditSink(audit).listener(listener).approvalHandler(approvals)
        .policy(ctx -> ctx.request().breakGlass()
            ? new Decision.Allow(GrantTerms.of(ctx.request().actions(), Duration.ofHours(1)).withBreakGlass(true),
                List.of("break-glass"), List.of("overrode prod-approval"), "v1")
            : new Decision.NeedsApproval(GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(5)),
                new ApprovalRequirement("dba", approvalsNeeded, Duration.ofMinutes(30)), List.of("prod-approval"),
                List.of("prod writes need approval"), "v1"))
        .build();
  }

  @AfterEach
  void close() {
    broker.close();
  }

  Approval approval(String who) {
    return new Approval(who, clock.instant(), "looks fine");
  }

  @Test
  void approvedRequestIsIssuedWithTheApprovalRecordInClaimsAndAudit() throws Exception {
    broker = broker(1);
    CompletableFuture<Grant> future = broker.requestAsync(Fixtures.request()).toCompletableFuture();
    assertThat(future).isNotDone();
    assertThat(approvals.tickets).hasSize(1);
    ApprovalTicket ticket = approvals.tickets.get(0);
    assertThat(ticket.requester().id()).isEqualTo(DEPLOYER);
    assertThat(ticket.deadline()).isEqualTo(clock.instant().plus(Duration.ofMinutes(30)));
    clock.advance(Duration.ofMinutes(3));
    approvals.pending.get(0).complete(new ApprovalOutcome.Approved(List.of(approval("alice@example.org"))));
    Grant grant = future.get();
    assertThat(grant.info().approvalId()).contains(ticket.approvalId());
    assertThat(grant.info().approvals()).extracting(Approval::approver).containsExactly("alice@example.org");
    Map<String, Object> tctx = SignedJWT.parse(grant.token()).getJWTClaimsSet().getJSONObjectClaim("tctx");
    assertThat(tctx).containsEntry("approval_id", ticket.approvalId());
    assertThat(tctx.get("approvals").toString()).contains("alice@example.org").contains("looks fine");
    assertThat(audit.types()).containsSubsequence(AuditEventType.REQUESTED, AuditEventType.APPROVAL_REQUESTED,
        AuditEventType.APPROVAL_APPROVED, AuditEventType.ISSUED);
    assertThat(audit.of(AuditEventType.ISSUED).get(0).field("approval_id")).contains(ticket.approvalId());
    // the TTL starts at issuance, not at the request
    assertThat(grant.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
    clock.advance(Duration.ofHours(1)); // the cancelled timeout does not fire later
    assertThat(approvals.cancelled).isEmpty();
  }

  @Test
  void synchronousRequestRefusesAndPointsToRequestAsync() {
    broker = broker(1);
    assertThatThrownBy(() -> broker.request(Fixtures.request()))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("approval required")
        .satisfies(e -> assertThat(((AccessDeniedException) e).decision()).isInstanceOf(Decision.NeedsApproval.class));
  }

  @Test
  void rejectedApprovalIssuesNothing() {
    broker = broker(1);
    CompletableFuture<Grant> future = broker.requestAsync(Fixtures.request()).toCompletableFuture();
    approvals.pending.get(0).complete(new ApprovalOutcome.Rejected("bob@example.org", "not during the freeze"));
    assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("rejected by bob@example.org");
    assertThat(audit.of(AuditEventType.APPROVAL_REJECTED)).hasSize(1);
    assertThat(audit.of(AuditEventType.ISSUED)).isEmpty();
  }

  @Test
  void approvalTimesOut() {
    broker = broker(1);
    CompletableFuture<Grant> future = broker.requestAsync(Fixtures.request()).toCompletableFuture();
    clock.advance(Duration.ofMinutes(30).minusNanos(1));
    assertThat(future).isNotDone();
    clock.advance(Duration.ofNanos(1));
    assertThat(future).isCompletedExceptionally();
    assertThatThrownBy(future::get).hasCauseInstanceOf(AccessDeniedException.class).hasMessageContaining("timed out");
    assertThat(approvals.cancelled).containsExactly(approvals.tickets.get(0).approvalId());
    // a late approval changes nothing
    approvals.pending.get(0).complete(new ApprovalOutcome.Approved(List.of(approval("alice@example.org"))));
    assertThat(audit.of(AuditEventType.ISSUED)).isEmpty();
    assertThat(audit.of(AuditEventType.APPROVAL_TIMED_OUT)).hasSize(1);
  }

  @Test
  void theRequesterCannotApproveItsOwnRequest() {
    broker = broker(1);
    CompletableFuture<Grant> byId = broker.requestAsync(Fixtures.request()).toCompletableFuture();
    approvals.pending.get(0).complete(new ApprovalOutcome.Approved(List.of(approval(DEPLOYER))));
    assertThatThrownBy(byId::get).hasMessageContaining("cannot approve its own request");
    CompletableFuture<Grant> byOwner = broker.requestAsync(Fixtures.request()).toCompletableFuture();
    approvals.pending.get(1).complete(new ApprovalOutcome.Approved(List.of(approval("team-payments"))));
    assertThatThrownBy(byOwner::get).hasMessageContaining("cannot approve its own request");
    assertThat(audit.of(AuditEventType.ISSUED)).isEmpty();
  }

  @Test
  void twoOfMNeedsTwoDistinctApprovers() throws Exception {
    broker = broker(2);
    CompletableFuture<Grant> same = broker.requestAsync(Fixtures.request()).toCompletableFuture();
    approvals.pending.get(0).complete(new ApprovalOutcome.Approved(List.of(approval("alice"), approval("alice"))));
    assertThatThrownBy(same::get).hasMessageContaining("needs 2 distinct approvers, got 1");
    CompletableFuture<Grant> two = broker.requestAsync(Fixtures.request()).toCompletableFuture();
    approvals.pending.get(1).complete(new ApprovalOutcome.Approved(List.of(approval("alice"), approval("carol"))));
    assertThat(two.get().info().approvals()).hasSize(2);
  }

  @Test
  void failingApprovalHandlerIssuesNothing() {
    broker = broker(1);
    CompletableFuture<Grant> future = broker.requestAsync(Fixtures.request()).toCompletableFuture();
    approvals.pending.get(0).completeExceptionally(new IllegalStateException("chat bot down"));
    assertThatThrownBy(future::get).hasCauseInstanceOf(AccessDeniedException.class);
    assertThat(audit.of(AuditEventType.ISSUED)).isEmpty();
  }

  @Test
  void withoutAnApprovalHandlerAnApprovalDecisionIsADenial() {
    broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(identities).clock(clock).scheduler(clock)
        .auditSink(audit)
        .policy(ctx -> new Decision.NeedsApproval(GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(5)),
            new ApprovalRequirement("dba", 1, Duration.ofMinutes(30)), List.of("r"), List.of(), ""))
        .build();
    assertThat(broker.requestAsync(Fixtures.request()).toCompletableFuture()).isCompletedExceptionally();
  }

  @Test
  void breakGlassGetsAShortForcedTtlAnAlertAndAReviewFlag() throws Exception {
    broker = broker(1);
    Grant grant = broker.request(Fixtures.request(DEPLOYER).taskId("deploy-42").ttl(Duration.ofHours(1)).breakGlass(true)
        .justification("INC-1234 orders db down").build());
    assertThat(Duration.between(grant.info().issuedAt(), grant.expiresAt())).isEqualTo(Duration.ofMinutes(15));
    assertThat(grant.info().breakGlass()).isTrue();
    assertThat(listener.calls).contains("break-glass:" + grant.id());
    assertThat(audit.of(AuditEventType.BREAK_GLASS)).hasSize(1);
    assertThat(audit.of(AuditEventType.ISSUED).get(0).field("break_glass")).contains("true");
    assertThat(audit.of(AuditEventType.ISSUED).get(0).field("justification")).contains("INC-1234 orders db down");
    assertThat(SignedJWT.parse(grant.token()).getJWTClaimsSet().getJSONObjectClaim("tctx"))
        .containsEntry("break_glass", true);
  }
}
