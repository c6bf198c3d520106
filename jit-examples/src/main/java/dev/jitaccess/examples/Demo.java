package dev.jitaccess.examples;

import java.io.PrintStream;

/**
 * The demo of README command 1 ({@code mvn -B -q -Pdemo -DskipTests verify}): runs the CI deployment,
 * nightly backup, AI agent, resource server and break-glass scenarios in sequence. Every scenario runs
 * on a manual clock, so the demo's minutes of grant lifetime take no time. The broker's audit trail is
 * printed between the narration, one short line per record ({@link DemoAuditRenderer}).
 */
public final class Demo {
  private Demo() {}

  /** Runs the five scenarios, printing to {@code out}. */
  public static void run(PrintStream out) {
    out.println("jit-access demo: just-in-time, short-lived, task-scoped grants for non-human identities.");
    out.println("Credentials come from a throwaway SPIFFE trust domain (prod.example.org); clocks are manual.");
    out.println("Lines labelled 'audit' are the broker's audit trail, shortened for the screen (a production trail");
    out.println("keeps every field: AuditSink.slf4j(), AuditSink.jsonLines(...)); tokens appear only as hashes.");
    CiDeployment.run(out);
    NightlyBackup.run(out);
    AgentToolChain.run(out);
    ResourceServers.run(out);
    BreakGlass.run(out);
    out.println();
    out.println("Done: every grant above was requested, decided with reasons, used, and ended by completion,");
    out.println("failure, revocation of its parent, or expiry, and every step is in the audit trail.");
  }

  /** Runs the demo on standard output. */
  public static void main(String[] args) {
    run(System.out);
  }
}
