package dev.jitaccess.spiffe;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/** PEM/DER certificate reading for bundles, with the JDK's own X.509 factory (no provider registered). */
final class BundleCertificates {
  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";

  private BundleCertificates() {}

  /**
   * The certificates of PEM {@code CERTIFICATE} blocks or concatenated DER; none for blank input.
   *
   * @throws InvalidBundleException if the input is neither, or a certificate is malformed
   */
  static List<X509Certificate> certificates(byte[] input) {
    List<X509Certificate> out = new ArrayList<>();
    if (input.length > 0 && input[0] == 0x30) {
      return derSequence(input);
    }
    String text = new String(input, StandardCharsets.US_ASCII);
    if (text.isBlank()) {
      return out;
    }
    int pos = 0;
    int blocks = 0;
    while (true) {
      int begin = text.indexOf(BEGIN, pos);
      if (begin < 0) {
        break;
      }
      int labelEnd = text.indexOf("-----", begin + BEGIN.length());
      if (labelEnd < 0) {
        throw new InvalidBundleException("cannot parse certificate: malformed PEM header");
      }
      String label = text.substring(begin + BEGIN.length(), labelEnd);
      String endMarker = END + label + "-----";
      int end = text.indexOf(endMarker, labelEnd + 5);
      if (end < 0) {
        throw new InvalidBundleException("cannot parse certificate: PEM block without end marker");
      }
      if (!label.equals("CERTIFICATE")) {
        throw new InvalidBundleException(
            "cannot parse certificate: expected block type CERTIFICATE, got " + label);
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(text.substring(labelEnd + 5, end).trim());
      } catch (IllegalArgumentException e) {
        throw new InvalidBundleException("cannot parse certificate: PEM block is not base64");
      }
      out.add(certificate(der, "PEM block " + blocks));
      blocks++;
      pos = end + endMarker.length();
    }
    if (blocks == 0) {
      throw new InvalidBundleException("cannot parse certificate: no PEM blocks found");
    }
    return out;
  }

  private static List<X509Certificate> derSequence(byte[] input) {
    List<X509Certificate> out = new ArrayList<>();
    int pos = 0;
    while (pos < input.length) {
      int len = derLength(input, pos);
      if (len < 0 || pos + len > input.length) {
        throw new InvalidBundleException("cannot parse certificate: malformed DER");
      }
      out.add(certificate(Arrays.copyOfRange(input, pos, pos + len), "DER certificate " + out.size()));
      pos += len;
    }
    return out;
  }

  /** Total length (header + content) of the DER element at {@code pos}, or -1. */
  private static int derLength(byte[] b, int pos) {
    if (pos + 2 > b.length || b[pos] != 0x30) {
      return -1;
    }
    int first = b[pos + 1] & 0xff;
    if (first < 0x80) {
      return 2 + first;
    }
    int n = first & 0x7f;
    if (n == 0 || n > 3 || pos + 2 + n > b.length) {
      return -1;
    }
    int len = 0;
    for (int i = 0; i < n; i++) {
      len = (len << 8) | (b[pos + 2 + i] & 0xff);
    }
    return 2 + n + len;
  }

  /**
   * One DER certificate, refused with trailing data.
   *
   * @param where what the certificate is, for the message
   * @throws InvalidBundleException if it is malformed
   */
  static X509Certificate certificate(byte[] der, String where) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      X509Certificate cert =
          (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der));
      if (!Arrays.equals(cert.getEncoded(), der)) {
        throw new InvalidBundleException("cannot parse certificate: " + where + " has trailing data");
      }
      return cert;
    } catch (CertificateException | RuntimeException e) {
      if (e instanceof InvalidBundleException invalidBundleException) {
        throw invalidBundleException;
      }
      throw new InvalidBundleException("cannot parse certificate: " + where + " is malformed", e);
    }
  }
}
