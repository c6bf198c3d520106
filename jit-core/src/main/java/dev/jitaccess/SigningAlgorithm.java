package dev.jitaccess;

/**
 * The JWS algorithm the broker signs grant tokens with.
 *
 * <p>The default is {@link #ES256}: every mainstream JWT library (Nimbus, Spring Security, jose4j,
 * jjwt, Go and Node libraries) verifies it out of the box, its keys and signatures are small, and with
 * the Bouncy Castle provider signing costs about half of the JDK's. {@link #EDDSA} signs several times
 * faster but many verifiers need extra setup for it (plain Nimbus needs Tink); {@link #RS256} is the
 * most widely supported and verifies fastest, but signing is the slowest by far.
 */
public enum SigningAlgorithm {
  /** ECDSA on P-256 with SHA-256. The default. */
  ES256,
  /** Ed25519 (JWS {@code EdDSA}), through Bouncy Castle (no provider registered; no Tink). */
  EDDSA,
  /** RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit keys. */
  RS256
}
