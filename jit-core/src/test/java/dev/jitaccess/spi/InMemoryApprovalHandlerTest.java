package dev.jitaccess.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.ApprovalRequirement;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.JitException;
import dev.jitaccess.Credential;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.internal.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The in-memory approval handler, through {@link ApprovalHandler#inMemory} (moved from jit-policy). */
class InMemoryApprovalHandlerTest {
  static final Instant T0 = Instant.parse("2025-03-04T09:00:00Z");

  final ManualClock clock = ManualClock.at(T0);
  final List<ApprovalTicket> notified = new ArrayList<>();
  final InMemoryApprovalHandler handler = ApprovalHandler.inMemory(clock)
      .group("release-managers", "alice", "bob", "carol", "platform-team")
      .group("tiny", "alice")
      .onRequest(notified::add)
      .build();

  static ApprovalTicket ticket(String id, String group, int approvals) {
    WorkloadIdentity requester = WorkloadIdentity.builder("spiffe://prod.example.org/ci/deploy",
        "spiffe://prod.example.org").owner("platform-team").build();
    GrantRequest request = GrantRequest.builder().credential(Credential.jwtSvid("test-token")).purpose("deploy")
        .taskId("task-1").resource("https://api.example.org").actions(List.of("deploy")).environment("prod")
        .ttl(Duration.ofHours(1)).build();
    return new ApprovalTicket(id, requester, request, GrantTerms.of(Set.of("deploy"), Duration.ofMinutes(15)),
        new ApprovalRequirement(group, approvals, Duration.ofMinutes(30)), List.of("ci-deploy-prod"), T0,
        T0.plus(Duration.ofMinutes(30)));
  }

  @Test
  void oneApprovalCompletesAOneOfMTicket() throws Exception {
    CompletableFuture<ApprovalOutcome> f = handler.requestApproval(ticket("a1", "release-managers", 1)).toCompletableFuture();
    assertThat(notified).hasSize(1);
    assertThat(handler.pending()).extracting(ApprovalTicket::approvalId).containsExactly("a1");
    clock.advanceTo(T0.plusSeconds(60));
    assertThat(handler.approve("a1", "alice", "ship it")).isZero();
    ApprovalOutcome.Approved o = (ApprovalOutcome.Approved) f.get();
    assertThat(o.approvals()).hasSize(1);
    assertThat(o.approvals().get(0).approver()).isEqualTo("alice");
    assertThat(o.approvals().get(0).at()).isEqualTo(T0.plusSeconds(60));
    assertThat(o.approvals().get(0).comment()).isEqualTo("ship it");
    assertThat(handler.pending()).isEmpty();
  }

  @Test
  void nOfMNeedsDistinctApprovers() throws Exception {
    CompletableFuture<ApprovalOutcome> f = handler.requestApproval(ticket("a2", "release-managers", 2)).toCompletableFuture();
    assertThat(handler.approve("a2", "alice", "")).isEqualTo(1);
    assertThatThrownBy(() -> handler.approve("a2", "alice", "again")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already approved");
    assertThat(f).isNotDone();
    assertThat(handler.approve("a2", "bob", "ok")).isZero();
    assertThat(((ApprovalOutcome.Approved) f.get()).approvals()).extracting(a -> a.approver()).containsExactly("alice", "bob");
  }

  @Test
  void theRequesterAndItsOwnerCanNeverApprove() {
    handler.requestApproval(ticket("a3", "release-managers", 1));
    assertThatThrownBy(() -> handler.approve("a3", "spiffe://prod.example.org/ci/deploy", ""))
        .isInstanceOf(JitException.class).hasMessageContaining("rules [ci-deploy-prod]")
        .hasMessageContaining("never approves its own request");
    assertThatThrownBy(() -> handler.approve("a3", "Platform-Team", ""))
        .isInstanceOf(JitException.class).hasMessageContaining("requester's owner");
    assertThat(handler.pending()).hasSize(1);
  }

  @Test
  void approversMustBeInTheGroup() {
    handler.requestApproval(ticket("a4", "release-managers", 1));
    assertThatThrownBy(() -> handler.approve("a4", "mallory", "")).isInstanceOf(JitException.class)
        .hasMessageContaining("not a member of approver group 'release-managers'");
    assertThatThrownBy(() -> handler.reject("a4", "mallory", "")).isInstanceOf(JitException.class);
  }

  @Test
  void ticketsThatCanNeverBeApprovedFailAtOnce() {
    CompletableFuture<ApprovalOutcome> unknown = handler.requestApproval(ticket("a5", "nobody", 1)).toCompletableFuture();
    assertThatThrownBy(unknown::get).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("no approver group 'nobody' is configured");
    CompletableFuture<ApprovalOutcome> tooFew = handler.requestApproval(ticket("a6", "tiny", 2)).toCompletableFuture();
    assertThatThrownBy(tooFew::get).hasMessageContaining("has 1 eligible approver(s), fewer than the 2 required");
    // the owner does not count as eligible
    CompletableFuture<ApprovalOutcome> owner =
        handler.requestApproval(ticket("a7", "release-managers", 4)).toCompletableFuture();
    assertThatThrownBy(owner::get).hasMessageContaining("3 eligible");
    assertThat(handler.pending()).isEmpty();
  }

  @Test
  void oneRejectionRefuses() throws Exception {
    CompletableFuture<ApprovalOutcome> f = handler.requestApproval(ticket("a8", "release-managers", 2)).toCompletableFuture();
    handler.approve("a8", "alice", "");
    handler.reject("a8", "bob", "not today");
    assertThat(f.get()).isEqualTo(new ApprovalOutcome.Rejected("bob", "not today"));
    assertThatThrownBy(() -> handler.approve("a8", "carol", "")).isInstanceOf(IllegalStateException.class)
        .hasMessage("no pending approval 'a8'");
  }

  @Test
  void approvalsTimeOutAtTheDeadline() {
    CompletableFuture<ApprovalOutcome> f = handler.requestApproval(ticket("a9", "release-managers", 1)).toCompletableFuture();
    clock.advanceTo(T0.plus(Duration.ofMinutes(30)).minusNanos(1));
    assertThat(handler.expireDue()).isEmpty();
    clock.advanceTo(T0.plus(Duration.ofMinutes(30)));
    assertThat(handler.expireDue()).containsExactly("a9");
    assertThatThrownBy(f::get).hasMessageContaining("timed out at 2025-03-04T09:30:00Z");
  }

  @Test
  void aLateApprovalIsRefusedAndRefusesTheTicket() {
    CompletableFuture<ApprovalOutcome> f = handler.requestApproval(ticket("a10", "release-managers", 1)).toCompletableFuture();
    clock.advanceTo(T0.plus(Duration.ofHours(1)));
    assertThatThrownBy(() -> handler.approve("a10", "alice", "")).isInstanceOf(JitException.class)
        .hasMessageContaining("timed out");
    assertThat(f).isCompletedExceptionally();
    assertThat(handler.pending()).isEmpty();
  }

  @Test
  void cancelRefusesAndForgets() {
    CompletableFuture<ApprovalOutcome> f = handler.requestApproval(ticket("a11", "release-managers", 1)).toCompletableFuture();
    handler.cancel("a11");
    handler.cancel("a11");
    assertThat(f).isCompletedExceptionally();
    assertThat(handler.pending()).isEmpty();
  }

  @Test
  void duplicateApprovalIdsAreRefused() {
    handler.requestApproval(ticket("a12", "release-managers", 1));
    assertThatThrownBy(() -> handler.requestApproval(ticket("a12", "release-managers", 1)).toCompletableFuture().get())
        .hasMessageContaining("already pending");
  }

  @Test
  void builderIsStrict() {
    assertThatThrownBy(() -> ApprovalHandler.inMemory(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("clock");
    assertThatThrownBy(() -> ApprovalHandler.inMemory(clock).group("g", "a").group("g", "b"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ApprovalHandler.inMemory(clock).group(" ", "a"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ApprovalHandler.inMemory(clock).group("g", "a", " "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ApprovalHandler.inMemory(clock).onRequest(t -> { }).onRequest(t -> { }))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> handler.approve("x", null, "")).isInstanceOf(NullPointerException.class).hasMessage("approver");
  }
}
