package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** GrantRequest.toBuilder(): a copy whose copied options may each be replaced once. */
class GrantRequestToBuilderTest {

  static GrantRequest base() {
    return GrantRequest.builder().credential(Credential.jwtSvid("not-a-real-token")).taskId("task-1")
        .purpose("deploy").resource("https://db.test").actions("read", "write").environment("prod")
        .ttl(Duration.ofMinutes(5)).attribute("ticket", "OPS-1").justification("release").build();
  }

  @Test
  void toBuilderBuildsAnEqualRequest() {
    GrantRequest r = base();
    GrantRequest copy = r.toBuilder().build();
    assertThat(copy.credential()).isSameAs(r.credential());
    assertThat(copy.taskId()).isEqualTo(r.taskId());
    assertThat(copy.purpose()).isEqualTo(r.purpose());
    assertThat(copy.resource()).isEqualTo(r.resource());
    assertThat(copy.actions()).isEqualTo(r.actions());
    assertThat(copy.environment()).isEqualTo(r.environment());
    assertThat(copy.ttl()).isEqualTo(r.ttl());
    assertThat(copy.attributes()).isEqualTo(r.attributes());
    assertThat(copy.justification()).isEqualTo(r.justification());
    assertThat(copy.breakGlass()).isEqualTo(r.breakGlass());
    assertThat(copy.renewing()).isEqualTo(r.renewing());
    assertThat(copy.keyThumbprint()).isEqualTo(r.keyThumbprint());
  }

  @Test
  void aCopiedOptionMayBeReplacedOnce() {
    GrantRequest changed = base().toBuilder().taskId("task-2").ttl(Duration.ofMinutes(1)).actions("read")
        .attribute("ticket", "OPS-2").build();
    assertThat(changed.taskId()).isEqualTo("task-2");
    assertThat(changed.ttl()).isEqualTo(Duration.ofMinutes(1));
    assertThat(changed.actions()).containsExactly("read");
    assertThat(changed.attributes()).containsEntry("ticket", "OPS-2").hasSize(1);
    assertThat(changed.purpose()).isEqualTo("deploy");
  }

  @Test
  void theOriginalIsUnchangedByItsDerivedBuilder() {
    GrantRequest r = base();
    r.toBuilder().taskId("task-2").actions("admin").build();
    assertThat(r.taskId()).isEqualTo("task-1");
    assertThat(r.actions()).containsExactly("read", "write");
  }

  @Test
  void aReplacedOptionKeepsTheSetOnceRule() {
    GrantRequest.Builder b = base().toBuilder().taskId("task-2");
    assertThatThrownBy(() -> b.taskId("task-3")).isInstanceOf(IllegalStateException.class).hasMessageContaining("taskId");
  }

  @Test
  void aReplacedAttributeKeepsTheSetOnceRule() {
    GrantRequest.Builder b = base().toBuilder().attribute("ticket", "OPS-2");
    assertThatThrownBy(() -> b.attribute("ticket", "OPS-3")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ticket");
  }

  @Test
  void aDerivedBuilderStillChecksValues() {
    assertThatThrownBy(() -> base().toBuilder().ttl(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> base().toBuilder().attribute("delegation.depth", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
  }

  @Test
  void aDerivedBuilderStillChecksOptionsAgainstEachOther() {
    GrantRequest noJustification = GrantRequest.builder().credential(Credential.jwtSvid("not-a-real-token"))
        .taskId("t").purpose("p").resource("https://db.test").actions("read").environment("prod")
        .ttl(Duration.ofMinutes(5)).renewing(true).build();
    assertThatThrownBy(() -> noJustification.toBuilder().breakGlass(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("justification");
  }
}
