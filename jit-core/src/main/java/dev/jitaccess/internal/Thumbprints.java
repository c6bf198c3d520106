package dev.jitaccess.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;

/** Certificate thumbprints as RFC 8705 uses them. */
public final class Thumbprints {
  private Thumbprints() {}

  /** The base64url (no padding) SHA-256 of the certificate's DER encoding: {@code cnf.x5t#S256}. */
  public static String x5tS256(X509Certificate certificate) throws CertificateEncodingException {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }
}
