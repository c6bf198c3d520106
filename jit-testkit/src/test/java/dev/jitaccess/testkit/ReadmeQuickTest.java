package dev.jitaccess.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Grant;
import dev.jitaccess.testkit.JitTestKit;
import dev.jitaccess.testkit.JitTestKitExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

// The README's quick test: keep it under 10 lines and in sync with the README.
@ExtendWith(JitTestKitExtension.class)
class ReadmeQuickTest {
  @Test
  void deployJobGetsAShortLivedGrant(JitTestKit kit) {
    Grant grant = kit.broker().request(kit.request("spiffe://example.org/ci/deploy").taskId("deploy-42")
        .purpose("deploy").resource("db://prod").actions("write").environment("prod").ttl(Duration.ofMinutes(5)).build());
    assertThat(kit.verifier().verify(grant.token(), "db://prod").isVerified()).isTrue();
    kit.clock().advance(Duration.ofMinutes(5));
    assertThat(kit.verifier().verify(grant.token(), "db://prod").isVerified()).isFalse();
  }
}
