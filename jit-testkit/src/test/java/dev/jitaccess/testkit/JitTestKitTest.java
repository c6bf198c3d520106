package dev.jitaccess.testkit;

import static dev.jitaccess.spi.AuditEventType.DENIED;
import static dev.jitaccess.spi.AuditEventType.EXPIRED;
import static dev.jitaccess.spi.AuditEventType.ISSUED;
import static dev.jitaccess.spi.AuditEventType.REQUESTED;
import static dev.jitaccess.spi.AuditEventType.REVOKED;
import static dev.jitaccess.spi.AuditEventType.VERIFY_REJECTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.Verification;
import dev.jitaccess.policy.InvalidPolicyException;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.testkit.RecordingListener.Kind;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JitTestKitTest {
  static final String DEPLOY = "spiffe://example.org/ci/deploy";
  final JitTestKit kit = JitTestKit.create();

  @AfterEach
  void close() {
    kit.close();
  }

  GrantRequest.Builder fill(GrantRequest.Builder b) {
    return b.taskId("deploy-42").purpose("deploy").resource("db://prod").actions("write")
        .environment("prod");
  }

  GrantRequest request(Credential c) {
    return fill(kit.request(c)).ttl(Duration.ofMinutes(10)).build();
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    assertThat(kit.clock().instant()).isEqualTo(JitTestKit.DEFAULT_START);
    assertThat(kit.trustDomain().trustDomain().name()).isEqualTo("example.org");
    assertThat(kit.oidcIssuer().issuer()).isEqualTo("https://oidc.test");
    assertThat(kit.audience()).isEqualTo("jit-broker");
    Grant g = kit.broker().request(fill(kit.request(DEPLOY)).ttl(Duration.ofHours(5)).build());
    assertThat(g.info().issuer()).isEqualTo("https://jit.test");
    assertThat(g.info().ruleIds()).containsExactly(JitTestKit.ALLOW_ALL_RULE);
    assertThat(g.expiresAt()).isEqualTo(JitTestKit.DEFAULT_START.plus(Duration.ofHours(1)));
  }

  @Test
  void fullLifecycleRunsOnTheManualClockDeterministically() {
    Grant grant = kit.broker().request(fill(kit.request(DEPLOY)).ttl(Duration.ofMinutes(10)).build());
    assertThat(kit.listener().kinds()).containsExactly(Kind.ISSUED);
    assertThat(kit.audit().types()).containsExactly(REQUESTED, ISSUED);

    kit.clock().advance(Duration.ofMinutes(8).minusNanos(1));
    assertThat(kit.listener().count(Kind.EXPIRING)).isZero();
    kit.clock().advance(Duration.ofNanos(1));
    assertThat(kit.listener().grantIds(Kind.EXPIRING)).containsExactly(grant.id());
    assertThat(grant.isLive()).isTrue();

    kit.clock().advance(Duration.ofMinutes(2).minusNanos(1));
    assertThat(kit.listener().count(Kind.EXPIRED)).isZero();
    kit.clock().advance(Duration.ofNanos(1));
    assertThat(kit.listener().grantIds(Kind.EXPIRED)).containsExactly(grant.id());
    assertThat(kit.listener().kinds()).containsExactly(Kind.ISSUED, Kind.EXPIRING, Kind.EXPIRED);
    assertThat(kit.audit().last().type()).isEqualTo(EXPIRED);
    assertThat(kit.audit().forGrant(grant.id())).extracting(AuditEvent::type).containsExactly(ISSUED, EXPIRED);
    assertThat(grant.isLive()).isFalse();
    assertThat(kit.verifier().verify(grant.token(), "db://prod")).isInstanceOf(Verification.Rejected.class);
  }

  @Test
  void closingAGrantRevokesItAtOnceAndCancelsItsTimers() {
    Grant grant = kit.broker().request(request(kit.trustDomain().credential(DEPLOY, "jit-broker")));
    grant.close();
    assertThat(kit.listener().events(Kind.REVOKED))
        .containsExactly(new RecordingListener.Event(Kind.REVOKED, grant.id(), "COMPLETED"));
    assertThat(kit.verifier().verify(grant.token(), "db://prod"))
        .isInstanceOfSatisfying(Verification.Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(Verification.RejectionReason.REVOKED));
    kit.clock().advance(Duration.ofHours(2));
    assertThat(kit.listener().kinds()).containsExactly(Kind.ISSUED, Kind.REVOKED);
    assertThat(kit.audit().types()).containsExactly(REQUESTED, ISSUED, REVOKED, VERIFY_REJECTED);
  }

  // --- real credentials accepted end to end

  @Test
  void acceptsARealJwtSvid() {
    Grant g = kit.broker().request(request(kit.trustDomain().credential(DEPLOY, "jit-broker")));
    assertThat(g.info().subject()).isEqualTo(DEPLOY);
    assertThat(kit.verifier().verify(g.token(), "db://prod").isVerified()).isTrue();
  }

  @Test
  void takesTheOwnerFromTheJwtSvidOwnerClaim() {
    String token = kit.trustDomain().jwtSvid(DEPLOY, "jit-broker", Duration.ofMinutes(5), Map.of("owner", "team-ci"));
    Grant g = kit.broker().request(request(Credential.jwtSvid(token)));
    assertThat(g.info().owner()).contains("team-ci");
    assertThat(kit.audit().last(ISSUED).field(AuditEvent.OWNER)).contains("team-ci");
  }

  @Test
  void acceptsARealX509Svid() {
    TestTrustDomain.X509Svid svid = kit.trustDomain().x509Svid(DEPLOY);
    Grant g = kit.broker().request(request(svid.credential()));
    assertThat(g.info().subject()).isEqualTo(DEPLOY);
    assertThat(g.info().certificateThumbprint()).isPresent();
  }

  @Test
  void acceptsRealGithubActionsAndKubernetesOidcTokens() {
    String gh = kit.oidcIssuer().githubActionsToken("jit-broker", "octo-org/app", "refs/heads/main");
    Grant g = kit.broker().request(request(Credential.oidcToken(gh)));
    assertThat(g.info().subject()).isEqualTo("https://oidc.test#repo:octo-org/app:ref:refs/heads/main");
    assertThat(g.info().owner()).contains("octo-org");
    g.close(); // task deploy-42 belongs to octo-org while g lives (issue 14 #13); the next owner opens it anew

    String k8s = kit.oidcIssuer().kubernetesToken("jit-broker", "ci", "deployer");
    Grant k = kit.broker().request(fill(kit.request(Credential.oidcToken(k8s)))
        .ttl(Duration.ofMinutes(1)).build());
    assertThat(k.info().subject()).isEqualTo("https://oidc.test#system:serviceaccount:ci:deployer");
    assertThat(k.info().owner()).contains("ci");
  }

  // --- crafted bad credentials refused end to end

  @Test
  void refusesAnExpiredJwtSvid() {
    String token = kit.trustDomain().jwtSvid(DEPLOY, "jit-broker", Duration.ofMinutes(1));
    kit.clock().advance(Duration.ofMinutes(2));
    assertDenied(Credential.jwtSvid(token), "exp");
  }

  @Test
  void refusesAJwtSvidForAnotherAudience() {
    assertDenied(kit.trustDomain().credential(DEPLOY, "another-broker"), "aud");
  }

  @Test
  void refusesAJwtSvidSignedByAnImpostorOfTheTrustDomain() {
    TestTrustDomain impostor = TestTrustDomain.create("example.org", kit.clock());
    assertDenied(impostor.credential(DEPLOY, "jit-broker"), "identity:");
  }

  @Test
  void refusesAnX509ChainFromAnotherTrustDomain() {
    TestTrustDomain other = TestTrustDomain.create("other.org", kit.clock());
    assertDenied(other.x509Svid("spiffe://other.org/ci/deploy").credential(), "other.org");
  }

  @Test
  void refusesAnX509ChainForThisTrustDomainFromAnotherCa() {
    TestTrustDomain impostor = TestTrustDomain.create("example.org", kit.clock());
    assertDenied(impostor.x509Svid(DEPLOY).credential(), "identity:");
  }

  @Test
  void refusesAnOidcTokenFromAnotherIssuer() {
    TestOidcIssuer other = TestOidcIssuer.create("https://evil.test", kit.clock());
    assertDenied(Credential.oidcToken(other.token("repo:octo-org/app:ref:refs/heads/main", "jit-broker")), "iss");
  }

  @Test
  void refusesAnOidcTokenSignedByAnotherKeyUnderTheRightIssuer() {
    TestOidcIssuer forger = TestOidcIssuer.create("https://oidc.test", kit.clock());
    assertDenied(Credential.oidcToken(forger.token("repo:x/y:ref:refs/heads/main", "jit-broker")), "identity:");
  }

  void assertDenied(Credential credential, String reasonFragment) {
    assertThatThrownBy(() -> kit.broker().request(request(credential)))
        .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
          assertThat(e.decision()).isInstanceOf(Decision.Deny.class);
          assertThat(String.join("; ", e.decision().reasons())).startsWith("identity:").contains(reasonFragment);
        });
    assertThat(kit.audit().types()).containsExactly(REQUESTED, DENIED);
    assertThat(kit.listener().kinds()).containsExactly(Kind.DENIED);
    assertThat(kit.listener().last().reason()).contains(reasonFragment);
  }

  // --- builder options

  @Test
  void aYamlPolicyReplacesTheDefault() {
    try (JitTestKit k = JitTestKit.builder().policy(String.join("\n",
        "version: 1",
        "maxTtl: 15m",
        "rules:",
        "  - id: ci-read",
        "    owner: platform",
        "    effect: allow",
        "    match: {identity: {id: 'spiffe://example.org/ci/*'}, actions: [read]}",
        "")).build()) {
      GrantRequest.Builder b = k.request(DEPLOY).taskId("t").purpose("p").resource("r").environment("e")
          .ttl(Duration.ofHours(1));
      Grant g = k.broker().request(b.actions("read", "write").build());
      assertThat(g.info().actions()).containsExactly("read");
      assertThat(g.expiresAt()).isEqualTo(JitTestKit.DEFAULT_START.plus(Duration.ofMinutes(15)));
      assertThatThrownBy(() -> k.broker().request(k.request("spiffe://example.org/other").taskId("t")
          .purpose("p").resource("r").environment("e").ttl(Duration.ofHours(1)).actions("read").build()))
          .isInstanceOf(AccessDeniedException.class);
    }
  }

  @Test
  void anInvalidYamlPolicyIsRefusedWithItsErrors() {
    assertThatThrownBy(() -> JitTestKit.builder().policy("version: 1\nrules: 3\n"))
        .isInstanceOf(InvalidPolicyException.class).hasMessageContaining("maxTtl");
  }

  @Test
  void approvalsGoThroughTheInMemoryHandler() {
    try (JitTestKit k = JitTestKit.builder()
        .approvers("release", "alice", "bob")
        .policy(String.join("\n",
            "version: 1",
            "maxTtl: 1h",
            "rules:",
            "  - id: prod-write",
            "    owner: platform",
            "    effect: require-approval",
            "    approval: {group: release, approvals: 1, timeout: 30m}",
            ""))
        .build()) {
      CompletableFuture<Grant> pending = k.broker()
          .requestAsync(fill(k.request(DEPLOY)).ttl(Duration.ofMinutes(5)).build()).toCompletableFuture();
      assertThat(pending).isNotDone();
      String approvalId = k.approvals().pending().get(0).approvalId();
      k.approvals().approve(approvalId, "alice", "ok");
      assertThat(pending).isCompleted();
      assertThat(pending.join().info().approvals()).extracting(a -> a.approver()).containsExactly("alice");
    }
  }

  @Test
  void approvalTimesOutWhenTheClockPassesTheDeadline() {
    try (JitTestKit k = JitTestKit.builder()
        .approvers("release", "alice")
        .policy("version: 1\nmaxTtl: 1h\nrules:\n  - {id: gate, owner: p, effect: require-approval, "
            + "approval: {group: release, approvals: 1, timeout: 30m}}\n")
        .build()) {
      CompletableFuture<Grant> pending = k.broker()
          .requestAsync(fill(k.request(DEPLOY)).ttl(Duration.ofMinutes(5)).build()).toCompletableFuture();
      k.clock().advance(Duration.ofMinutes(30));
      assertThat(pending).isCompletedExceptionally();
      assertThat(k.audit().types()).contains(dev.jitaccess.spi.AuditEventType.APPROVAL_TIMED_OUT);
    }
  }

  @Test
  void brokerCustomizerAndOtherOptionsApply() {
    java.time.Instant start = java.time.Instant.parse("2031-05-05T10:00:00Z");
    try (JitTestKit k = JitTestKit.builder().trustDomain("prod.example.com").audience("aud-x").issuer("https://b")
        .oidcIssuer("https://o").start(start).broker(b -> b.maxGrantsPerTask(1)).build()) {
      assertThat(k.clock().instant()).isEqualTo(start);
      String id = "spiffe://prod.example.com/svc";
      k.broker().request(fill(k.request(id)).ttl(Duration.ofMinutes(1)).build());
      assertThatThrownBy(() -> k.broker().request(fill(k.request(id)).ttl(Duration.ofMinutes(1)).build()))
          .isInstanceOfSatisfying(AccessDeniedException.class,
              e -> assertThat(e.decision().reasons()).anyMatch(r -> r.startsWith("quota:")));
      assertThat(k.oidcIssuer().issuer()).isEqualTo("https://o");
    }
  }

  @Test
  void builderIsStrict() {
    JitTestKit.Builder b = JitTestKit.builder().audience("a");
    assertThatThrownBy(() -> b.audience("b")).isInstanceOf(IllegalStateException.class).hasMessageContaining("audience");
    assertThatThrownBy(() -> b.trustDomain(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("trustDomain");
    assertThatThrownBy(() -> b.issuer(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("issuer");
    b.approvers("g", "x");
    assertThatThrownBy(() -> b.approvers("g", "y")).isInstanceOf(IllegalStateException.class).hasMessageContaining("'g'");
    b.policy(ctx -> Decision.deny("no"));
    assertThatThrownBy(() -> b.policy("version: 1")).isInstanceOf(IllegalStateException.class).hasMessageContaining("policy");
    assertThatThrownBy(() -> kit.request("spiffe://other.org/x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void resetForgetsRecordingsOnly() {
    Grant g = kit.broker().request(fill(kit.request(DEPLOY)).ttl(Duration.ofMinutes(5)).build());
    kit.reset();
    assertThat(kit.audit().events()).isEmpty();
    assertThat(kit.listener().events()).isEmpty();
    assertThat(g.isLive()).isTrue();
    kit.clock().advance(Duration.ofMinutes(5));
    assertThat(kit.listener().kinds()).containsExactly(Kind.EXPIRING, Kind.EXPIRED);
  }

  @Test
  void auditFailureInjectionBlocksIssuance() {
    kit.audit().failOn(ISSUED);
    assertThatThrownBy(() -> kit.broker().request(fill(kit.request(DEPLOY)).ttl(Duration.ofMinutes(5)).build()))
        .isInstanceOf(AccessDeniedException.class);
    assertThat(kit.audit().events(ISSUED)).isEmpty();
    kit.audit().stopFailing();
    kit.broker().request(fill(kit.request(DEPLOY)).ttl(Duration.ofMinutes(5)).build());
    assertThat(kit.audit().events(ISSUED)).hasSize(1);
  }

  @Test
  void closeIsIdempotent() {
    JitTestKit k = JitTestKit.create();
    k.close();
    k.close();
    assertThatThrownBy(() -> k.broker().request(fill(k.request(DEPLOY)).ttl(Duration.ofMinutes(5)).build()))
        .isInstanceOf(RuntimeException.class);
  }
}
