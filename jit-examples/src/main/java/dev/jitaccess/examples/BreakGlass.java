package dev.jitaccess.examples;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.GrantListener;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Scenario 6, break-glass. The orders database hangs in the middle of the night; the on-call runbook bot ({@value #ONCALL})
 * needs {@code admin} now, but the rule {@code oncall-db-admin} wants two DBA approvals. A break-glass
 * request with a justification passes that rule (it is marked {@code overridable}), gets the short
 * forced TTL (15 minutes), fires {@link GrantListener#onBreakGlass} (here: a page to security), and is
 * flagged {@code break_glass=true} in the audit trail for review after the fact. Break-glass never passes a
 * hard deny: dropping the database stays refused.
 */
public final class BreakGlass {
  /** The on-call bot's SPIFFE ID. */
  public static final String ONCALL = "spiffe://prod.example.org/oncall/runbook-bot";
  /** The database. */
  public static final String DATABASE = "postgres://orders-db.prod.example.org/orders";
  /** The incident. */
  public static final String JUSTIFICATION = "INC-4711: orders-db refuses connections, kill blocking sessions";

  private BreakGlass() {}

  /**
   * What happened.
   *
   * @param normal the decision on the ordinary request (approval needed)
   * @param grant the break-glass grant
   * @param alerts the alerts sent by the {@code onBreakGlass} listener
   * @param hardDeny the decision on a break-glass request to drop the database
   * @param flaggedForReview the audit events flagged {@code break_glass=true}
   * @param audit every audit event
   */
  public record Result(
      Decision normal,
      GrantInfo grant,
      List<String> alerts,
      Decision hardDeny,
      List<AuditEvent> flaggedForReview,
      List<AuditEvent> audit) {
    /** Copies the lists. */
    public Result {
      alerts = List.copyOf(alerts);
      flaggedForReview = List.copyOf(flaggedForReview);
      audit = List.copyOf(audit);
    }
  }

  /** Runs the scenario, printing what happens to {@code out}. */
  public static Result run(PrintStream out) {
    Narrator n = new Narrator(out);
    n.title("5. Break-glass: an emergency grant, its alert and its review flag");
    Scene scene = new Scene(out);
    List<String> alerts = new CopyOnWriteArrayList<>();
    GrantListener pager = new GrantListener() {
      @Override
      public void onBreakGlass(GrantInfo grant) {
        String alert = "PAGE security-oncall: break-glass grant " + grant.grantId() + " to " + grant.subject()
            + " for " + grant.actions() + " on " + grant.resource() + " until " + grant.expiresAt();
        alerts.add(alert);
        n.step("ALERT", alert);
      }
    };
    try (GrantBroker broker = scene.broker().listener(pager).build()) {
      GrantRequest normal = request(scene, false, "admin");
      n.step("request", ONCALL + " wants [admin] on " + DATABASE + ", the DBAs cannot be reached");
      Decision normalDecision = broker.evaluate(normal);
      n.decision(normalDecision);

      GrantRequest emergency = request(scene, true, "admin");
      n.step("request", "BREAK-GLASS: '" + JUSTIFICATION + "'");
      Grant grant = broker.request(emergency);
      n.grant(grant);
      n.step("use", "blocking sessions killed; the bot closes the grant");
      grant.close();

      Decision hardDeny;
      try {
        broker.request(request(scene, true, "drop"));
        throw new IllegalStateException("break-glass must never pass a hard deny");
      } catch (AccessDeniedException e) {
        hardDeny = e.decision();
        n.step("request", "BREAK-GLASS for [drop] on " + DATABASE);
        n.decision(hardDeny);
      }

      List<AuditEvent> flagged = scene.audit().stream()
          .filter(e -> e.field(AuditEvent.BREAK_GLASS).filter("true"::equals).isPresent())
          .collect(Collectors.toList());
      n.step("review", "audit events flagged break_glass=true for the post-incident review: "
          + flagged.stream().map(e -> e.type().name()).collect(Collectors.toList()));
      return new Result(normalDecision, grant.info(), alerts, hardDeny, flagged, scene.audit());
    }
  }

  private static GrantRequest request(Scene scene, boolean breakGlass, String action) {
    GrantRequest.Builder b = GrantRequest.builder()
        .credential(Credential.jwtSvid(scene.svid("/oncall/runbook-bot", "sre-team")))
        .taskId("INC-4711")
        .purpose("incident")
        .resource(DATABASE)
        .actions(action)
        .environment("prod")
        .ttl(Duration.ofMinutes(30));
    if (breakGlass) {
      b.breakGlass(true).justification(JUSTIFICATION);
    }
    return b.build();
  }

  /** Runs the scenario on standard output. */
  public static void main(String[] args) {
    run(System.out);
  }
}
