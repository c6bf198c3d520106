package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Fixtures.FakeIdentities;
import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.Fixtures.RecordingListener;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.PolicyContext;
import dev.jitaccess.spi.PolicyEvaluator;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FailClosedTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final FakeIdentities identities = new FakeIdentities();
  final RecordingAudit audit = new RecordingAudit();
  final RecordingListener listener = new RecordingListener();
  final GrantStore store = GrantStore.inMemory(clock, clock, Duration.ofSeconds(30));
  GrantBroker broker;

  GrantBroker.Builder base() {
    return GrantBroker.builder().issuer(ISSUER).identityVerifier(identities).clock(clock).scheduler(clock)
        .auditSink(audit).listener(listener).store(store);
  }

  GrantBroker allowAll() {
    return base().policy(Fixtures.allowAll(Duration.ofMinutes(10))).build();
  }

  @AfterEach
  void close() {
    if (broker != null) {
      broker.close();
    }
  }

  void assertNothingIssued() {
    assertThat(store.liveCount()).isZero();
    assertThat(audit.of(AuditEventType.ISSUED)).isEmpty();
    assertThat(listener.count("issued")).isZero();
  }

  @Test
  void throwingIdentityVerifierIssuesNothingAndKeepsTheCause() {
    broker = allowAll();
    identities.failure = new IllegalStateException("verifier bug");
    assertThatThrownBy(() -> broker.request(Fixtures.request()))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("identity verifier failed")
        .hasCauseInstanceOf(IllegalStateException.class);
    assertNothingIssued();
    assertThat(audit.of(AuditEventType.DENIED)).hasSize(1);
    assertThat(listener.count("denied")).isEqualTo(1);
  }

  @Test
  void throwingPolicyIssuesNothing() {
    broker = base().policy(ctx -> {
      throw new ArithmeticException("policy bug");
    }).build();
    assertThatThrownBy(() -> broker.request(Fixtures.request()))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("policy: evaluation failed")
        .hasCauseInstanceOf(ArithmeticException.class);
    assertNothingIssued();
  }

  @Test
  void policyReturningNullIssuesNothing() {
    broker = base().policy(ctx -> null).build();
    assertThatThrownBy(() -> broker.request(Fixtures.request())).isInstanceOf(AccessDeniedException.class);
    assertNothingIssued();
  }

  @Test
  void failingAuditSinkIssuesNothingByDefault() {
    broker = allowAll();
    audit.failure = new IllegalStateException("disk full");
    audit.failOn = AuditEventType.ISSUED;
    assertThatThrownBy(() -> broker.request(Fixtures.request()))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("audit");
    assertNothingIssued();
    assertThat(store.liveByTask("deploy-42")).isEmpty();
  }

  @Test
  void failingAuditSinkOnRequestedAlsoIssuesNothing() {
    broker = allowAll();
    audit.failure = new IllegalStateException("disk full");
    audit.failOn = AuditEventType.REQUESTED;
    assertThatThrownBy(() -> broker.request(Fixtures.request())).isInstanceOf(AccessDeniedException.class);
    assertNothingIssued();
  }

  @Test
  void auditFailureCanBeMadeNonFatal() {
    broker = base().policy(Fixtures.allowAll(Duration.ofMinutes(10))).auditFailureBlocksIssuance(false).build();
    audit.failure = new IllegalStateException("disk full");
    Grant grant = broker.request(Fixtures.request());
    assertThat(broker.verifier().verify(grant.token(), "postgres://orders").isVerified()).isTrue();
  }

  @Test
  void throwingStoreIssuesNothing() {
    GrantStore broken = new GrantStore() {
      @Override
      public InsertResult insert(dev.jitaccess.spi.GrantRecord record, int maxPerIdentity, int maxPerTask,
          boolean sharedTask) {
        throw new IllegalStateException("store down");
      }

      @Override
      public java.util.Optional<dev.jitaccess.spi.GrantRecord> find(String grantId) {
        throw new IllegalStateException("store down");
      }

      @Override
      public java.util.Optional<dev.jitaccess.spi.GrantRecord> update(
          String grantId, java.util.function.UnaryOperator<dev.jitaccess.spi.GrantRecord> change) {
        throw new IllegalStateException("store down");
      }

      @Override
      public void remove(String grantId) {}

      @Override
      public java.util.Collection<String> liveByTask(String taskId) {
        return List.of();
      }

      @Override
      public java.util.Collection<String> liveByIdentity(String identityId) {
        return List.of();
      }

      @Override
      public int liveCount() {
        return 0;
      }
    };
    broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(identities).clock(clock).scheduler(clock)
        .auditSink(audit).store(broken).policy(Fixtures.allowAll(Duration.ofMinutes(10))).build();
    assertThatThrownBy(() -> broker.request(Fixtures.request()))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("store");
    assertThat(audit.of(AuditEventType.ISSUED)).isEmpty();
  }

  @Test
  void garbageCredentialIsDenied() {
    broker = allowAll();
    assertThatThrownBy(() -> broker.request(GrantRequest.builder().credential(Credential.jwtSvid("garbage")).taskId("t").purpose("p")
                .resource("r").actions("read").environment("e").ttl(Duration.ofMinutes(1)).build()))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("not a test identity");
    assertNothingIssued();
  }

  @Test
  void oneMegabyteCredentialIsRefusedBeforeAnyVerifierSeesIt() {
    broker = allowAll();
    identities.failure = new IllegalStateException("must not be called");
    String huge = "id:" + "a".repeat(1 << 20);
    assertThatThrownBy(() -> broker.request(GrantRequest.builder().credential(Credential.jwtSvid(huge))
            .taskId("t").purpose("p").resource("r").actions("read").environment("e").ttl(Duration.ofMinutes(1)).build()))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("the limit is 16384");
    assertNothingIssued();
  }

  @Test
  void expiredIdentityCredentialIsDenied() {
    broker = allowAll();
    identities.credentialExpiry = clock.instant();
    assertThatThrownBy(() -> broker.request(Fixtures.request()))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("credential expired");
    assertNothingIssued();
  }

  @Test
  void policyDenialCarriesTheDecision() {
    broker = base().policy(ctx -> new Decision.Deny(List.of("no-prod"), List.of("prod is closed"), "v7")).build();
    AccessDeniedException e = null;
    try {
      broker.request(Fixtures.request());
    } catch (AccessDeniedException ex) {
      e = ex;
    }
    assertThat(e).isNotNull();
    assertThat(e.decision().ruleIds()).containsExactly("no-prod");
    assertThat(e.decision().reasons()).containsExactly("prod is closed");
    assertThat(e.decision().policyVersion()).isEqualTo("v7");
    assertThat(audit.of(AuditEventType.DENIED).get(0).field("rules")).contains("no-prod");
    assertNothingIssued();
  }

  @Test
  void policyGrantingNoneOfTheRequestedActionsIsADenial() {
    broker = base().policy(ctx -> new Decision.Allow(GrantTerms.of(java.util.Set.of("admin"), Duration.ofMinutes(1)),
        List.of("r"), List.of(), "")).build();
    assertThatThrownBy(() -> broker.request(Fixtures.request())).isInstanceOf(AccessDeniedException.class);
    assertNothingIssued();
  }

  @Test
  void grantedActionsAreNeverWiderThanRequested() {
    broker = base().policy(ctx -> new Decision.Allow(
        GrantTerms.of(java.util.Set.of("read", "write", "admin"), Duration.ofMinutes(1)), List.of("r"), List.of(), "")).build();
    Grant g = broker.request(Fixtures.request(DEPLOYER).taskId("deploy-42").ttl(Duration.ofMinutes(5)).build());
    assertThat(g.info().actions()).containsExactlyInAnyOrder("read", "write");
  }

  @Test
  void evaluateIsADryRun() {
    broker = allowAll();
    Decision d = broker.evaluate(Fixtures.request());
    assertThat(d.isAllowed()).isTrue();
    assertThat(store.liveCount()).isZero();
    assertThat(audit.types()).containsExactly(AuditEventType.EVALUATED);
    identities.failure = new IllegalStateException("boom");
    Decision denied = broker.evaluate(Fixtures.request());
    assertThat(denied).isInstanceOf(Decision.Deny.class);
    assertThat(denied.reasons()).anyMatch(r -> r.contains("identity verifier failed"));
  }

  @Test
  void aDryRunAsksThePolicyToExplainAndARequestDoesNot() {
    PolicyEvaluator explaining = new PolicyEvaluator() {
      @Override
      public Decision evaluate(PolicyContext context) {
        return new Decision.Allow(GrantTerms.of(java.util.Set.of("read"), Duration.ofMinutes(1)), List.of("r"),
            List.of("short reason"), "v1");
      }

      @Override
      public Decision explain(PolicyContext context) {
        return new Decision.Allow(GrantTerms.of(java.util.Set.of("read"), Duration.ofMinutes(1)), List.of("r"),
            List.of("short reason", "rule q: identity was x, expected y"), "v1");
      }
    };
    broker = base().policy(explaining).build();
    assertThat(broker.evaluate(Fixtures.request()).reasons())
        .containsExactly("short reason", "rule q: identity was x, expected y");
    assertThat(audit.of(AuditEventType.EVALUATED)).singleElement()
        .satisfies(e -> assertThat(e.field("reason").orElseThrow()).contains("rule q"));
    Grant g = broker.request(Fixtures.request());
    assertThat(audit.of(AuditEventType.ISSUED)).singleElement()
        .satisfies(e -> assertThat(e.toString()).doesNotContain("rule q"));
    g.close();
    // an evaluator without its own explain: the dry run uses evaluate
    PolicyEvaluator plain = ctx -> new Decision.Deny(List.of(), List.of("plain " + ctx.request().taskId()), "v2");
    PolicyContext context = new PolicyContext(
        WorkloadIdentity.builder(DEPLOYER, "spiffe://example.org").expiresAt(java.time.Instant.MAX).build(),
        Fixtures.request(), java.time.Instant.EPOCH);
    assertThat(plain.explain(context)).isEqualTo(plain.evaluate(context));
  }

  @Test
  void identityQuotaHoldsUnderEightConcurrentThreads() throws Exception {
    broker = base().policy(Fixtures.allowAll(Duration.ofMinutes(10))).maxGrantsPerIdentity(25).maxGrantsPerTask(1000).build();
    int issued = hammer(8, 20, i -> Fixtures.request(DEPLOYER).ttl(Duration.ofMinutes(5)).taskId("task-" + i).build());
    assertThat(issued).isEqualTo(25);
    assertThat(store.liveByIdentity(DEPLOYER)).hasSize(25);
    assertThat(audit.of(AuditEventType.DENIED)).hasSize(8 * 20 - 25)
        .allSatisfy(e -> assertThat(e.field("reason").orElseThrow()).startsWith("quota: identity"));
  }

  @Test
  void taskQuotaHoldsUnderEightConcurrentThreads() throws Exception {
    broker = base().policy(Fixtures.allowAll(Duration.ofMinutes(10))).maxGrantsPerTask(7).build();
    int issued = hammer(8, 10, i -> Fixtures.request("spiffe://example.org/w" + (i % 8)).ttl(Duration.ofMinutes(5)).taskId("same-task").build());
    assertThat(issued).isEqualTo(7);
    assertThat(store.liveByTask("same-task")).hasSize(7);
  }

  private int hammer(int threads, int perThread, java.util.function.IntFunction<GrantRequest> requests) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      results.add(pool.submit(() -> {
        start.await();
        int ok = 0;
        for (int i = 0; i < perThread; i++) {
          try {
            broker.request(requests.apply(thread * perThread + i));
            ok++;
          } catch (AccessDeniedException e) {
            // over quota
          }
        }
        return ok;
      }));
    }
    start.countDown();
    int total = 0;
    for (Future<Integer> f : results) {
      total += f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    return total;
  }

  @Test
  void secretsNeverAppearInToStringOrAudit() {
    broker = allowAll();
    GrantRequest request = Fixtures.request();
    Grant grant = broker.request(request);
    String token = grant.token();
    assertThat(grant.toString()).doesNotContain(token).doesNotContain(token.substring(0, 20));
    assertThat(request.toString()).doesNotContain("id:spiffe");
    assertThat(request.credential().toString()).doesNotContain("id:spiffe");
    assertThat(audit.events.toString()).doesNotContain(token).doesNotContain(token.split("\\.")[2]);
    assertThat(audit.of(AuditEventType.ISSUED).get(0).field("token_sha256")).isPresent();
    assertThat(broker.publicJwks()).doesNotContain("\"d\"");
  }
}
