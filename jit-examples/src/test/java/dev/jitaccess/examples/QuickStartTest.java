package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.testkit.TestTrustDomain;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class QuickStartTest {

  @Test
  void quickStartIssuesUsesAndClosesAGrantOnTheSystemClock() {
    TestTrustDomain spire = TestTrustDomain.create("prod.example.org", Clock.systemUTC());
    String printed = Outputs.capture(out -> QuickStart.run(out, spire.bundleSource(),
        spire.jwtSvid("spiffe://prod.example.org/ci/build", "jit-broker")));
    assertThat(printed).contains("subject=spiffe://prod.example.org/ci/build", "task=build-1234", "token=<redacted>",
        "verified: true");
    assertThat(printed).doesNotContain("eyJ");
  }

  @Test
  void quickStartRefusesAWorkloadThePolicyDoesNotName() {
    TestTrustDomain spire = TestTrustDomain.create("prod.example.org", Clock.systemUTC());
    String svid = spire.jwtSvid("spiffe://prod.example.org/agents/bot", "jit-broker");
    assertThatThrownBy(() -> QuickStart.run(System.out, spire.bundleSource(), svid))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("ci-reads-reports");
  }

  @Test
  void quickStartRefusesAnSvidFromAnotherTrustDomain() {
    TestTrustDomain spire = TestTrustDomain.create("prod.example.org", Clock.systemUTC());
    TestTrustDomain rogue = TestTrustDomain.create("prod.example.org", Clock.systemUTC());
    String forged = rogue.jwtSvid("spiffe://prod.example.org/ci/build", "jit-broker");
    assertThatThrownBy(() -> QuickStart.run(System.out, spire.bundleSource(), forged))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("identity:");
  }
}
