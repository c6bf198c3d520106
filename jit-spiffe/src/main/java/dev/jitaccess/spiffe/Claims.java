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

  private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(253_402_300_799L); // 9999-12-31T23:59:59Z
  private static final BigDecimal MIN_SECONDS = BigDecimal.valueOf(-62_167_219_200L); // 0000-01-01T00:00:00Z

  /** A JWT NumericDate as an instant, or null when it is not a number or not between years 0 and 9999. */
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
    // a NumericDate beyond year 9999 (or before year 0) is not a date any issuer means: refuse it
    // rather than saturate, or an exp of 1e400 would read as "never expires"
    if (seconds.compareTo(MAX_SECONDS) > 0 || seconds.compareTo(MIN_SECONDS) < 0) {
      return null;
    }
    BigDecimal floor = seconds.setScale(0, java.math.RoundingMode.FLOOR);
    long nanos = seconds.subtract(floor).movePointRight(9).setScale(0, java.math.RoundingMode.FLOOR).longValue();
    return Instant.ofEpochSecond(floor.longValueExact(), nanos);
  }
}
