/**
 * jit-testkit: everything a test suite needs to run jit-access without infrastructure. Meant for your
 * <em>test</em> scope: it depends on JUnit Jupiter's API at compile scope because its extension and
 * contract tests are JUnit code.
 *
 * <p>Exports exactly {@code dev.jitaccess.testkit}.
 */
module dev.jitaccess.testkit {
  requires static transitive org.jspecify;
  requires transitive dev.jitaccess.core;
  requires transitive dev.jitaccess.spiffe;
  requires transitive dev.jitaccess.policy;
  requires transitive org.junit.jupiter.api;
  requires com.nimbusds.jose.jwt;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;

  exports dev.jitaccess.testkit;
}
