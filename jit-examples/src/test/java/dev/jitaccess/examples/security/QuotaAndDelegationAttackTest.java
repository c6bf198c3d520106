package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Resource exhaustion and escalation through the broker: a crash-looping job hitting its quotas, and
 * sub-agents trying to widen a delegated grant (actions, resource, lifetime, depth, dead parents).
 */
class QuotaAndDelegationAttackTest {

  @AfterAll
  static void stop() {
    Attacks.report();
  }

  @Test
  void crashLoopingJobHitsItsQuotas() {
    try (Target t = new Target(b -> b.maxGrantsPerIdentity(5).maxGrantsPerTask(3))) {
      // the same task restarted again and again, never closing its grant
      for (int i = 0; i < 3; i++) {
        t.broker.request(t.request(Credential.jwtSvid(t.svid()), "loop").build());
      }
      for (int i = 0; i < 20; i++) {
        Target.Issued before = t.issued();
        assertThatThrownBy(() -> t.broker.request(t.request(Credential.jwtSvid(t.svid()), "loop").build()))
            .isInstanceOf(AccessDeniedException.class);
        t.assertNothingIssuedSince(before);
        Attacks.tried("broker.request");
      }
      // a new task id per restart: the identity quota holds
      t.broker.request(t.request(Credential.jwtSvid(t.svid()), "loop-a").build());
      t.broker.request(t.request(Credential.jwtSvid(t.svid()), "loop-b").build());
      for (int i = 0; i < 20; i++) {
        Target.Issued before = t.issued();
        String task = "loop-" + i + "-x";
        assertThatThrownBy(() -> t.broker.request(t.request(Credential.jwtSvid(t.svid()), task).build()))
            .isInstanceOf(AccessDeniedException.class);
        t.assertNothingIssuedSince(before);
        Attacks.tried("broker.request");
      }
      assertThat(t.store.liveCount()).isEqualTo(5);
      // sub-grants count against the delegate's quota too: a looping sub-agent cannot pile them up
    }
  }

  @Test
  void delegationCannotWiden() {
    try (Target t = new Target()) {
      Grant parent = t.broker.request(GrantRequest.builder().credential(Credential.jwtSvid(t.svid())).taskId("agent-task")
          .purpose("agent").resource("https://crm.example.org/api/orders").actions("read").environment("prod")
          .ttl(Duration.ofMinutes(10)).build());
      Grant plain = t.broker.request(t.request(Credential.jwtSvid(t.svid()), "plain").build());
      Supplier<Credential> tool = () -> Credential.jwtSvid(t.svid("spiffe://example.org/tools/lookup"));
      Map<String, Supplier<DelegationRequest>> attacks = new LinkedHashMap<>();
      attacks.put("an action the parent lacks", () -> DelegationRequest.builder(parent).credential(tool.get())
          .actions("read", "write").ttl(Duration.ofMinutes(1)).build());
      attacks.put("only a foreign action", () -> DelegationRequest.builder(parent).credential(tool.get())
          .actions("admin").ttl(Duration.ofMinutes(1)).build());
      attacks.put("a sibling resource sharing the prefix", () -> DelegationRequest.builder(parent).credential(tool.get())
          .actions("read").resource("https://crm.example.org/api/orders-archive").ttl(Duration.ofMinutes(1)).build());
      attacks.put("the parent's parent resource", () -> DelegationRequest.builder(parent).credential(tool.get())
          .actions("read").resource("https://crm.example.org/api").ttl(Duration.ofMinutes(1)).build());
      attacks.put("another host", () -> DelegationRequest.builder(parent).credential(tool.get())
          .actions("read").resource("https://crm.example.org.evil.test/api/orders").ttl(Duration.ofMinutes(1)).build());
      attacks.put("upper-case host", () -> DelegationRequest.builder(parent).credential(tool.get())
          .actions("read").resource("https://CRM.example.org/api/orders/1").ttl(Duration.ofMinutes(1)).build());
      attacks.put("a non-delegable parent", () -> DelegationRequest.builder(plain).credential(tool.get())
          .actions("read").ttl(Duration.ofMinutes(1)).build());
      attacks.put("an unknown parent", () -> DelegationRequest.fromParentToken("no-such-grant").credential(tool.get())
          .actions("read").ttl(Duration.ofMinutes(1)).build());
      attacks.put("the parent's own token as credential", () -> DelegationRequest.builder(parent)
          .credential(Credential.jwtSvid(parent.token())).actions("read").ttl(Duration.ofMinutes(1)).build());
      for (Map.Entry<String, Supplier<DelegationRequest>> a : attacks.entrySet()) {
        Target.Issued before = t.issued();
        assertThatThrownBy(() -> t.broker.delegate(a.getValue().get())).as(a.getKey()).isInstanceOf(AccessDeniedException.class);
        t.assertNothingIssuedSince(before);
        Attacks.tried("broker.delegate");
      }
      // a longer TTL than the parent's is either refused or cut to the parent's expiry
      Grant longer = null;
      try {
        longer = t.broker.delegate(DelegationRequest.builder(parent).credential(tool.get()).actions("read")
            .ttl(Duration.ofHours(24)).build());
      } catch (AccessDeniedException | IllegalArgumentException refused) {
        // fine
      }
      if (longer != null) {
        assertThat(longer.expiresAt()).isBeforeOrEqualTo(parent.expiresAt());
      }
      Attacks.tried("broker.delegate");
      // depth: the rule allows 2 levels; the third is refused
      List<Grant> chain = new ArrayList<>(List.of(parent));
      for (int i = 0; i < 2; i++) {
        chain.add(t.broker.delegate(DelegationRequest.builder(chain.get(chain.size() - 1))
            .credential(Credential.jwtSvid(t.svid("spiffe://example.org/tools/t" + i))).actions("read")
            .ttl(Duration.ofMinutes(1)).build()));
      }
      Target.Issued before = t.issued();
      assertThatThrownBy(() -> t.broker.delegate(DelegationRequest.builder(chain.get(2))
          .credential(Credential.jwtSvid(t.svid("spiffe://example.org/tools/t9"))).actions("read")
          .ttl(Duration.ofMinutes(1)).build())).isInstanceOf(AccessDeniedException.class);
      t.assertNothingIssuedSince(before);
      Attacks.tried("broker.delegate");
      // a dead parent: nothing below it can be delegated, and its live descendants died with it
      t.broker.revoke(parent.id());
      for (Grant g : chain) {
        assertThat(g.isLive()).isFalse();
        Target.Issued b2 = t.issued();
        assertThatThrownBy(() -> t.broker.delegate(DelegationRequest.builder(g).credential(tool.get()).actions("read")
            .ttl(Duration.ofMinutes(1)).build())).isInstanceOf(AccessDeniedException.class);
        t.assertNothingIssuedSince(b2);
        Attacks.tried("broker.delegate");
      }
    }
  }
}
