package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoAuditRendererTest {
  private static final Instant AT = Instant.parse("2030-01-15T09:04:00Z");
  private static final String GRANT = "OMgow13bkZZKESpT4UMlNg";
  private static final String HASH = "p6GsdYJqUAK-vAln7g0RG_s9L4SkA-J-MlCdrrdqDPQ";

  private static AuditEvent event(AuditEventType type, String... keyValues) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      fields.put(keyValues[i], keyValues[i + 1]);
    }
    return new AuditEvent(type, AT, fields);
  }

  private static AuditEvent issued() {
    return event(AuditEventType.ISSUED, AuditEvent.GRANT_ID, GRANT, AuditEvent.TASK_ID, "deploy-1",
        AuditEvent.IDENTITY, "spiffe://prod.example.org/ci/deploy", AuditEvent.OWNER, "platform-team",
        AuditEvent.PURPOSE, "deploy", AuditEvent.RESOURCE, "postgres://orders-db.prod.example.org/orders",
        AuditEvent.JUSTIFICATION, "release 2030.01.15: schema migration", AuditEvent.RULES, "ci-deploy",
        AuditEvent.EXPIRES_AT, "2030-01-15T09:09:00Z", AuditEvent.TOKEN_SHA256, HASH,
        AuditEvent.POLICY_VERSION, "sha256:814e5968260c30430457173b67cff15f5027325ae2");
  }

  @Test
  void anIssuedGrantShowsTimeTypeShortIdsRulesExpiryAndNothingTheNarrationSays() {
    assertThat(DemoAuditRenderer.render(issued())).isEqualTo(
        "  audit      09:04:00 ISSUED             grant OMgow13b... rules ci-deploy until 09:09:00 token p6GsdYJq...");
  }

  @Test
  void identityOwnerResourceJustificationAndPolicyVersionAreLeftOut() {
    assertThat(DemoAuditRenderer.render(issued()))
        .doesNotContain("spiffe://", "platform-team", "postgres://", "release 2030", "sha256:", GRANT, HASH);
  }

  @Test
  void aLongReasonIsCutAtTheMaximumWidth() {
    String line = DemoAuditRenderer.render(event(AuditEventType.DENIED, AuditEvent.RULES, "r1",
        AuditEvent.REASON, "denied because " + "x".repeat(500)));
    assertThat(line).hasSize(DemoAuditRenderer.MAX_WIDTH).endsWith("...").startsWith(
        "  audit      09:04:00 DENIED             rules r1 reason denied because xxx");
  }

  @Test
  void aValueWithAControlCharacterIsNotPrinted() {
    String line = DemoAuditRenderer.render(event(AuditEventType.REQUESTED,
        AuditEvent.TASK_ID, "t1\n  audit      09:04:00 ISSUED forged"));
    assertThat(line).doesNotContain("\n", "\r", "forged").endsWith("task (not shown: control characters)");
  }

  @Test
  void aRejectedTokenWithoutAGrantIsKnownByItsShortHash() {
    String line = DemoAuditRenderer.render(event(AuditEventType.VERIFY_REJECTED,
        AuditEvent.TOKEN_SHA256, HASH, AuditEvent.REASON, "BAD_SIGNATURE: signature does not verify"));
    assertThat(line).isEqualTo(
        "  audit      09:04:00 VERIFY_REJECTED    token p6GsdYJq... reason BAD_SIGNATURE: signature does not verify");
  }

  @Test
  void anExpiryThatIsNotAnInstantIsShownAsItIs() {
    String line = DemoAuditRenderer.render(event(AuditEventType.RENEWED, AuditEvent.GRANT_ID, "g1",
        AuditEvent.EXPIRES_AT, "soon"));
    assertThat(line).endsWith("grant g1 until soon");
  }

  @Test
  void anInstantBeyondTheCalendarIsShownInFull() {
    String line = DemoAuditRenderer.render(new AuditEvent(AuditEventType.VERIFIED, Instant.MAX,
        Map.of(AuditEvent.GRANT_ID, "g1")));
    assertThat(line).contains(Instant.MAX.toString()).endsWith("grant g1");
  }

  @Test
  void nullIsRefusedByName() {
    assertThatNullPointerException().isThrownBy(() -> DemoAuditRenderer.render(null)).withMessage("event");
    assertThatNullPointerException().isThrownBy(() -> new DemoAuditRenderer(null)).withMessage("out");
  }
}
