package dev.jitaccess.internal;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The project's one reading of a JWT NumericDate (RFC 7519 section 2) from the strict JSON reader: a finite
 * number of seconds within 9999-12-31T23:59:59Z of the epoch, either way, kept to the millisecond. Anything
 * else (not a number, beyond that range, a value that does not fit a {@code long}) reads as nothing, so that
 * no caller truncates or overflows it into another time. Used for the grant token's {@code exp}, {@code nbf}
 * and {@code iat} ({@link TokenVerifier}) and a DPoP proof's {@code iat} ({@link DpopProofs}).
 */
final class NumericDate {
  private static final double MAX_EPOCH_SECONDS = 253_402_300_799d; // 9999-12-31T23:59:59Z

  private NumericDate() {}

  /** The instant of a NumericDate value, or null when it is not one within range. */
  static @Nullable Instant instant(@Nullable Object value) {
    if (!(value instanceof Number number)) {
      return null;
    }
    double seconds = number.doubleValue();
    if (!Double.isFinite(seconds) || Math.abs(seconds) > MAX_EPOCH_SECONDS) {
      return null;
    }
    return Instant.ofEpochMilli(Math.round(seconds * 1000));
  }
}
