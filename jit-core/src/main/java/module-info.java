/**
 * jit-core: the {@link dev.jitaccess.GrantBroker} API, its extension points and the in-memory defaults.
 *
 * <p>Exports the API package {@code dev.jitaccess} and the extension package {@code dev.jitaccess.spi} to
 * everyone.
 * {@code dev.jitaccess.internal} is not part of the API: it is exported only to this project's own modules (a qualified export), so they share one implementation of each rule (the builder-argument
 * checks, the untrusted-text escaper, the audit sinks) instead of copies; no other module can read it.
 * The core module's tests pin this exact list.
 *
 * <p>{@code @SuppressWarnings("module")}: while jit-core compiles, the modules named in the qualified
 * export do not exist yet (they depend on it), which javac reports as "module not found".
 */
@SuppressWarnings("module")
module dev.jitaccess.core {
  requires static transitive org.jspecify;
  requires com.nimbusds.jose.jwt;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;

  exports dev.jitaccess;
  exports dev.jitaccess.spi;
  exports dev.jitaccess.internal to dev.jitaccess.spiffe, dev.jitaccess.policy, dev.jitaccess.testkit,
      dev.jitaccess.oauth, dev.jitaccess.store.postgres;
}
