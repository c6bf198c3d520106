/** jit-spiffe: verifies SPIFFE JWT-SVIDs, X.509-SVIDs and OIDC tokens for the broker. */
module dev.jitaccess.spiffe {
  requires static transitive org.jspecify;
  requires transitive dev.jitaccess.core;
  requires com.nimbusds.jose.jwt;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.slf4j;
  requires transitive java.net.http;

  exports dev.jitaccess.spiffe;
  exports dev.jitaccess.oidc;
}
