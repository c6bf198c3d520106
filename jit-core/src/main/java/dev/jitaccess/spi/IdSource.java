package dev.jitaccess.spi;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Where the broker takes new grant and approval ids. The default, {@link #secureRandom()}, gives 128
 * random bits from {@link SecureRandom}: ids are unguessable and never repeat in practice. Tests that need
 * deterministic ids use a seeded source (jit-testkit's {@code JitTestKit.seededIds(seed)}); never use a
 * predictable source in production, where a guessable grant id helps an attacker aim a revocation or a
 * lookup.
 *
 * <p>Every id must match {@link #FORMAT} (16 to 128 characters of the base64url alphabet) and must not
 * repeat; the broker refuses to issue (fails closed) when an id source returns anything else.
 */
@FunctionalInterface
public interface IdSource {

  /** The form every id must have: 16 to 128 characters of {@code A-Z a-z 0-9 - _}. */
  Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{16,128}");

  /** A new id; called from any thread, so an implementation must be thread-safe. */
  String nextId();

  /** The default: 128 bits from {@link SecureRandom}, base64url without padding (22 characters). */
  static IdSource secureRandom() {
    SecureRandom random = new SecureRandom();
    return () -> encode(random);
  }

  /**
   * 128 bits from {@code random}, base64url without padding (22 characters): the one encoding of the
   * default and of seeded test sources.
   */
  static String encode(java.util.Random random) {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
