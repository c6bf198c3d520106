package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Approval;
import dev.jitaccess.ApprovalRequirement;
import dev.jitaccess.Decision;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.ApprovalOutcome;
import dev.jitaccess.spi.ApprovalTicket;
import java.lang.reflect.RecordComponent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import dev.jitaccess.Credential;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the broker's findings of issue 14, each named after the guard it checks. Every
 * test attacks through the public API only and asserts that nothing was issued where it must not be.
 */
class BrokerAttackTest {
  private static final AtomicInteger TASKS = new AtomicInteger();
  private static final String TOOL = "spiffe://example.org/tools/lookup";
  private static final String OTHER_TOOL = "spiffe://example.org/tools/other";

  @AfterAll
  static void stop() {
    Attacks.report();
  }

  static String task() {
    return "bat-" + TASKS.incrementAndGet();
  }

  static Credential svid(Target t, String id) {
    return Credential.jwtSvid(t.svid(id));
  }

  DelegationRequest.Builder toTool(DelegationRequest.Builder b, Target t) {
    return b.credential(svid(t, TOOL)).actions("read").ttl(Duration.ofMinutes(1));
  }

  // ------------------------------------------------------------------ 1: reserved delegation attributes

  @Test
  void reservedDelegationAttributesAreRefusedOnPlainRequests() {
    try (Target t = new Target()) {
      for (String name : List.of("delegation.parent", "delegation.depth", "delegation.delegator", "Delegation.Parent",
          "DELEGATION.anything")) {
        Target.Issued before = t.issued();
        assertThatThrownBy(() -> t.broker.request(t.request(svid(t, TOOL), task()).attribute(name, "g-1").build()))
            .as(name).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        t.assertNothingIssuedSince(before);
        Attacks.tried("broker.request");
      }
      // an ordinary attribute still passes
      assertThat(t.broker.request(t.request(svid(t, Target.WORKLOAD), task()).attribute("ticket", "OPS-1").build())
          .isLive()).isTrue();
    }
  }

  // ------------------------------------------------------------------ 2: single-use parents

  Grant oneShotAgent(Target t) {
    return t.broker.request(t.request(svid(t, Target.WORKLOAD), task(), "one-shot-agent").actions("read").build());
  }

  static Verification use(Target t, String token) {
    return t.broker.verifier().verify(token, VerificationRequest.builder(Target.RESOURCE).build());
  }

  @Test
  void usedSingleUseParentDelegatesNothing() {
    try (Target t = new Target()) {
      Grant parent = oneShotAgent(t);
      assertThat(use(t, parent.token()).isVerified()).isTrue();
      Target.Issued before = t.issued();
      assertThatThrownBy(() -> t.broker.delegate(toTool(DelegationRequest.builder(parent), t).build()))
          .isInstanceOf(AccessDeniedException.class).hasMessageContaining("already used");
      assertThatThrownBy(() -> t.broker.delegate(toTool(DelegationRequest.fromParentToken(parent.token()), t).build()))
          .isInstanceOf(AccessDeniedException.class);
      t.assertNothingIssuedSince(before);
      Attacks.tried("broker.delegate");
    }
  }

  @Test
  void subGrantOfSingleUseParentIsSingleUseAndSpendsTheParentsUse() {
    try (Target t = new Target()) {
      Grant parent = oneShotAgent(t);
      Grant child = t.broker.delegate(toTool(DelegationRequest.builder(parent), t).build());
      assertThat(child.info().singleUse()).isTrue();
      assertThat(use(t, child.token()).isVerified()).isTrue();
      assertThat(((Verification.Rejected) use(t, child.token())).reason())
          .isEqualTo(Verification.RejectionReason.REPLAYED);
      // the one use was handed on: the parent cannot spend it as well
      assertThat(use(t, parent.token()).isVerified()).isFalse();
      Attacks.tried("broker.delegate");
    }
  }

  // ------------------------------------------------------------------ 3: proof of holding the parent

  @Test
  void delegationByBareGrantIdIsRefused() {
    try (Target t = new Target()) {
      Grant victim = t.broker.request(t.request(svid(t, Target.WORKLOAD), task(), "agent").actions("read").build());
      Target.Issued before = t.issued();
      // the id is the token's jti, in toString() and in audit records: it proves nothing
      assertThatThrownBy(() -> t.broker.delegate(toTool(DelegationRequest.fromParentToken(victim.id()), t).build()))
          .isInstanceOf(AccessDeniedException.class);
      t.assertNothingIssuedSince(before);
      Attacks.tried("broker.delegate");
    }
  }

  @Test
  void delegationWithAnotherBrokersGrantHandleIsRefused() {
    try (Target a = new Target(); Target b = new Target()) {
      Grant elsewhere = a.broker.request(a.request(svid(a, Target.WORKLOAD), task(), "agent").actions("read").build());
      Target.Issued before = b.issued();
      assertThatThrownBy(() -> b.broker.delegate(toTool(DelegationRequest.builder(elsewhere), b).build()))
          .isInstanceOf(AccessDeniedException.class).hasMessageContaining("not issued by this broker");
      b.assertNothingIssuedSince(before);
      Attacks.tried("broker.delegate");
    }
  }

  @Test
  void delegationOfDpopBoundParentTokenNeedsItsProof() throws Exception {
    try (Target t = new Target()) {
      ECKey holder = new ECKeyGenerator(Curve.P_256).generate();
      ECKey thief = new ECKeyGenerator(Curve.P_256).generate();
      Grant victim = t.broker.request(t.request(svid(t, Target.WORKLOAD), task(), "agent").actions("read")
          .dpopKey(holder.toPublicJWK().toJSONString()).build());
      String uri = "https://jit.test/token";
      Target.Issued before = t.issued();
      assertThatThrownBy(() -> t.broker.delegate(toTool(DelegationRequest.fromParentToken(victim.token()), t).build()))
          .as("no proof").isInstanceOf(AccessDeniedException.class).hasMessageContaining("PROOF_OF_POSSESSION");
      String forged = GrantVerifierAttackTest.dpopProof(thief, "POST", uri, victim.token(), t.now(), "p-1", "ES256");
      assertThatThrownBy(() -> t.broker.delegate(toTool(DelegationRequest.fromParentToken(victim.token())
          .parentDpop(forged, "POST", uri), t).build()))
          .as("a proof by another key").isInstanceOf(AccessDeniedException.class);
      t.assertNothingIssuedSince(before);
      Attacks.tried("broker.delegate");
      String good = GrantVerifierAttackTest.dpopProof(holder, "POST", uri, victim.token(), t.now(), "p-2", "ES256");
      Grant child = t.broker.delegate(toTool(DelegationRequest.fromParentToken(victim.token())
          .parentDpop(good, "POST", uri), t).build());
      assertThat(child.info().parentGrantId()).contains(victim.id());
    }
  }

  @Test
  void delegationOfBearerParentTokenWorksAndNamesTheRealParent() {
    try (Target t = new Target()) {
      Grant parent = t.broker.request(t.request(svid(t, Target.WORKLOAD), task(), "agent").actions("read").build());
      Grant child = t.broker.delegate(toTool(DelegationRequest.fromParentToken(parent.token()), t).build());
      assertThat(child.info().parentGrantId()).contains(parent.id());
      assertThat(child.info().subject()).isEqualTo(TOOL);
      assertThat(OTHER_TOOL).isNotEqualTo(TOOL);
    }
  }

  @Test
  void grantRequestBuilderRefusesReservedAttributeNames() {
    assertThatThrownBy(() -> GrantRequest.builder().attribute("delegation.parent", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
  }

  // ------------------------------------------------------------------ 7 and 15: approvals

  /** A broker on the target's SVID verifier whose policy needs {@code approvals} approvals. */
  static GrantBroker approvalBroker(Target t, int approvals, ApprovalHandler handler) {
    return GrantBroker.builder().issuer(Target.ISSUER).identityVerifier(t.jwtSvidVerifier)
        .policy(ctx -> new Decision.NeedsApproval(GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10)),
            new ApprovalRequirement("ops", approvals, Duration.ofMinutes(10)), List.of("approve"), List.of(), "v1"))
        .approvalHandler(handler).auditSink(t.audit).clock(t.clock).scheduler(t.clock).build();
  }

  static ApprovalHandler approvingAs(Target t, String... approvers) {
    return ticket -> {
      List<Approval> given = new java.util.ArrayList<>();
      for (String a : approvers) {
        given.add(new Approval(a, t.clock.instant(), ""));
      }
      return CompletableFuture.completedFuture(new ApprovalOutcome.Approved(given));
    };
  }

  static AccessDeniedException refusal(GrantBroker broker, GrantRequest request) {
    try {
      broker.requestAsync(request).toCompletableFuture().join();
    } catch (CompletionException e) {
      return (AccessDeniedException) e.getCause();
    }
    throw new AssertionError("granted");
  }

  @Test
  void approverNormalisationRefusesSelfApprovalInAnotherCase() {
    try (Target t = new Target()) {
      String shouting = Target.WORKLOAD.toUpperCase(java.util.Locale.ROOT);
      for (String self : List.of(shouting, " " + Target.WORKLOAD + " ", "ｓｐｉｆｆｅ://example.org/ci/deploy")) {
        try (GrantBroker broker = approvalBroker(t, 1, approvingAs(t, self))) {
          Target.Issued before = t.issued();
          assertThat(refusal(broker, t.request(svid(t, Target.WORKLOAD), task()).build()))
              .as(self).hasMessageContaining("cannot approve its own request");
          t.assertNothingIssuedSince(before);
          Attacks.tried("broker.requestAsync");
        }
      }
    }
  }

  @Test
  void approverNormalisationCountsCaseVariantsAsOneApprover() {
    try (Target t = new Target(); GrantBroker broker = approvalBroker(t, 2, approvingAs(t, "bob", "BOB"))) {
      Target.Issued before = t.issued();
      assertThat(refusal(broker, t.request(svid(t, Target.WORKLOAD), task()).build()))
          .hasMessageContaining("needs 2 distinct approvers, got 1");
      t.assertNothingIssuedSince(before);
      Attacks.tried("broker.requestAsync");
    }
    try (Target t = new Target(); GrantBroker broker = approvalBroker(t, 2, approvingAs(t, "bob", "alice"))) {
      assertThat(broker.requestAsync(t.request(svid(t, Target.WORKLOAD), task()).build()).toCompletableFuture().join()
          .isLive()).isTrue();
    }
  }

  @Test
  void approvalTicketNeverCarriesTheCredential() {
    try (Target t = new Target()) {
      AtomicReference<ApprovalTicket> seen = new AtomicReference<>();
      ApprovalHandler capturing = ticket -> {
        seen.set(ticket);
        return new CompletableFuture<>();
      };
      String svid = t.svid();
      try (GrantBroker broker = approvalBroker(t, 1, capturing)) {
        broker.requestAsync(t.request(Credential.jwtSvid(svid), task()).build());
        ApprovalTicket ticket = seen.get();
        assertThat(ticket).isNotNull();
        assertThat(ticket.requester().id()).isEqualTo(Target.WORKLOAD);
        for (Class<?> type : List.of(ApprovalTicket.class, ApprovalTicket.RequestFacts.class)) {
          for (RecordComponent c : type.getRecordComponents()) {
            assertThat(c.getType()).as(type.getSimpleName() + "." + c.getName())
                .isNotEqualTo(Credential.class).isNotEqualTo(GrantRequest.class);
          }
        }
        assertThat(ticket.toString()).doesNotContain(svid);
        assertThat(ticket.request().taskId()).startsWith("bat-");
      }
    }
  }

  // ------------------------------------------------------------------ 8: re-check at approval time

  /** A pending approval whose outcome the test gives later, on a policy the test can switch to deny. */
  static final class Waiting {
    final CompletableFuture<ApprovalOutcome> outcome = new CompletableFuture<>();
    final java.util.concurrent.atomic.AtomicBoolean allowed = new java.util.concurrent.atomic.AtomicBoolean(true);
    final GrantBroker broker;
    final Target t;

    Waiting(Target t) {
      this.t = t;
      this.broker = GrantBroker.builder().issuer(Target.ISSUER).identityVerifier(t.jwtSvidVerifier)
          .policy(ctx -> allowed.get()
              ? new Decision.NeedsApproval(GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10)),
                  new ApprovalRequirement("ops", 1, Duration.ofMinutes(30)), List.of("approve"), List.of(), "v1")
              : Decision.deny("withdrawn"))
          .approvalHandler(ticket -> outcome).auditSink(t.audit).clock(t.clock).scheduler(t.clock).build();
    }

    java.util.concurrent.CompletableFuture<Grant> ask() {
      return broker.requestAsync(t.request(svid(t, Target.WORKLOAD), task()).build()).toCompletableFuture();
    }

    void approve() {
      outcome.complete(new ApprovalOutcome.Approved(List.of(new Approval("alice", t.clock.instant(), ""))));
    }
  }

  static AccessDeniedException refusedOf(java.util.concurrent.CompletableFuture<Grant> pending) {
    try {
      pending.join();
    } catch (CompletionException e) {
      return (AccessDeniedException) e.getCause();
    }
    throw new AssertionError("granted");
  }

  @Test
  void approvalRecheckRefusesACredentialThatExpiredWhileWaiting() {
    try (Target t = new Target()) {
      Waiting w = new Waiting(t);
      java.util.concurrent.CompletableFuture<Grant> pending = w.ask();
      t.clock.advance(Duration.ofMinutes(6)); // the 5-minute SVID has expired
      Target.Issued before = t.issued();
      w.approve();
      assertThat(refusedOf(pending)).hasMessageContaining("expired").extracting(AccessDeniedException::category)
          .isEqualTo(dev.jitaccess.DenialCategory.IDENTITY);
      t.assertNothingIssuedSince(before);
      w.broker.close();
    }
  }

  @Test
  void approvalRecheckRefusesWhenThePolicyNoLongerAllows() {
    try (Target t = new Target()) {
      Waiting w = new Waiting(t);
      java.util.concurrent.CompletableFuture<Grant> pending = w.ask();
      w.allowed.set(false); // hot reload while the approver thinks
      Target.Issued before = t.issued();
      w.approve();
      assertThat(refusedOf(pending)).hasMessageContaining("no longer grants");
      t.assertNothingIssuedSince(before);
      w.broker.close();
    }
  }

  @Test
  void approvalRecheckRefusesAnIdentityRevokedWhileWaiting() {
    try (Target t = new Target()) {
      Waiting w = new Waiting(t);
      java.util.concurrent.CompletableFuture<Grant> pending = w.ask();
      w.broker.revokeIdentity(Target.WORKLOAD);
      Target.Issued before = t.issued();
      w.approve();
      assertThat(refusedOf(pending)).hasMessageContaining("revoked");
      t.assertNothingIssuedSince(before);
      w.broker.close();
    }
  }

  @Test
  void approvalRecheckStillIssuesWhenNothingChanged() {
    try (Target t = new Target()) {
      Waiting w = new Waiting(t);
      java.util.concurrent.CompletableFuture<Grant> pending = w.ask();
      t.clock.advance(Duration.ofMinutes(1));
      w.approve();
      assertThat(pending.join().isLive()).isTrue();
      w.broker.close();
    }
  }
}
