/**
 * jit-oauth: the OAuth adapter in front of a {@link dev.jitaccess.GrantBroker} (RFC 8693 token exchange,
 * RFC 7662 introspection, RFC 7009 revocation). It depends on jit-core's public API and reads jit-core's
 * internal package only for the rules it must share with the core (the DPoP proof checker, the
 * resource-containment rule, the builder-argument checks and the grant token's claim names); jit-core
 * never depends on it.
 *
 * <p>Exports exactly {@code dev.jitaccess.oauth}.
 */
module dev.jitaccess.oauth {
  requires static transitive org.jspecify;
  requires transitive dev.jitaccess.core;
  requires com.nimbusds.jose.jwt;
  requires org.slf4j;

  exports dev.jitaccess.oauth;
}
