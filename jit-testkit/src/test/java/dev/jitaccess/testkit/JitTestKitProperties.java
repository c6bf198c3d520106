package dev.jitaccess.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Grant;
import dev.jitaccess.testkit.RecordingListener.Kind;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class JitTestKitProperties {

  /**
   * With the default policy a grant lives exactly min(requested, 1 hour): live one nanosecond before,
   * expired at that instant, with exactly one onExpiring and one onExpired, whatever the step sizes.
   */
  @Property(tries = 25)
  void aGrantExpiresExactlyAtItsClampedTtl(
      @ForAll @IntRange(min = 1, max = 7200) int requestedSeconds,
      @ForAll @IntRange(min = 1, max = 5) int steps) {
    try (JitTestKit kit = JitTestKit.create()) {
      Grant g = kit.broker().request(kit.request("spiffe://example.org/job").taskId("t").purpose("p")
          .resource("r").actions("a").environment("e").ttl(Duration.ofSeconds(requestedSeconds)).build());
      Duration ttl = Duration.ofSeconds(Math.min(requestedSeconds, 3600));
      assertThat(g.expiresAt()).isEqualTo(JitTestKit.DEFAULT_START.plus(ttl));
      Duration step = ttl.minusNanos(1).dividedBy(steps);
      for (int i = 0; i < steps; i++) {
        kit.clock().advance(step);
      }
      kit.clock().advanceTo(g.expiresAt().minusNanos(1));
      assertThat(g.isLive()).isTrue();
      assertThat(kit.listener().count(Kind.EXPIRED)).isZero();
      kit.clock().advanceTo(g.expiresAt());
      assertThat(g.isLive()).isFalse();
      assertThat(kit.listener().count(Kind.EXPIRING)).isEqualTo(1);
      assertThat(kit.listener().grantIds(Kind.EXPIRED)).containsExactly(g.id());
      kit.clock().advance(Duration.ofHours(2));
      assertThat(kit.listener().count(Kind.EXPIRED)).isEqualTo(1);
    }
  }
}
