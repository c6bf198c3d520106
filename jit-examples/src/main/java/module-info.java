/**
 * jit-examples: runnable scenarios showing jit-access in real situations, and the demo. Each scenario is
 * a small program with a {@code run(PrintStream)} method returning what happened, and a {@code main}.
 *
 * <p>The examples mint their credentials with jit-testkit's throwaway trust domain; in production SPIRE
 * (or the CI platform's OIDC issuer) issues them. Not deployed.
 */
module dev.jitaccess.examples {
  requires static transitive org.jspecify;
  requires transitive dev.jitaccess.core;
  requires transitive dev.jitaccess.spiffe;
  requires transitive dev.jitaccess.policy;
  requires dev.jitaccess.testkit;
  requires transitive dev.jitaccess.store.postgres;
  requires com.zaxxer.hikari;
  requires com.nimbusds.jose.jwt;
  requires java.net.http;
  requires jdk.httpserver;

  exports dev.jitaccess.examples;
}
