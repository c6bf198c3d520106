package dev.jitaccess;

import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.jitaccess.Fixtures.FakeIdentities;
import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.PolicyEvaluator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Every denial site of the broker sets one {@link DenialCategory}, on the {@link Decision.Deny} and on the
 * {@link AccessDeniedException}, so a service maps it to a status without reading the reasons (issue 18
 * item 2). One case per site.
 */
class DenialCategoryTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final FakeIdentities identities = new FakeIdentities();
  final RecordingAudit audit = new RecordingAudit();

  GrantBroker.Builder base(PolicyEvaluator policy) {
    return GrantBroker.builder().issuer(ISSUER).identityVerifier(identities).clock(clock).scheduler(clock)
        .auditSink(audit).policy(policy);
  }

  GrantBroker allowAll() {
    return base(Fixtures.allowAll(Duration.ofMinutes(10))).build();
  }

  static GrantRequest.Builder withCredential(Credential credential) {
    return GrantRequest.builder().credential(credential).purpose("deploy").resource("postgres://orders")
        .actions("read").environment("prod");
  }

  static DenialCategory category(GrantBroker broker, GrantRequest request) {
    AccessDeniedException e = catchThrowableOfType(AccessDeniedException.class, () -> broker.request(request));
    assertThat(e).as("denied").isNotNull();
    if (e.decision() instanceof Decision.Deny deny) {
      assertThat(deny.category()).isEqualTo(e.category());
    }
    return e.category();
  }

  @Test
  void rejectedCredentialIsIdentity() {
    try (GrantBroker broker = allowAll()) {
      GrantRequest r = withCredential(Credential.jwtSvid("forged")).taskId("t").ttl(Duration.ofMinutes(1))
          .build();
      assertThat(category(broker, r)).isEqualTo(DenialCategory.IDENTITY);
    }
  }

  @Test
  void oversizedCredentialIsIdentity() {
    try (GrantBroker broker = allowAll()) {
      GrantRequest r = withCredential(Credential.jwtSvid("id:" + "x".repeat(20_000))).taskId("t")
          .ttl(Duration.ofMinutes(1)).build();
      assertThat(category(broker, r)).isEqualTo(DenialCategory.IDENTITY);
    }
  }

  @Test
  void expiredCredentialIsIdentity() {
    identities.credentialExpiry = clock.instant();
    try (GrantBroker broker = allowAll()) {
      assertThat(category(broker, Fixtures.request())).isEqualTo(DenialCategory.IDENTITY);
    }
  }

  @Test
  void throwingIdentityVerifierIsUnavailable() {
    identities.failure = new IllegalStateException("verifier bug");
    try (GrantBroker broker = allowAll()) {
      assertThat(category(broker, Fixtures.request())).isEqualTo(DenialCategory.UNAVAILABLE);
    }
  }

  @Test
  void policyDenialIsPolicy() {
    try (GrantBroker broker = base(ctx -> Decision.deny("no")).build()) {
      assertThat(category(broker, Fixtures.request())).isEqualTo(DenialCategory.POLICY);
    }
  }

  @Test
  void throwingPolicyIsUnavailable() {
    try (GrantBroker broker = base(ctx -> {
      throw new IllegalStateException("policy bug");
    }).build()) {
      assertThat(category(broker, Fixtures.request())).isEqualTo(DenialCategory.UNAVAILABLE);
    }
  }

  @Test
  void policyGrantingNoneOfTheActionsIsPolicy() {
    PolicyEvaluator other = ctx -> new Decision.Allow(GrantTerms.of(java.util.Set.of("admin"), Duration.ofMinutes(5)),
        List.of("r"), List.of(), "v1");
    try (GrantBroker broker = base(other).build()) {
      assertThat(category(broker, Fixtures.request())).isEqualTo(DenialCategory.POLICY);
    }
  }

  @Test
  void quotaIsQuota() {
    try (GrantBroker broker = base(Fixtures.allowAll(Duration.ofMinutes(10))).maxGrantsPerTask(1).build()) {
      broker.request(Fixtures.request());
      assertThat(category(broker, Fixtures.request())).isEqualTo(DenialCategory.QUOTA);
    }
  }

  @Test
  void failingAuditSinkIsUnavailable() {
    audit.failure = new IllegalStateException("disk full");
    audit.failOn = AuditEventType.ISSUED;
    try (GrantBroker broker = allowAll()) {
      assertThat(category(broker, Fixtures.request())).isEqualTo(DenialCategory.UNAVAILABLE);
    }
  }

  @Test
  void failingStoreIsUnavailable() {
    GrantStore inner = GrantStore.inMemory(clock, clock, Duration.ofSeconds(30));
    GrantStore failing = (GrantStore) java.lang.reflect.Proxy.newProxyInstance(GrantStore.class.getClassLoader(),
        new Class<?>[] {GrantStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("insert")) {
            throw new IllegalStateException("database down");
          }
          try {
            return method.invoke(inner, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
    try (GrantBroker broker = base(Fixtures.allowAll(Duration.ofMinutes(10))).store(failing).build()) {
      assertThat(category(broker, Fixtures.request())).isEqualTo(DenialCategory.UNAVAILABLE);
    }
  }

  static PolicyEvaluator needsApproval() {
    return ctx -> new Decision.NeedsApproval(GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(5)),
        new ApprovalRequirement("ops", 1, Duration.ofMinutes(10)), List.of("approve"), List.of(), "v1");
  }

  @Test
  void approvalNeededOnTheSyncPathIsApproval() {
    try (GrantBroker broker = base(needsApproval()).build()) {
      assertThat(category(broker, Fixtures.request())).isEqualTo(DenialCategory.APPROVAL);
    }
  }

  @Test
  void approvalWithoutAHandlerIsApproval() {
    try (GrantBroker broker = base(needsApproval()).build()) {
      CompletionException e = catchThrowableOfType(CompletionException.class,
          () -> broker.requestAsync(Fixtures.request()).toCompletableFuture().join());
      assertThat(((AccessDeniedException) e.getCause()).category()).isEqualTo(DenialCategory.APPROVAL);
    }
  }

  @Test
  void delegationOfAnEndedParentIsInvalidRequest() {
    PolicyEvaluator delegable = ctx -> new Decision.Allow(
        new GrantTerms(ctx.request().actions(), Duration.ofMinutes(10), null, false, false, false, 2),
        List.of("r"), List.of(), "v1");
    try (GrantBroker broker = base(delegable).build()) {
      Grant parent = broker.request(Fixtures.request());
      DelegationRequest wider = DelegationRequest.builder(parent).credential(Credential.jwtSvid("id:spiffe://example.org/tool"))
          .actions("admin").ttl(Duration.ofMinutes(1)).build();
      assertThat(catchThrowableOfType(AccessDeniedException.class, () -> broker.delegate(wider)).category())
          .isEqualTo(DenialCategory.POLICY);
      parent.close();
      DelegationRequest late = DelegationRequest.builder(parent).credential(Credential.jwtSvid("id:spiffe://example.org/tool"))
          .actions("read").ttl(Duration.ofMinutes(1)).build();
      assertThat(catchThrowableOfType(AccessDeniedException.class, () -> broker.delegate(late)).category())
          .isEqualTo(DenialCategory.INVALID_REQUEST);
      DelegationRequest bogus = DelegationRequest.fromParentToken("not-a-token")
          .credential(Credential.jwtSvid("id:spiffe://example.org/tool")).actions("read").ttl(Duration.ofMinutes(1)).build();
      assertThat(catchThrowableOfType(AccessDeniedException.class, () -> broker.delegate(bogus)).category())
          .isEqualTo(DenialCategory.IDENTITY);
    }
  }

  @Test
  void aPolicysOwnDenyDefaultsToPolicy() {
    assertThat(new Decision.Deny(List.of(), List.of("x"), "").category()).isEqualTo(DenialCategory.POLICY);
    assertThat(Decision.deny("x").category()).isEqualTo(DenialCategory.POLICY);
  }

  @Test
  void aDenyRefusesTheWholeRequestUnlessItSaysOtherwise() {
    assertThat(new Decision.Deny(List.of(), List.of("x"), "").facet()).isEqualTo(Decision.Deny.Facet.REQUEST);
    assertThat(new Decision.Deny(List.of(), List.of("x"), "", DenialCategory.QUOTA).facet())
        .isEqualTo(Decision.Deny.Facet.REQUEST);
    assertThat(Decision.deny(DenialCategory.IDENTITY, "x").facet()).isEqualTo(Decision.Deny.Facet.REQUEST);
  }

  @Test
  void aRefusalOfTheResourceAloneIsAlwaysAPolicyDenial() {
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> new Decision.Deny(List.of(), List.of("x"), "", DenialCategory.UNAVAILABLE,
            Decision.Deny.Facet.RESOURCE))
        .withMessageContaining("UNAVAILABLE");
    org.assertj.core.api.Assertions.assertThatNullPointerException()
        .isThrownBy(() -> new Decision.Deny(List.of(), List.of("x"), "", DenialCategory.POLICY, null))
        .withMessage("facet");
  }

  @Test
  void thePolicysRefusalOfTheResourceReachesTheException() {
    Decision.Deny resourceOnly = new Decision.Deny(List.of(), List.of("no rule for this resource"), "v1",
        DenialCategory.POLICY, Decision.Deny.Facet.RESOURCE);
    try (GrantBroker broker = base(ctx -> resourceOnly).build()) {
      AccessDeniedException e = catchThrowableOfType(AccessDeniedException.class,
          () -> broker.request(Fixtures.request()));
      assertThat(e.decision()).isEqualTo(resourceOnly);
      assertThat(audit.events).filteredOn(ev -> ev.type() == AuditEventType.DENIED).singleElement()
          .satisfies(ev -> assertThat(ev.field(dev.jitaccess.spi.AuditEvent.REASON)).contains("no rule for this resource"));
    }
  }
}
