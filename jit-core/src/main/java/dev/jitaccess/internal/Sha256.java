package dev.jitaccess.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * SHA-256 without a provider look-up per call: {@code MessageDigest.getInstance} walks the JCA provider
 * list each time, so one prototype is made once and cloned per use ({@code MessageDigest} is not
 * thread-safe, a clone is private to its caller).
 */
final class Sha256 {
  private static final MessageDigest PROTOTYPE = lookUp();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private Sha256() {}

  /** A fresh SHA-256 digest for the caller alone. */
  static MessageDigest digest() {
    try {
      return (MessageDigest) PROTOTYPE.clone(); // the JDK's SHA-256 is cloneable
    } catch (CloneNotSupportedException e) {
      return lookUp(); // a provider whose digest is not
    }
  }

  /** The base64url (no padding) SHA-256 of {@code data}. */
  static String base64url(byte[] data) {
    return BASE64URL.encodeToString(digest().digest(data));
  }

  /** The base64url (no padding) SHA-256 of the first {@code length} bytes of {@code data}. */
  static String base64url(byte[] data, int length) {
    MessageDigest d = digest();
    d.update(data, 0, length);
    return BASE64URL.encodeToString(d.digest());
  }

  private static MessageDigest lookUp() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
