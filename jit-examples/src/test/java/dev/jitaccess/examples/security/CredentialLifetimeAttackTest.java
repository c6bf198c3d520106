package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.policy.Policy;
import dev.jitaccess.policy.Rule;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 #9, grants outlive the credential that obtained them: every re-mint of a renewing grant
 * re-verifies the identity (the last credential presented, or a fresh one from the request's credential
 * source), and a grant whose identity no longer verifies ends with reason CREDENTIAL, audited; first
 * issuance can be capped at the credential's expiry plus a grace, per rule or broker-wide (off by default).
 */
class CredentialLifetimeAttackTest {
  private static final AtomicInteger TASKS = new AtomicInteger();

  @AfterAll
  static void stop() {
    Attacks.report();
  }

  static String task() {
    return "cla-" + TASKS.incrementAndGet();
  }

  /** A JWT-SVID of the workload, issued now, expiring in {@code seconds}. */
  static String svid(Target t, long seconds) {
    return Jws.token(t.svidHeader(), Jws.json("sub", Target.WORKLOAD, "aud", Target.AUDIENCE,
        "exp", t.now() + seconds, "iat", t.now()), Jws.es256(t.ec.getPrivate()));
  }

  static GrantRequest.Builder standing(Target t, Credential credential) {
    return t.request(credential, task(), "standing").actions("read").renewing(true);
  }

  static String revokedReason(Target t, String grantId) {
    return t.audit.events(AuditEventType.REVOKED).stream()
        .filter(e -> grantId.equals(e.fields().get(AuditEvent.GRANT_ID)))
        .map(e -> e.fields().get(AuditEvent.REASON)).findFirst().orElse("none");
  }

  // ------------------------------------------------------------------ re-mint re-verifies the identity

  @Test
  void remintReverifiesTheCredentialAndEndsTheGrantWhenItExpired() {
    try (Target t = new Target()) {
      // a 5-minute SVID buys a renewing grant whose token lives 10 minutes and is re-minted at half-life
      java.util.concurrent.atomic.AtomicReference<RevocationReason> heard = new java.util.concurrent.atomic.AtomicReference<>();
      Grant g = t.broker.request(standing(t, Credential.jwtSvid(svid(t, 300))).listener(new dev.jitaccess.spi.GrantListener() {
        @Override
        public void onRevoked(dev.jitaccess.GrantInfo grant, RevocationReason reason) {
          heard.set(reason);
        }
      }).build());
      t.clock.advance(Duration.ofMinutes(5)); // the first re-mint falls due as the SVID expires
      assertThat(g.isLive()).as("no re-mint for an expired credential").isFalse();
      assertThat(heard.get()).isEqualTo(RevocationReason.CREDENTIAL);
      assertThat(revokedReason(t, g.id())).startsWith("CREDENTIAL").contains("expired");
      assertThat(t.audit.events(AuditEventType.REMINTED)).isEmpty();
      Attacks.tried("broker.remint");
    }
  }

  @Test
  void remintWithACredentialThatNoLongerVerifiesEndsTheGrant() {
    try (Target t = new Target()) {
      // the trust bundle no longer vouches for the signer: here the source hands over an SVID signed by a
      // key the bundle does not hold, as after the bundle withdrew the old key
      Supplier<Credential> withdrawn = () -> Credential.jwtSvid(Jws.token(t.svidHeader(),
          t.svidClaims(Target.WORKLOAD), Jws.es256(t.attacker.getPrivate())));
      Grant g = t.broker.request(standing(t, Credential.jwtSvid(t.svid())).credentialSource(withdrawn).build());
      t.clock.advance(Duration.ofMinutes(5));
      assertThat(g.isLive()).isFalse();
      assertThat(revokedReason(t, g.id())).startsWith("CREDENTIAL");
      Attacks.tried("broker.remint");
    }
  }

  @Test
  void remintWithAnotherIdentitysCredentialEndsTheGrant() {
    try (Target t = new Target()) {
      Supplier<Credential> other = () -> Credential.jwtSvid(t.svid("spiffe://example.org/someone/else"));
      Grant g = t.broker.request(standing(t, Credential.jwtSvid(t.svid())).credentialSource(other).build());
      t.clock.advance(Duration.ofMinutes(5));
      assertThat(g.isLive()).isFalse();
      assertThat(revokedReason(t, g.id())).startsWith("CREDENTIAL").contains("not the grant's");
      Attacks.tried("broker.remint");
    }
  }

  @Test
  void aThrowingOrEmptyCredentialSourceEndsTheGrant() {
    try (Target t = new Target()) {
      Grant throwing = t.broker.request(standing(t, Credential.jwtSvid(t.svid()))
          .credentialSource(() -> {
            throw new IllegalStateException("workload API down");
          }).build());
      Grant empty = t.broker.request(standing(t, Credential.jwtSvid(t.svid())).credentialSource(() -> null).build());
      t.clock.advance(Duration.ofMinutes(5));
      assertThat(throwing.isLive()).isFalse();
      assertThat(revokedReason(t, throwing.id())).contains("credential source failed");
      assertThat(empty.isLive()).isFalse();
      assertThat(revokedReason(t, empty.id())).contains("no credential");
      Attacks.tried("broker.remint");
    }
  }

  @Test
  void aRenewingGrantWithFreshCredentialsKeepsRenewing() {
    try (Target t = new Target()) {
      Grant g = t.broker.request(standing(t, Credential.jwtSvid(svid(t, 300)))
          .credentialSource(() -> Credential.jwtSvid(svid(t, 300))).build());
      String first = g.token();
      for (int i = 0; i < 6; i++) {
        t.clock.advance(Duration.ofMinutes(5));
      }
      assertThat(g.isLive()).isTrue();
      assertThat(g.token()).isNotEqualTo(first);
      assertThat(t.audit.events(AuditEventType.REMINTED)).hasSize(6);
    }
  }

  @Test
  void theHolderRepresentsAFreshCredentialWithRenew() {
    try (Target t = new Target()) {
      Grant g = t.broker.request(standing(t, Credential.jwtSvid(svid(t, 300))).build());
      t.clock.advance(Duration.ofMinutes(4));
      assertThat(g.renew(Credential.jwtSvid(t.svid("spiffe://example.org/someone/else"))))
          .as("another identity's credential changes nothing").isFalse();
      assertThat(g.renew(Credential.jwtSvid(Jws.token(t.svidHeader(), t.svidClaims(Target.WORKLOAD),
          Jws.es256(t.attacker.getPrivate()))))).as("a credential that does not verify").isFalse();
      assertThat(g.renew(Credential.jwtSvid(svid(t, 300)))).isTrue();
      t.clock.advance(Duration.ofMinutes(1)); // re-mint with the fresh SVID
      assertThat(g.isLive()).isTrue();
      t.clock.advance(Duration.ofMinutes(5)); // next re-mint: the fresh SVID expired too, nothing newer
      assertThat(g.isLive()).isFalse();
      assertThat(revokedReason(t, g.id())).startsWith("CREDENTIAL");
      Attacks.tried("Grant.renew");
    }
  }

  // ------------------------------------------------------------------ first issuance: the cap

  @Test
  void withoutACapAShortCredentialStillBuysTheRequestedLifetime() {
    try (Target t = new Target()) {
      Instant now = t.clock.instant();
      Grant g = t.broker.request(t.request(Credential.jwtSvid(svid(t, 60)), task()).build());
      assertThat(g.expiresAt()).as("off by default, as AWS STS and Vault JWT auth").isEqualTo(now.plusSeconds(600));
    }
  }

  @Test
  void theBrokerDefaultCapsAtTheCredentialsExpiryPlusTheGrace() {
    try (Target t = new Target(b -> b.capGrantsAtCredentialExpiry(Duration.ofSeconds(30)))) {
      Instant now = t.clock.instant();
      Grant g = t.broker.request(t.request(Credential.jwtSvid(svid(t, 60)), task()).build());
      assertThat(g.expiresAt()).isEqualTo(now.plusSeconds(90));
      Attacks.tried("broker.request");
    }
  }

  @Test
  void aRuleCapsAtTheCredentialsExpiryPlusItsGrace() {
    try (Target t = new Target()) {
      Instant now = t.clock.instant();
      Grant capped = t.broker.request(t.request(Credential.jwtSvid(svid(t, 60)), task(), "capped").build());
      assertThat(capped.expiresAt()).isEqualTo(now.plusSeconds(120));
      Attacks.tried("broker.request");
    }
  }

  @Test
  void theStricterOfRuleAndBrokerCapApplies() {
    try (Target t = new Target(b -> b.capGrantsAtCredentialExpiry(Duration.ofSeconds(10)))) {
      Instant now = t.clock.instant();
      Grant capped = t.broker.request(t.request(Credential.jwtSvid(svid(t, 60)), task(), "capped").build());
      assertThat(capped.expiresAt()).isEqualTo(now.plusSeconds(70));
    }
  }

  @Test
  void aRemintIsCappedByTheCredentialPresentedForIt() {
    try (Target t = new Target(b -> b.capGrantsAtCredentialExpiry(Duration.ZERO))) {
      Grant g = t.broker.request(standing(t, Credential.jwtSvid(svid(t, 300)))
          .credentialSource(() -> Credential.jwtSvid(svid(t, 120))).build());
      assertThat(g.expiresAt()).isEqualTo(Target.START.plusSeconds(300));
      t.clock.advance(Duration.ofSeconds(150)); // half of the 300 s token: re-minted with a 120 s SVID
      assertThat(g.isLive()).isTrue();
      assertThat(g.expiresAt()).isEqualTo(t.clock.instant().plusSeconds(120));
    }
  }

  @Test
  void capOptionsRefuseBadValues() {
    assertThatThrownBy(() -> GrantBroker.builder().capGrantsAtCredentialExpiry(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> GrantBroker.builder().capGrantsAtCredentialExpiry(Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT48H");
    assertThatThrownBy(() -> GrantBroker.builder().capGrantsAtCredentialExpiry(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("grace");
    assertThatThrownBy(() -> Rule.builder("r").capAtCredentialExpiry(Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT48H");
    assertThatThrownBy(() -> GrantRequest.builder().credential(Credential.jwtSvid("x")).taskId("t").purpose("p")
        .resource("r").actions("read").environment("e").ttl(Duration.ofMinutes(1))
        .credentialSource(() -> null).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("renewing");
    assertThatThrownBy(() -> GrantRequest.builder().credentialSource(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("source");
    assertThatThrownBy(() -> dev.jitaccess.GrantTerms.of(java.util.Set.of("read"), Duration.ofMinutes(1))
        .withCredentialExpiryCap(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> Rule.builder("r").sharedTask(true).sharedTask(false))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("sharedTask");
    assertThatThrownBy(() -> Rule.builder("r").owner("o").capAtCredentialExpiry(Duration.ofMinutes(1)).deny().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("grant terms");
    assertThatThrownBy(() -> Rule.builder("r").owner("o").sharedTask(true).deny().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("grant terms");
  }

  @Test
  void theYamlPolicyReadsTheCapAndSharedTaskAndRefusesBadValues() {
    String yaml = """
        version: 2
        maxTtl: 1h
        rules:
          - id: capped
            owner: security
            effect: allow
            match: {purpose: deploy}
            grant: {capAtCredentialExpiry: 30s, sharedTask: true}
        """;
    Policy p = Policy.parse("cap.yaml", yaml).orElseThrow();
    assertThat(p.rules()).hasSize(1);
    for (String bad : List.of("capAtCredentialExpiry: 2d", "capAtCredentialExpiry: -5s", "capAtCredentialExpiry: soon",
        "sharedTask: maybe")) {
      String text = yaml.replace("{capAtCredentialExpiry: 30s, sharedTask: true}", "{" + bad + "}");
      assertThat(Policy.parse("bad.yaml", text).diagnostics()).as(bad).isNotEmpty();
      assertThatThrownBy(() -> Policy.parse("bad.yaml", text).orElseThrow()).as(bad).isInstanceOf(RuntimeException.class);
      Attacks.tried("Policy.parse");
    }
  }
}
