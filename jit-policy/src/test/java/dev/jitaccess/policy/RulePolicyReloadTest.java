package dev.jitaccess.policy;

import static dev.jitaccess.policy.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulePolicyReloadTest {
  static final String ALLOW = "version: 1\nmaxTtl: 1h\nrules:\n  - {id: all, owner: o, effect: allow}\n";
  static final String DENY = "version: 1\nmaxTtl: 1h\nrules: []\n";
  static final String BAD = "version: 1\nmaxTtl: 1h\nrules:\n  - {id: all, owner: o, effect: allow, grant: {maxTtl: 9h}}\n";

  @Test
  void goodDocumentIsSwappedIn(@TempDir Path dir) throws IOException {
    List<LoadResult> seen = new ArrayList<>();
    RulePolicy p = RulePolicy.builder().policy(Policy.parse("a", DENY).orElseThrow()).listener(seen::add).build();
    assertThat(p.evaluate(request().context()).isAllowed()).isFalse();
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, ALLOW);
    LoadResult r = p.reload(file);
    assertThat(r).isInstanceOf(LoadResult.Loaded.class);
    assertThat(p.evaluate(request().context()).isAllowed()).isTrue();
    assertThat(p.version()).isEqualTo(((LoadResult.Loaded) r).policy().version());
    assertThat(p.evaluate(request().context()).policyVersion()).isEqualTo(p.version());
    assertThat(seen).containsExactly(r);
  }

  @Test
  void badDocumentLeavesTheLastGoodOneInForceAndSaysWhy() {
    List<LoadResult> seen = new ArrayList<>();
    RulePolicy p = RulePolicy.builder().policy(Policy.parse("a", ALLOW).orElseThrow()).listener(seen::add).build();
    String before = p.version();
    LoadResult r = p.reload("bad.yaml", BAD);
    assertThat(r).isInstanceOf(LoadResult.Invalid.class);
    assertThat(r.diagnostics()).extracting(Diagnostic::toString)
        .containsExactly("bad.yaml:4:56: error: rule 'all': maxTtl 9h is above the policy ceiling maxTtl 1h");
    assertThat(p.version()).isEqualTo(before);
    assertThat(p.evaluate(request().context()).isAllowed()).isTrue();
    assertThat(seen).containsExactly(r);
  }

  @Test
  void aThrowingListenerChangesNothing() {
    RulePolicy p = RulePolicy.builder().policy(Policy.parse("a", DENY).orElseThrow())
        .listener(x -> {
          throw new IllegalStateException("boom");
        }).build();
    assertThat(p.reload("a", ALLOW)).isInstanceOf(LoadResult.Loaded.class);
    assertThat(p.evaluate(request().context()).isAllowed()).isTrue();
  }

  @Test
  void replaceSwapsAJavaPolicy() {
    RulePolicy p = RulePolicy.of(Policy.parse("a", ALLOW).orElseThrow());
    p.replace(Policy.parse("b", DENY).orElseThrow());
    assertThat(p.evaluate(request().context()).isAllowed()).isFalse();
    assertThat(p.policy().rules()).isEmpty();
  }

  @Test
  void builderLoadsAFileOrThrowsEveryError(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, BAD);
    assertThatThrownBy(() -> RulePolicy.builder().load(bad)).isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("bad.yaml:4:56: error: rule 'all': maxTtl 9h is above the policy ceiling")
        .satisfies(e -> assertThat(((InvalidPolicyException) e).errors()).hasSize(1));
    Path good = dir.resolve("good.yaml");
    Files.writeString(good, ALLOW);
    assertThat(RulePolicy.builder().load(good).build().evaluate(request().context()).isAllowed()).isTrue();
  }

  @Test
  void builderIsStrict() {
    assertThatThrownBy(() -> RulePolicy.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessage("policy is required");
    Policy policy = Policy.parse("a", ALLOW).orElseThrow();
    assertThatThrownBy(() -> RulePolicy.builder().policy(policy).policy(policy))
        .isInstanceOf(IllegalStateException.class).hasMessage("policy was already set");
    assertThatThrownBy(() -> RulePolicy.builder().policy(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("policy");
    assertThatThrownBy(() -> RulePolicy.builder().listener(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("listener");
  }

  @Test
  void concurrentEvaluationsSeeOnePolicyOrTheOther() throws Exception {
    RulePolicy p = RulePolicy.of(Policy.parse("a", ALLOW).orElseThrow());
    String allowVersion = p.version();
    String denyVersion = Policy.parse("b", DENY).orElseThrow().version();
    Thread reloader = new Thread(() -> {
      for (int i = 0; i < 200; i++) {
        p.reload("x", i % 2 == 0 ? DENY : ALLOW);
      }
    });
    reloader.start();
    for (int i = 0; i < 2000; i++) {
      dev.jitaccess.Decision d = p.evaluate(request().context());
      assertThat(d.policyVersion()).isIn(allowVersion, denyVersion);
      assertThat(d.isAllowed()).isEqualTo(d.policyVersion().equals(allowVersion));
    }
    reloader.join(10_000);
  }
}
