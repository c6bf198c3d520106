package dev.jitaccess;

import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BuilderValidationTest {

  GrantBroker.Builder minimal() {
    return GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(1)));
  }

  @Test
  void brokerBuilderRejectsNullsNamingTheOption() {
    assertThatThrownBy(() -> GrantBroker.builder().issuer(null)).isInstanceOf(NullPointerException.class).hasMessage("issuer");
    assertThatThrownBy(() -> GrantBroker.builder().policy(null)).isInstanceOf(NullPointerException.class).hasMessage("policy");
    assertThatThrownBy(() -> GrantBroker.builder().clock(null)).isInstanceOf(NullPointerException.class).hasMessage("clock");
    assertThatThrownBy(() -> GrantBroker.builder().identityVerifier(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("identityVerifier");
    assertThatThrownBy(() -> GrantBroker.builder().maxTtl(null)).isInstanceOf(NullPointerException.class).hasMessage("maxTtl");
  }

  @Test
  void brokerBuilderRejectsBadRangesWithTheValue() {
    assertThatThrownBy(() -> GrantBroker.builder().maxTtl(Duration.ofHours(25)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTtl").hasMessageContaining("PT25H");
    assertThatThrownBy(() -> GrantBroker.builder().maxTtl(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GrantBroker.builder().maxGrantsPerIdentity(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
    assertThatThrownBy(() -> GrantBroker.builder().maxGrantsPerTask(-3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -3");
    assertThatThrownBy(() -> GrantBroker.builder().expiringFraction(1.0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.0");
    assertThatThrownBy(() -> GrantBroker.builder().renewFraction(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> GrantBroker.builder().clockSkew(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GrantBroker.builder().keyRotation(Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT5S");
    assertThatThrownBy(() -> GrantBroker.builder().maxCredentialBytes(100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("100");
    assertThatThrownBy(() -> GrantBroker.builder().issuer(" ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void brokerBuilderRejectsOptionsSetTwice() {
    assertThatThrownBy(() -> GrantBroker.builder().issuer("a").issuer("b"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("issuer");
    assertThatThrownBy(() -> GrantBroker.builder().maxTtl(Duration.ofMinutes(1)).maxTtl(Duration.ofMinutes(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxTtl");
    assertThatThrownBy(() -> GrantBroker.builder().auditFailureBlocksIssuance(true).auditFailureBlocksIssuance(false))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void brokerBuilderChecksRequiredAndContradictoryOptions() {
    assertThatThrownBy(() -> GrantBroker.builder().build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("issuer");
    assertThatThrownBy(() -> GrantBroker.builder().issuer(ISSUER).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("identityVerifier");
    assertThatThrownBy(() -> GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("policy");
    assertThatThrownBy(() -> minimal().signingKey("{}").keyRotation(Duration.ofDays(1)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("keyRotation");
    assertThatThrownBy(() -> minimal().maxTtl(Duration.ofMinutes(5)).breakGlassTtl(Duration.ofMinutes(10)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("breakGlassTtl");
  }

  @Test
  void requestBuilderValidatesEveryField() {
    assertThatThrownBy(() -> GrantRequest.builder().taskId("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("taskId");
    assertThatThrownBy(() -> GrantRequest.builder().taskId("a\nb")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control");
    assertThatThrownBy(() -> GrantRequest.builder().taskId("x".repeat(513))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("513");
    assertThatThrownBy(() -> GrantRequest.builder().ttl(Duration.ofSeconds(-5))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT-5S");
    assertThatThrownBy(() -> GrantRequest.builder().ttl(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GrantRequest.builder().actions("read write")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("white space");
    assertThatThrownBy(() -> GrantRequest.builder().attribute("risk", new Object()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("String, Number or Boolean");
    assertThatThrownBy(() -> GrantRequest.builder().attribute("risk", 1).attribute("risk", 2))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> GrantRequest.builder().credential(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("credential");
    assertThatThrownBy(() -> Fixtures.request(Fixtures.DEPLOYER).taskId("once").taskId("again")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> GrantRequest.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("credential");
    assertThatThrownBy(() -> Fixtures.request(Fixtures.DEPLOYER).taskId("deploy-42").ttl(Duration.ofMinutes(5)).breakGlass(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("justification");
    assertThatThrownBy(() -> Fixtures.request(Fixtures.DEPLOYER).taskId("deploy-42").ttl(Duration.ofMinutes(5)).breakGlass(true).justification("j").renewing(true).build())
        .isInstanceOf(IllegalStateException.class);
    GrantRequest.Builder many = GrantRequest.builder();
    for (int i = 0; i < GrantRequest.MAX_ATTRIBUTES; i++) {
      many.attribute("a" + i, i);
    }
    assertThatThrownBy(() -> many.attribute("one-more", 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void valueTypesCheckTheirArguments() {
    assertThatThrownBy(() -> GrantTerms.of(Set.of(), Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GrantTerms.of(Set.of("read"), Duration.ofMinutes(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new GrantTerms(Set.of("read"), Duration.ofMinutes(1), null, true, true, false, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("single-use and renewable");
    assertThatThrownBy(() -> new ApprovalRequirement("dba", 0, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
    assertThatThrownBy(() -> Credential.x509Svid(java.util.List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThat(Credential.jwtSvid("secret.token.value").toString()).doesNotContain("secret");
  }
}
