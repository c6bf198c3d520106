package dev.jitaccess.policy;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations in policy documents: {@code 90s}, {@code 15m}, {@code 1h30m}, {@code 2d}, or ISO-8601 {@code PT15M}. */
final class Durations {
  private static final Pattern SHORT = Pattern.compile("(?:(\\d{1,5})d)?(?:(\\d{1,6})h)?(?:(\\d{1,7})m)?(?:(\\d{1,9})s)?");

  private Durations() {}

  /**
   * Parses a positive duration.
   *
   * @throws IllegalArgumentException with what was expected
   */
  static Duration parse(String text) {
    Duration d;
    if (text.startsWith("P") || text.startsWith("p")) {
      try {
        d = Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(expected(text), e);
      }
    } else {
      Matcher m = SHORT.matcher(text);
      if (text.isEmpty() || !m.matches()) {
        throw new IllegalArgumentException(expected(text));
      }
      d = Duration.ZERO;
      d = d.plusDays(num(m.group(1)));
      d = d.plusHours(num(m.group(2)));
      d = d.plusMinutes(num(m.group(3)));
      d = d.plusSeconds(num(m.group(4)));
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("duration must be positive, got '" + text + "'");
    }
    return d;
  }

  private static String expected(String text) {
    return "bad duration '" + text + "', expected a positive duration such as 90s, 15m, 1h30m, 2d or PT15M";
  }

  private static long num(String g) {
    return g == null ? 0 : Long.parseLong(g);
  }

  /** A short human form: {@code 1h30m}, {@code 45s}; sub-second parts as ISO. */
  static String format(Duration d) {
    if (d.getNano() != 0 || d.isNegative()) {
      return d.toString();
    }
    long s = d.getSeconds();
    if (s == 0) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long days = s / 86400;
    long h = (s % 86400) / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    if (days > 0) {
      sb.append(days).append('d');
    }
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (m > 0) {
      sb.append(m).append('m');
    }
    if (sec > 0) {
      sb.append(sec).append('s');
    }
    return sb.toString();
  }
}
