package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.internal.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class GrantProperties {

  @Property(tries = 60)
  void aGrantNeverOutlivesRequestPolicyOrCeiling(
      @ForAll @IntRange(min = 1, max = 7200) int requestedSeconds,
      @ForAll @IntRange(min = 1, max = 7200) int policySeconds,
      @ForAll @IntRange(min = 1, max = 7200) int ceilingSeconds,
      @ForAll boolean breakGlass) {
    ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    GrantBroker.Builder b = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(ctx -> new Decision.Allow(GrantTerms.of(ctx.request().actions(), Duration.ofSeconds(policySeconds)),
            List.of("p"), List.of(), ""))
        .clock(clock).scheduler(clock).auditSink(e -> {}).maxTtl(Duration.ofSeconds(ceilingSeconds));
    if (ceilingSeconds >= 900) {
      b.breakGlassTtl(Duration.ofMinutes(15));
    }
    try (GrantBroker broker = b.build()) {
      GrantRequest.Builder r = Fixtures.request(DEPLOYER).taskId("deploy-42").ttl(Duration.ofSeconds(requestedSeconds));
      if (breakGlass) {
        r.breakGlass(true).justification("incident");
      }
      Grant g = broker.request(r.build());
      long lived = Duration.between(g.info().issuedAt(), g.expiresAt()).getSeconds();
      assertThat(lived).isLessThanOrEqualTo(Math.min(requestedSeconds, Math.min(policySeconds, ceilingSeconds)));
      if (breakGlass) {
        assertThat(lived).isLessThanOrEqualTo(900);
      }
      clock.advanceTo(g.expiresAt());
      assertThat(broker.verifier().verify(g.token(), "postgres://orders").isVerified()).isFalse();
    }
  }

  @Property(tries = 40)
  void revokeIsIdempotentAndReportsOnlyOnce(@ForAll @IntRange(min = 1, max = 5) int grants,
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 4) Integer> revocations) {
    ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    Fixtures.RecordingListener listener = new Fixtures.RecordingListener();
    try (GrantBroker broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(5))).clock(clock).scheduler(clock).auditSink(e -> {})
        .listener(listener).build()) {
      List<Grant> issued = new java.util.ArrayList<>();
      for (int i = 0; i < grants; i++) {
        issued.add(broker.request(Fixtures.request(DEPLOYER).ttl(Duration.ofMinutes(5)).taskId("t" + i).build()));
      }
      Set<Integer> distinct = new java.util.HashSet<>();
      for (int i : revocations) {
        boolean first = distinct.add(i % grants);
        assertThat(broker.revoke(issued.get(i % grants).id())).isEqualTo(first);
      }
      assertThat(listener.count("revoked")).isEqualTo(distinct.size());
      for (int i = 0; i < grants; i++) {
        assertThat(broker.verifier().verify(issued.get(i).token(), "postgres://orders").isVerified())
            .isEqualTo(!distinct.contains(i));
      }
    }
  }

  @Property(tries = 30)
  void grantedActionsAreASubsetOfRequestedAndAllowed(
      @ForAll @Size(min = 1, max = 5) Set<@net.jqwik.api.constraints.StringLength(min = 1, max = 6)
          @net.jqwik.api.constraints.AlphaChars String> requested,
      @ForAll @Size(min = 1, max = 5) Set<@net.jqwik.api.constraints.StringLength(min = 1, max = 6)
          @net.jqwik.api.constraints.AlphaChars String> allowed) {
    ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    try (GrantBroker broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(ctx -> new Decision.Allow(GrantTerms.of(allowed, Duration.ofMinutes(5)), List.of("p"), List.of(), ""))
        .clock(clock).scheduler(clock).auditSink(e -> {}).build()) {
      GrantRequest r = GrantRequest.builder().credential(Credential.jwtSvid("id:" + DEPLOYER)).taskId("t").purpose("p")
          .resource("postgres://orders").actions(requested).environment("prod").ttl(Duration.ofMinutes(1)).build();
      Set<String> expected = new java.util.HashSet<>(requested);
      expected.retainAll(allowed);
      try {
        Grant g = broker.request(r);
        assertThat(g.info().actions()).isEqualTo(expected).isNotEmpty();
      } catch (AccessDeniedException e) {
        assertThat(expected).isEmpty();
      }
    }
  }
}
