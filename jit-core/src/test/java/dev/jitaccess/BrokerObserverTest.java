package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Fixtures.FakeIdentities;
import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.BrokerObserver;
import dev.jitaccess.spi.BrokerObserver.Operation;
import dev.jitaccess.spi.BrokerObserver.Outcome;
import dev.jitaccess.spi.PolicyEvaluator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The observation hook: every operation is seen once with its outcome, and a broken observer changes nothing. */
class BrokerObserverTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final FakeIdentities identities = new FakeIdentities();
  final RecordingAudit audit = new RecordingAudit();
  final Recording observer = new Recording();
  GrantBroker broker;

  /** Records "OPERATION OUTCOME reason" per stopped scope and "start OPERATION" per start. */
  static final class Recording implements BrokerObserver {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public Scope start(Operation operation) {
      calls.add("start " + operation);
      return (outcome, reason) -> calls.add(operation + " " + outcome + " " + reason);
    }

    List<String> stops() {
      return calls.stream().filter(c -> !c.startsWith("start ")).toList();
    }
  }

  GrantBroker build(BrokerObserver o, PolicyEvaluator policy) {
    return GrantBroker.builder().issuer(ISSUER).identityVerifier(identities).clock(clock).scheduler(clock)
        .auditSink(audit).policy(policy).observer(o).build();
  }

  GrantBroker build(BrokerObserver o) {
    return build(o, Fixtures.allowAll(Duration.ofMinutes(10)));
  }

  @AfterEach
  void close() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void requestEvaluateVerifyAndDelegateAreEachObservedOnceWithTheirOutcome() {
    broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(identities).clock(clock).scheduler(clock)
        .auditSink(audit).observer(observer)
        .policy(ctx -> new Decision.Allow(GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10))
            .withMaxDelegationDepth(1), List.of("allow"), List.of(), "v1"))
        .build();
    Grant grant = broker.request(Fixtures.request());
    broker.evaluate(Fixtures.request());
    assertThat(broker.verifier().verify(grant.token(), "postgres://orders").isVerified()).isTrue();
    // one character of the signature changed, still canonical base64url: the signature check refuses it
    String token = grant.token();
    int sig = token.lastIndexOf('.') + 1;
    String tampered = token.substring(0, sig) + (token.charAt(sig) == 'A' ? 'B' : 'A') + token.substring(sig + 1);
    assertThat(broker.verifier().verify(tampered, "postgres://orders").isVerified()).isFalse();
    broker.delegate(DelegationRequest.builder(grant).credential(Credential.jwtSvid("id:spiffe://example.org/tool"))
        .actions("read").ttl(Duration.ofMinutes(5)).build());
    broker.revoke(grant.id());
    assertThat(broker.verifier().verify(grant.token(), "postgres://orders").isVerified()).isFalse();

    assertThat(observer.stops()).containsExactly(
        "REQUEST ALLOWED none",
        "EVALUATE ALLOWED none",
        "VERIFY VERIFIED none",
        "VERIFY REJECTED bad_signature",
        "DELEGATE ALLOWED none",
        "VERIFY REJECTED revoked");
    assertThat(observer.calls).filteredOn(c -> c.startsWith("start ")).hasSize(6);
  }

  @Test
  void deniedRequestsAreObservedWithTheDenialCategory() {
    broker = build(observer, ctx -> Decision.deny(DenialCategory.POLICY, "no"));
    assertThatThrownBy(() -> broker.request(Fixtures.request())).isInstanceOf(AccessDeniedException.class);
    assertThatThrownBy(() -> broker.request(Fixtures.request("not-a-spiffe-id").taskId("t").ttl(Duration.ofMinutes(1))
        .build())).isInstanceOf(AccessDeniedException.class);
    assertThat(broker.evaluate(Fixtures.request())).isInstanceOf(Decision.Deny.class);
    assertThat(observer.stops()).containsExactly(
        "REQUEST DENIED policy", "REQUEST DENIED identity", "EVALUATE DENIED policy");
  }

  @Test
  void aFailingPolicyIsObservedAsUnavailableAndStillIssuesNothing() {
    broker = build(observer, ctx -> {
      throw new IllegalStateException("policy bug");
    });
    assertThatThrownBy(() -> broker.request(Fixtures.request())).isInstanceOf(AccessDeniedException.class);
    assertThat(observer.stops()).containsExactly("REQUEST DENIED unavailable");
  }

  @Test
  void needsApprovalIsItsOwnOutcome() {
    broker = build(observer, ctx -> new Decision.NeedsApproval(GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10)),
        new ApprovalRequirement("approvers", 1, Duration.ofMinutes(5)), List.of("r"), List.of("ask a human"), "v1"));
    assertThatThrownBy(() -> broker.request(Fixtures.request())).isInstanceOf(AccessDeniedException.class);
    broker.evaluate(Fixtures.request());
    assertThatThrownBy(() -> broker.requestAsync(Fixtures.request()).toCompletableFuture().join())
        .isInstanceOf(CompletionException.class).hasCauseInstanceOf(AccessDeniedException.class);
    assertThat(observer.stops()).containsExactly(
        "REQUEST NEEDS_APPROVAL approval", "EVALUATE NEEDS_APPROVAL approval", "REQUEST NEEDS_APPROVAL approval");
  }

  @Test
  void requestAsyncIsObservedWhenItsStageCompletes() {
    broker = build(observer);
    Grant grant = broker.requestAsync(Fixtures.request()).toCompletableFuture().join();
    assertThat(grant.isLive()).isTrue();
    assertThat(observer.stops()).containsExactly("REQUEST ALLOWED none");
  }

  @Test
  void anObserverThatThrowsOnStartNeverChangesAnOutcome() {
    broker = build(operation -> {
      throw new IllegalStateException("observer bug");
    });
    Grant grant = broker.request(Fixtures.request());
    assertThat(broker.verifier().verify(grant.token(), "postgres://orders").isVerified()).isTrue();
    assertThat(broker.evaluate(Fixtures.request())).isInstanceOf(Decision.Allow.class);
    identities.failure = new IllegalStateException("identity bug");
    assertThatThrownBy(() -> broker.request(Fixtures.request())).isInstanceOf(AccessDeniedException.class);
  }

  @Test
  void anObserverThatThrowsOnStopOrReturnsNoScopeNeverChangesAnOutcome() {
    broker = build(operation -> (outcome, reason) -> {
      throw new IllegalStateException("observer bug at " + outcome);
    });
    Grant grant = broker.request(Fixtures.request());
    assertThat(broker.verifier().verify(grant.token(), "postgres://orders").isVerified()).isTrue();
    assertThat(broker.evaluate(Fixtures.request())).isInstanceOf(Decision.Allow.class);
    broker.close();

    broker = build(operation -> null);
    Grant second = broker.request(Fixtures.request(DEPLOYER).taskId("t-2").ttl(Duration.ofMinutes(1)).build());
    assertThat(second.isLive()).isTrue();
  }

  @Test
  void theBuilderRefusesANullOrSecondObserver() {
    assertThatNullPointerException().isThrownBy(() -> GrantBroker.builder().observer(null)).withMessage("observer");
    assertThatThrownBy(() -> GrantBroker.builder().observer(BrokerObserver.noop()).observer(BrokerObserver.noop()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("observer");
  }

  @Test
  void theNoopObserverRecordsNothingAndRefusesANullOperation() {
    BrokerObserver.Scope scope = BrokerObserver.noop().start(Operation.REQUEST);
    scope.stop(Outcome.ALLOWED, "none");
    assertThat(BrokerObserver.noop()).hasToString("BrokerObserver.noop()");
    assertThatNullPointerException().isThrownBy(() -> BrokerObserver.noop().start(null)).withMessage("operation");
  }
}
