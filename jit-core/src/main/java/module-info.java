/**
 * jit-core: the {@link dev.jitaccess.GrantBroker} API, its extension points and the in-memory defaults.
 *
 * <p>Exports exactly the API package {@code dev.jitaccess} and the extension package
 * {@code dev.jitaccess.spi}; {@code dev.jitaccess.internal} is not part of the API.
 */
module dev.jitaccess.core {
  requires static transitive org.jspecify;
  requires com.nimbusds.jose.jwt;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;

  exports dev.jitaccess;
  exports dev.jitaccess.spi;
}
