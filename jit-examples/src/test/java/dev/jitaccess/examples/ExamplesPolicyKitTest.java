package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Grant;
import dev.jitaccess.testkit.JitTestKit;
import dev.jitaccess.testkit.JitTestKitExtension;
import dev.jitaccess.testkit.RecordingListener;
import dev.jitaccess.testkit.RecordingListener.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scenario 5, continued: a kit running the examples' own policy
 * (src/main/resources/dev/jitaccess/examples/policy.yaml) in trust domain prod.example.org, registered as
 * an instance so it can have other defaults.
 */
class ExamplesPolicyKitTest {
  @RegisterExtension
  final JitTestKitExtension jit = JitTestKitExtension.using(() -> JitTestKit.builder()
      .trustDomain("prod.example.org").policy(Scene.policy()).build());

  @Test
  void theBackupJobReadsWithoutApproval(JitTestKit kit) {
    Grant grant = kit.broker().request(kit.request(NightlyBackup.JOB)
        .taskId("backup-1").purpose("backup").resource(NightlyBackup.DATABASE).actions("read")
        .environment("prod").ttl(Duration.ofHours(1)).build());
    assertThat(grant.expiresAt()).isEqualTo(kit.clock().instant().plus(Duration.ofMinutes(30)));
    assertThat(grant.info().ruleIds()).containsExactly("nightly-backup");
  }

  @Test
  void anAgentNeverWrites(JitTestKit kit, RecordingListener listener) {
    assertThatThrownBy(() -> kit.broker().request(kit.request(AgentToolChain.AGENT)
        .taskId("t-1").purpose("answer-ticket").resource(AgentToolChain.CRM).actions("write")
        .environment("prod").ttl(Duration.ofMinutes(5)).build()))
        .isInstanceOfSatisfying(AccessDeniedException.class,
            e -> assertThat(e.decision().ruleIds()).containsExactly("agents-never-write"));
    assertThat(listener.count(Kind.DENIED)).isEqualTo(1);
  }

  @Test
  void aToolGetsNothingOfItsOwn(JitTestKit kit) {
    assertThatThrownBy(() -> kit.broker().request(kit.request(AgentToolChain.TOOL)
        .taskId("t-1").purpose("answer-ticket").resource(AgentToolChain.ORDERS).actions("read")
        .environment("prod").ttl(Duration.ofMinutes(5)).build()))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("delegation.parent"); // the tools rule needs a delegating parent
  }
}
