package dev.jitaccess.internal;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;

/** Certificate thumbprints as RFC 8705 uses them. */
public final class Thumbprints {
  private Thumbprints() {}

  /** The base64url (no padding) SHA-256 of the certificate's DER encoding: {@code cnf.x5t#S256}. */
  public static String x5tS256(X509Certificate certificate) throws CertificateEncodingException {
    return Sha256.base64url(certificate.getEncoded());
  }
}
