package dev.jitaccess.spiffe;

/** How a bundle document for one trust domain is encoded. */
public enum BundleFormat {
  /**
   * The SPIFFE bundle format (Trust-Domain-and-Bundle §4): a JWK Set whose keys carry {@code use}
   * {@code x509-svid} or {@code jwt-svid}, with optional {@code spiffe_sequence} and
   * {@code spiffe_refresh_hint}.
   */
  SPIFFE,
  /** A plain RFC 7517 JWK Set: every usable key is a JWT-SVID authority and {@code use} is ignored. */
  JWKS,
  /** X.509 root certificates, PEM ({@code CERTIFICATE} blocks) or concatenated DER. */
  PEM
}
