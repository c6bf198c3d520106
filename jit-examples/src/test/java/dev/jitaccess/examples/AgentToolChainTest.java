package dev.jitaccess.examples;

import static dev.jitaccess.examples.AgentToolChain.AGENT;
import static dev.jitaccess.examples.AgentToolChain.SUB_TOOL;
import static dev.jitaccess.examples.AgentToolChain.TOOL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Decision;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.Verification;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AgentToolChainTest {

  @Test
  void agentGetsReadOnlyForOneTaskTiedToItsIntentAndOwner() {
    AgentToolChain.Result r = run();

    assertThat(r.overreach()).isInstanceOf(Decision.Deny.class);
    assertThat(r.overreach().ruleIds()).containsExactly("agents-never-write");

    assertThat(r.agent().subject()).isEqualTo(AGENT);
    assertThat(r.agent().actions()).containsExactly("read");
    assertThat(r.agent().taskId()).isEqualTo("ticket-4711");
    assertThat(r.agent().owner()).contains("support-team");
    assertThat(r.issuedAudit().field(AuditEvent.OWNER)).contains("support-team");
    assertThat(r.issuedAudit().field(AuditEvent.PURPOSE)).contains("answer-ticket");
    assertThat(r.issuedAudit().field(AuditEvent.JUSTIFICATION)).contains(AgentToolChain.INTENT);
    assertThat(r.issuedAudit().field(AuditEvent.TASK_ID)).contains("ticket-4711");
    assertThat(r.issuedAudit().field(AuditEvent.TOKEN_SHA256)).isPresent();
  }

  @Test
  void subGrantsAreNarrowerNameTheirDelegatorsAndDieWithTheAgentsGrant() {
    AgentToolChain.Result r = run();

    assertThat(r.tool().subject()).isEqualTo(TOOL);
    assertThat(r.tool().parentGrantId()).contains(r.agent().grantId());
    assertThat(r.tool().delegators()).containsExactly(AGENT);
    assertThat(r.tool().resource()).isEqualTo(AgentToolChain.ORDERS);
    assertThat(r.subTool().subject()).isEqualTo(SUB_TOOL);
    assertThat(r.subTool().parentGrantId()).contains(r.tool().grantId());
    assertThat(r.subTool().delegators()).containsExactly(TOOL, AGENT);
    // RFC 8693 section 4.1: sub stays the agent, act names the current actor, nested act the prior one
    assertThat(r.tokenSubject()).isEqualTo(AGENT);
    assertThat(r.actChain()).containsExactly(SUB_TOOL, TOOL);
    assertThat(r.subTool().resource()).isEqualTo(AgentToolChain.ORDER_991);
    assertThat(r.subTool().delegationsLeft()).isZero();
    // never wider nor longer-lived than the parent; accountability stays with the agent's owner
    for (var pair : new dev.jitaccess.GrantInfo[][] {{r.agent(), r.tool()}, {r.tool(), r.subTool()}}) {
      assertThat(pair[0].actions()).containsAll(pair[1].actions());
      assertThat(pair[1].expiresAt()).isBeforeOrEqualTo(pair[0].expiresAt());
      assertThat(pair[1].resource()).startsWith(pair[0].resource());
      assertThat(pair[1].taskId()).isEqualTo(pair[0].taskId());
      assertThat(pair[1].owner()).isEqualTo(Optional.of("support-team"));
    }
    assertThat(r.widening()).contains("actions [write] are not granted by the parent");

    assertThat(r.revoked()).containsEntry(AGENT, RevocationReason.COMPLETED)
        .containsEntry(TOOL, RevocationReason.PARENT)
        .containsEntry(SUB_TOOL, RevocationReason.PARENT);
    assertThat(r.subToolAfterClose()).isInstanceOfSatisfying(Verification.Rejected.class,
        rej -> assertThat(rej.reason()).isEqualTo(Verification.RejectionReason.REVOKED));
    assertThat(r.audit()).filteredOn(e -> e.type() == AuditEventType.DELEGATED)
        .extracting(e -> e.field(AuditEvent.IDENTITY).orElse(""))
        .containsExactly(TOOL, SUB_TOOL);
    assertThat(r.audit()).filteredOn(e -> e.type() == AuditEventType.ISSUED)
        .extracting(e -> e.field(AuditEvent.IDENTITY).orElse(""))
        .containsExactlyInAnyOrderElementsOf(Set.of(AGENT, TOOL, SUB_TOOL));
  }

  private static AgentToolChain.Result run() {
    AgentToolChain.Result[] result = new AgentToolChain.Result[1];
    String printed = Outputs.capture(out -> result[0] = AgentToolChain.run(out));
    assertThat(printed).contains("act chain", "REFUSED", "reason PARENT");
    Outputs.assertNoSecrets(printed, result[0].audit());
    return result[0];
  }
}
