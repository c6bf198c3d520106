package dev.jitaccess.oidc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Turns parsed claims into plain immutable Java values and reads NumericDate claims. */
final class ClaimValues {
  /** The deepest nesting of objects and arrays kept; deeper claims make the token malformed. */
  static final int MAX_DEPTH = 16;

  private ClaimValues() {}

  /**
   * Thrown when claims nest deeper than {@link #MAX_DEPTH} or hold a number no double can hold; caught by
   * the verifier.
   */
  static final class NotPlain extends Exception {
    private static final long serialVersionUID = 1L;

    NotPlain(String message) {
      super(message, null, false, false);
    }

    static NotPlain tooDeep() {
      return new NotPlain("claims nest deeper than " + MAX_DEPTH + " levels");
    }
  }

  /**
   * A deep, immutable copy holding only String, Long, Double, Boolean, List and Map values, in the
   * token's order. JSON nulls are left out (of objects and arrays alike). Integral numbers within the
   * range of a long are Longs, every other number a Double (as Nimbus reads claims); a number beyond
   * the range of a double is refused.
   */
  static Map<String, Object> plain(Map<?, ?> claims) throws NotPlain {
    return plainMap(claims, 0);
  }

  private static Map<String, Object> plainMap(Map<?, ?> map, int depth) throws NotPlain {
    if (depth > MAX_DEPTH) {
      throw NotPlain.tooDeep();
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Object value = plainValue(e.getValue(), depth);
      if (value != null) {
        copy.put(String.valueOf(e.getKey()), value);
      }
    }
    return Collections.unmodifiableMap(copy);
  }

  private static Object plainValue(Object value, int depth) throws NotPlain {
    if (value instanceof Map) {
      return plainMap((Map<?, ?>) value, depth + 1);
    }
    if (value instanceof List) {
      if (depth + 1 > MAX_DEPTH) {
        throw NotPlain.tooDeep();
      }
      List<Object> copy = new ArrayList<>();
      for (Object element : (List<?>) value) {
        Object plain = plainValue(element, depth + 1);
        if (plain != null) {
          copy.add(plain);
        }
      }
      return List.copyOf(copy);
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger || value instanceof BigDecimal) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d)) {
        throw new NotPlain("a claim holds a number beyond the range of a double");
      }
      return d;
    }
    return value; // String, Long, Double, Boolean or null (dropped by the caller)
  }

  /**
   * A NumericDate claim (seconds since the epoch, integral or not) as an instant, clamped to the range of
   * {@link Instant}; null if the value is not a number.
   */
  static @Nullable Instant numericDate(@Nullable Object value) {
    if (value instanceof Long l) {
      long seconds = l;
      if (seconds >= Instant.MAX.getEpochSecond()) {
        return Instant.MAX;
      }
      return seconds <= Instant.MIN.getEpochSecond() ? Instant.MIN : Instant.ofEpochSecond(seconds);
    }
    if (value instanceof Double d) {
      double seconds = d;
      if (!Double.isFinite(seconds)) {
        return null;
      }
      if (seconds >= Instant.MAX.getEpochSecond()) {
        return Instant.MAX;
      }
      if (seconds <= Instant.MIN.getEpochSecond()) {
        return Instant.MIN;
      }
      double whole = Math.floor(seconds);
      long nanos = Math.min(999_999_999L, Math.round((seconds - whole) * 1e9));
      return Instant.ofEpochSecond((long) whole, nanos);
    }
    return null;
  }

  /** {@code instant + amount}, staying at {@link Instant#MAX} instead of overflowing. */
  static Instant plus(Instant instant, Duration amount) {
    return Instant.MAX.minus(amount).isBefore(instant) ? Instant.MAX : instant.plus(amount);
  }
}
