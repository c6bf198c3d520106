package dev.jitaccess.spiffe;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Helpers for JSON claim values: deep immutable copies and NumericDate reading. */
final class Claims {
  private Claims() {}

  /** A deep immutable copy: maps, lists, strings, numbers, booleans; JSON nulls are dropped. */
  static Object immutable(Object v) {
    if (v instanceof Map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        if (e.getValue() != null) {
          out.put((String) e.getKey(), immutable(e.getValue()));
        }
      }
      return Collections.unmodifiableMap(out);
    }
    if (v instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object o : (List<?>) v) {
        if (o != null) {
          out.add(immutable(o));
        }
      }
      return Collections.unmodifiableList(out);
    }
    return v; // String, Long, BigInteger, BigDecimal, Boolean: immutable already
  }

  /**
   * A NumericDate claim (seconds since the epoch, possibly fractional) as an Instant, clamped to the
   * Instant range; null if the value is not a number.
   */
  static @Nullable Instant numericDate(Object v) {
    BigDecimal seconds;
    if (v instanceof Long l) {
      seconds = BigDecimal.valueOf(l);
    } else if (v instanceof BigInteger bigInteger) {
      seconds = new BigDecimal(bigInteger);
    } else if (v instanceof BigDecimal bigDecimal) {
      seconds = bigDecimal;
    } else {
      return null;
    }
    if (seconds.compareTo(BigDecimal.valueOf(Instant.MAX.getEpochSecond())) >= 0) {
      return Instant.MAX;
    }
    if (seconds.compareTo(BigDecimal.valueOf(Instant.MIN.getEpochSecond())) <= 0) {
      return Instant.MIN;
    }
    BigDecimal floor = seconds.setScale(0, java.math.RoundingMode.FLOOR);
    long nanos = seconds.subtract(floor).movePointRight(9).setScale(0, java.math.RoundingMode.FLOOR).longValue();
    return Instant.ofEpochSecond(floor.longValueExact(), nanos);
  }
}
