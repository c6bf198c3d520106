package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** GrantInfo as a final class: grouped facts, nullable builder setters, value semantics, checks. */
class GrantInfoTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static GrantInfo.Builder base() {
    return GrantInfo.builder().grantId("g-1").subject("spiffe://example.org/ci").issuer("https://broker.test")
        .resource("https://db.test").actions(Set.of("read")).taskId("task-1").purpose("deploy")
        .environment("prod").issuedAt(T0).expiresAt(T0.plusSeconds(60));
  }

  @Test
  void defaultsAreTheNoneValuesOfEachGroup() {
    GrantInfo g = base().build();
    assertThat(g.delegation()).isEqualTo(GrantInfo.Delegation.NONE);
    assertThat(g.binding()).isEqualTo(GrantInfo.Binding.NONE);
    assertThat(g.approval()).isEqualTo(GrantInfo.ApprovalFacts.NONE);
    assertThat(g.owner()).isEmpty();
    assertThat(g.parentGrantId()).isEmpty();
    assertThat(g.approvalId()).isEmpty();
    assertThat(g.certificateThumbprint()).isEmpty();
    assertThat(g.keyThumbprint()).isEmpty();
    assertThat(g.isSenderConstrained()).isFalse();
    assertThat(g.breakGlass()).isFalse();
    assertThat(g.singleUse()).isFalse();
  }

  @Test
  void flatAccessorsReadTheGroupedFacts() {
    Approval a = new Approval("alice", T0, "ok");
    GrantInfo g = base().owner("team-a").approvalId("appr-1").approvals(List.of(a))
        .delegation("parent-1", List.of("spiffe://example.org/root")).delegationsLeft(2)
        .certificateThumbprint("x5t").keyThumbprint("jkt").build();
    assertThat(g.owner()).contains("team-a");
    assertThat(g.approval()).isEqualTo(new GrantInfo.ApprovalFacts("appr-1", List.of(a)));
    assertThat(g.approvalId()).contains("appr-1");
    assertThat(g.approvals()).containsExactly(a);
    assertThat(g.delegation()).isEqualTo(new GrantInfo.Delegation("parent-1", List.of("spiffe://example.org/root"), 2));
    assertThat(g.delegation().isSubGrant()).isTrue();
    assertThat(g.parentGrantId()).contains("parent-1");
    assertThat(g.delegators()).containsExactly("spiffe://example.org/root");
    assertThat(g.delegationsLeft()).isEqualTo(2);
    assertThat(g.binding()).isEqualTo(new GrantInfo.Binding("x5t", "jkt"));
    assertThat(g.certificateThumbprint()).contains("x5t");
    assertThat(g.keyThumbprint()).contains("jkt");
    assertThat(g.isSenderConstrained()).isTrue();
  }

  @Test
  void groupSettersSetTheSameFactsAsTheFlatOnes() {
    Approval a = new Approval("alice", T0, "ok");
    GrantInfo flat = base().approvalId("appr-1").approvals(List.of(a)).delegation("p", List.of("d")).delegationsLeft(1)
        .keyThumbprint("jkt").build();
    GrantInfo grouped = base().approval(new GrantInfo.ApprovalFacts("appr-1", List.of(a)))
        .delegation(new GrantInfo.Delegation("p", List.of("d"), 1)).binding(new GrantInfo.Binding(null, "jkt")).build();
    assertThat(grouped).isEqualTo(flat).hasSameHashCodeAs(flat);
  }

  @Test
  void toBuilderRoundTripsEveryFactAndNullClearsAnOptionalOne() {
    GrantInfo g = base().owner("team-a").approvalId("appr-1").breakGlass(true).singleUse(true)
        .ruleIds(List.of("r1")).delegation("p", List.of("d")).delegationsLeft(3).certificateThumbprint("x5t").build();
    assertThat(g.toBuilder().build()).isEqualTo(g).hasSameHashCodeAs(g).hasToString(g.toString());
    GrantInfo cleared = g.toBuilder().owner(null).certificateThumbprint(null).build();
    assertThat(cleared.owner()).isEmpty();
    assertThat(cleared.isSenderConstrained()).isFalse();
    assertThat(cleared).isNotEqualTo(g);
  }

  @Test
  void buildLeavesTheBuilderUnchanged() {
    GrantInfo.Builder b = base().owner("team-a");
    GrantInfo first = b.build();
    assertThat(b.build()).isEqualTo(first).isNotSameAs(first);
  }

  @Test
  void valuesAreCopiedSoTheCallersCollectionsCannotChangeThem() {
    java.util.ArrayList<String> rules = new java.util.ArrayList<>(List.of("r1"));
    java.util.ArrayList<String> chain = new java.util.ArrayList<>(List.of("d"));
    GrantInfo g = base().ruleIds(rules).delegation("p", chain).build();
    rules.add("r2");
    chain.add("e");
    assertThat(g.ruleIds()).containsExactly("r1");
    assertThat(g.delegators()).containsExactly("d");
  }

  @Test
  void toStringNamesEveryFact() {
    String s = base().owner("team-a").approvalId("appr-1").delegation("parent-1", List.of("d"))
        .keyThumbprint("jkt").build().toString();
    assertThat(s).contains("grantId=g-1", "owner=team-a", "approvalId=appr-1", "parentGrantId=parent-1",
        "keyThumbprint=jkt");
  }

  static Stream<Arguments> missingRequired() {
    return Stream.of(
        Arguments.of("grantId", (UnaryOperator<GrantInfo.Builder>) b -> b.grantId(nul())),
        Arguments.of("subject", (UnaryOperator<GrantInfo.Builder>) b -> b.subject(nul())),
        Arguments.of("issuer", (UnaryOperator<GrantInfo.Builder>) b -> b.issuer(nul())),
        Arguments.of("resource", (UnaryOperator<GrantInfo.Builder>) b -> b.resource(nul())),
        Arguments.of("actions", (UnaryOperator<GrantInfo.Builder>) b -> b.actions(nul())),
        Arguments.of("taskId", (UnaryOperator<GrantInfo.Builder>) b -> b.taskId(nul())),
        Arguments.of("purpose", (UnaryOperator<GrantInfo.Builder>) b -> b.purpose(nul())),
        Arguments.of("environment", (UnaryOperator<GrantInfo.Builder>) b -> b.environment(nul())),
        Arguments.of("issuedAt", (UnaryOperator<GrantInfo.Builder>) b -> b.issuedAt(nul())),
        Arguments.of("expiresAt", (UnaryOperator<GrantInfo.Builder>) b -> b.expiresAt(nul())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("missingRequired")
  void buildNamesAMissingRequiredFact(String name, UnaryOperator<GrantInfo.Builder> unset) {
    assertThatThrownBy(() -> unset.apply(base()).build()).isInstanceOf(NullPointerException.class).hasMessage(name);
  }

  @Test
  void negativeDelegationsLeftIsRefusedWithTheValue() {
    assertThatThrownBy(() -> base().delegationsLeft(-1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }

  @Test
  void aParentWithoutDelegatorsIsRefused() {
    assertThatThrownBy(() -> base().delegation("parent-1", List.of()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parent");
  }

  @Test
  void delegatorsWithoutAParentAreRefused() {
    assertThatThrownBy(() -> new GrantInfo.Delegation(null, List.of("d"), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parent");
  }

  @Test
  void nullGroupValuesAreRefusedByName() {
    assertThatThrownBy(() -> base().delegation(nul())).isInstanceOf(NullPointerException.class).hasMessage("delegation");
    assertThatThrownBy(() -> base().binding(nul())).isInstanceOf(NullPointerException.class).hasMessage("binding");
    assertThatThrownBy(() -> base().approval(nul())).isInstanceOf(NullPointerException.class).hasMessage("approval");
    assertThatThrownBy(() -> new GrantInfo.ApprovalFacts(null, nul()))
        .isInstanceOf(NullPointerException.class).hasMessage("approvals");
  }

  @Test
  void equalsComparesEveryFact() {
    GrantInfo g = base().build();
    assertThat(g).isEqualTo(base().build()).isNotEqualTo(null).isNotEqualTo("g-1");
    assertThat(g).isNotEqualTo(base().singleUse(true).build());
    assertThat(g).isNotEqualTo(base().keyThumbprint("jkt").build());
    assertThat(g).isNotEqualTo(base().expiresAt(T0.plusSeconds(61)).build());
    assertThat(Optional.of(g)).contains(base().build());
  }

  @SuppressWarnings("NullAway")
  private static <T> T nul() {
    return null;
  }
}
