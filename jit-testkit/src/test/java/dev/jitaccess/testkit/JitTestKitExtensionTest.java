package dev.jitaccess.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.GrantBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

class JitTestKitExtensionTest {
  static final List<JitTestKit> SEEN = new ArrayList<>();

  @Nested
  @ExtendWith(JitTestKitExtension.class)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  class Injection {
    JitTestKit fromBeforeEach;

    @BeforeEach
    void before(JitTestKit kit) {
      fromBeforeEach = kit;
    }

    @Test
    @Order(1)
    void injectsOneKitAndItsPartsPerTest(JitTestKit kit, GrantBroker broker, ManualClock clock,
        RecordingAuditSink audit, RecordingListener listener, TestTrustDomain td, TestOidcIssuer oidc) {
      assertThat(kit).isSameAs(fromBeforeEach);
      assertThat(broker).isSameAs(kit.broker());
      assertThat(clock).isSameAs(kit.clock());
      assertThat(audit).isSameAs(kit.audit());
      assertThat(listener).isSameAs(kit.listener());
      assertThat(td).isSameAs(kit.trustDomain());
      assertThat(oidc).isSameAs(kit.oidcIssuer());
      clock.advance(Duration.ofDays(1));
      SEEN.add(kit);
    }

    @Test
    @Order(2)
    void eachTestGetsAFreshKit(JitTestKit kit) {
      assertThat(SEEN).isNotEmpty().doesNotContain(kit);
      assertThat(kit.clock().instant()).isEqualTo(JitTestKit.DEFAULT_START);
      SEEN.add(kit);
    }

    @AfterEach
    void after(JitTestKit kit) {
      assertThat(kit).isSameAs(fromBeforeEach);
    }
  }

  @Nested
  class Customized {
    @RegisterExtension
    final JitTestKitExtension jit = JitTestKitExtension.using(
        () -> JitTestKit.builder().trustDomain("prod.example.com").build());

    @Test
    void usesTheFactory(TestTrustDomain td) {
      assertThat(td.trustDomain().name()).isEqualTo("prod.example.com");
    }
  }

  @AfterAll
  static void kitsWereClosed() {
    assertThat(SEEN).hasSize(2);
    for (JitTestKit kit : SEEN) {
      // a closed broker refuses requests
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> kit.broker().request(kit.request(
          "spiffe://example.org/x").taskId("t").purpose("p").resource("r").actions("a").environment("e")
          .ttl(Duration.ofMinutes(1)).build())).isInstanceOf(RuntimeException.class);
    }
  }
}
