package dev.jitaccess.examples;

import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.JitException;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantListener;
import java.io.PrintStream;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scenario 3, an AI agent and its tool chain. The support agent ({@value #AGENT}) gets a read-only grant
 * for one ticket; its stated intent (purpose and justification) and its owner go into the token and the
 * audit trail. Asking for write as well is refused outright (hard deny). The agent then hands its tool
 * ({@value #TOOL}, with the tool's own JWT-SVID) a narrower sub-grant with {@link GrantBroker#delegate},
 * and the tool hands a sub-tool ({@value #SUB_TOOL}) a narrower one still. The sub-tool's token carries
 * the RFC 8693 {@code act} chain naming both delegators; a tool asking for more than it was given is
 * refused; and when the agent closes its grant, every sub-grant dies with it (reason PARENT).
 */
public final class AgentToolChain {
  /** The agent's SPIFFE ID. */
  public static final String AGENT = "spiffe://prod.example.org/agents/support-bot";
  /** The tool the agent calls. */
  public static final String TOOL = "spiffe://prod.example.org/tools/order-lookup";
  /** The tool the tool calls. */
  public static final String SUB_TOOL = "spiffe://prod.example.org/tools/shipment-tracker";
  /** The agent's resource: the CRM API. */
  public static final String CRM = "https://crm.prod.example.org/api";
  /** The tool's narrower resource. */
  public static final String ORDERS = CRM + "/orders";
  /** The sub-tool's narrower resource still. */
  public static final String ORDER_991 = ORDERS + "/991";
  /** What the agent says it is doing. */
  public static final String INTENT =
      "customer on ticket 4711 asks where order 991 is: read the order and its shipment";

  private AgentToolChain() {}

  /**
   * What happened.
   *
   * @param overreach the decision on the agent's request for read and write
   * @param agent the agent's grant
   * @param tool the tool's sub-grant
   * @param subTool the sub-tool's sub-grant
   * @param actChain the actors named by the sub-tool token's {@code act} claim (RFC 8693 section 4.1):
   *     the current actor (the sub-tool) first, then each prior actor
   * @param tokenSubject the sub-tool token's {@code sub}: the agent, on whose behalf the chain acts
   * @param widening why the tool's request for write was refused
   * @param revoked how each sub-grant ended when the agent closed its grant
   * @param subToolAfterClose the sub-tool's token presented after that
   * @param issuedAudit the ISSUED audit event of the agent's grant
   * @param audit every audit event
   */
  public record Result(
      Decision overreach,
      GrantInfo agent,
      GrantInfo tool,
      GrantInfo subTool,
      List<String> actChain,
      String tokenSubject,
      String widening,
      Map<String, RevocationReason> revoked,
      Verification subToolAfterClose,
      AuditEvent issuedAudit,
      List<AuditEvent> audit) {
    /** Copies the collections. */
    public Result {
      actChain = List.copyOf(actChain);
      revoked = Map.copyOf(revoked);
      audit = List.copyOf(audit);
    }
  }

  /** Runs the scenario, printing what happens to {@code out}. */
  public static Result run(PrintStream out) {
    Narrator n = new Narrator(out);
    n.title("3. AI agent: a read-only grant for one task, narrower sub-grants for its tool chain");
    Scene scene = new Scene(out);
    Map<String, RevocationReason> revoked = new LinkedHashMap<>();
    GrantListener onEnd = new GrantListener() {
      @Override
      public void onRevoked(GrantInfo grant, RevocationReason reason) {
        synchronized (revoked) {
          revoked.put(grant.subject(), reason);
        }
        n.step("revoked", grant.subject() + " (" + grant.grantId() + "), reason " + reason);
      }
    };
    try (GrantBroker broker = scene.broker().listener(onEnd).build()) {
      GrantVerifier crm = broker.verifier();

      // The agent overreaches first: read and write.
      GrantRequest greedy = agentRequest(scene, "read", "write");
      n.step("request", AGENT + " wants " + greedy.actions() + " on " + CRM);
      Decision overreach;
      try {
        broker.request(greedy);
        throw new IllegalStateException("an agent must never get write");
      } catch (AccessDeniedException e) {
        overreach = e.decision();
        n.decision(overreach);
      }

      // Read only, for ticket 4711, with its stated intent.
      GrantRequest request = agentRequest(scene, "read");
      n.step("request", AGENT + " wants [read] on " + CRM + " for task " + request.taskId());
      n.step("", "intent: purpose '" + request.purpose() + "', justification '" + INTENT + "'");
      Grant agent = broker.request(request);
      n.grant(agent);
      AuditEvent issued = scene.audit().stream()
          .filter(e -> e.type() == AuditEventType.ISSUED && e.grantId().filter(agent.id()::equals).isPresent())
          .findFirst().orElseThrow();
      n.step("audit", "ISSUED " + agent.id() + ": owner=" + issued.field(AuditEvent.OWNER).orElse("-")
          + ", purpose=" + issued.field(AuditEvent.PURPOSE).orElse("-")
          + ", justification='" + issued.field(AuditEvent.JUSTIFICATION).orElse("-") + "'");

      // The agent delegates to its tool: read, on the orders only, for at most 10 minutes.
      Grant tool = broker.delegate(DelegationRequest.builder(agent)
          .credential(Credential.jwtSvid(scene.svid("/tools/order-lookup", "tools-team")))
          .actions("read")
          .resource(ORDERS)
          .ttl(Duration.ofMinutes(10))
          .justification("look up order 991")
          .build());
      n.step("delegate", "agent -> " + TOOL + ": [read] on " + ORDERS);
      n.grant(tool);

      // The tool tries to widen what it was given.
      String widening;
      try {
        broker.delegate(DelegationRequest.builder(tool)
            .credential(Credential.jwtSvid(scene.svid("/tools/shipment-tracker", "tools-team")))
            .actions("read", "write")
            .ttl(Duration.ofMinutes(5))
            .build());
        throw new IllegalStateException("a sub-grant must never be wider than its parent");
      } catch (AccessDeniedException e) {
        widening = String.join("; ", e.decision().reasons());
        n.step("delegate", "tool -> sub-tool [read, write]: REFUSED, " + widening);
      }

      // The tool delegates to its sub-tool: read, on order 991 only.
      Grant subTool = broker.delegate(DelegationRequest.builder(tool)
          .credential(Credential.jwtSvid(scene.svid("/tools/shipment-tracker", "tools-team")))
          .actions("read")
          .resource(ORDER_991)
          .ttl(Duration.ofMinutes(5))
          .justification("track the shipment of order 991")
          .build());
      n.step("delegate", "tool -> " + SUB_TOOL + ": [read] on " + ORDER_991);
      n.grant(subTool);
      List<String> chain = actChain(subTool.token());
      String tokenSubject = tokenSubject(subTool.token());
      n.step("", "sub (RFC 8693, on whose behalf): " + tokenSubject + "; act chain (current actor first): "
          + String.join(" <- ", chain) + "; delegations left: " + subTool.info().delegationsLeft());
      n.verification("CRM, order 991", crm.verify(subTool.token(),
          VerificationRequest.builder(ORDER_991).taskId(request.taskId()).requiredActions("read").build()));

      // The agent's task is done: closing its grant ends the whole chain.
      n.step("close", "the agent answered the ticket and closes its grant");
      agent.close();
      Verification after = crm.verify(subTool.token(), VerificationRequest.builder(ORDER_991).build());
      n.verification("the sub-tool's token afterwards", after);
      Map<String, RevocationReason> ends;
      synchronized (revoked) {
        ends = new LinkedHashMap<>(revoked);
      }
      return new Result(overreach, agent.info(), tool.info(), subTool.info(), chain, tokenSubject, widening, ends, after, issued,
          scene.audit());
    }
  }

  private static GrantRequest agentRequest(Scene scene, String... actions) {
    return GrantRequest.builder()
        .credential(Credential.jwtSvid(scene.svid("/agents/support-bot", "support-team")))
        .taskId("ticket-4711")
        .purpose("answer-ticket")
        .resource(CRM)
        .actions(actions)
        .environment("prod")
        .ttl(Duration.ofMinutes(15))
        .attribute("ticket", "4711")
        .justification(INTENT)
        .build();
  }

  /** The token's {@code sub}. */
  static String tokenSubject(String token) {
    try {
      return SignedJWT.parse(token).getJWTClaimsSet().getSubject();
    } catch (ParseException e) {
      throw new JitException("the broker issued a token that does not parse", e);
    }
  }

  /** The subjects of the token's nested {@code act} claims: the current actor first, then prior actors. */
  static List<String> actChain(String token) {
    try {
      List<String> chain = new ArrayList<>();
      Object act = SignedJWT.parse(token).getJWTClaimsSet().getClaim("act");
      while (act instanceof Map<?, ?> level) {
        Optional.ofNullable(level.get("sub")).map(Object::toString).ifPresent(chain::add);
        act = level.get("act");
      }
      return chain;
    } catch (ParseException e) {
      throw new JitException("the broker issued a token that does not parse", e);
    }
  }

  /** Runs the scenario on standard output. */
  public static void main(String[] args) {
    run(System.out);
  }
}
