package dev.jitaccess.internal;

import java.time.Instant;

/**
 * {@link Instant#toString()} without {@code DateTimeFormatter}: the same text (ISO-8601, UTC, seconds always
 * shown, the fraction in groups of three digits only as long as needed), about ten times cheaper. Audit
 * records format an expiry for every event, a bulk revocation thousands at once. Years outside 0000-9999
 * (a sign or more than four digits) go to {@code Instant.toString()}.
 */
public final class IsoInstants {
  private static final long MIN_SECOND = -62_167_219_200L; // 0000-01-01T00:00:00Z
  private static final long MAX_SECOND = 253_402_300_799L; // 9999-12-31T23:59:59Z

  private IsoInstants() {}

  /** Exactly {@code instant.toString()}. */
  public static String format(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < MIN_SECOND || seconds > MAX_SECOND) {
      return instant.toString();
    }
    int nano = instant.getNano();
    long days = Math.floorDiv(seconds, 86_400L);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    // civil date from days since 1970-01-01 (H. Hinnant's algorithm, proleptic Gregorian)
    long z = days + 719_468L;
    long era = Math.floorDiv(z, 146_097L);
    long doe = z - era * 146_097L;
    long yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
    char[] out = new char[30];
    put4(out, 0, year);
    out[4] = '-';
    put2(out, 5, month);
    out[7] = '-';
    put2(out, 8, day);
    out[10] = 'T';
    put2(out, 11, secondOfDay / 3_600);
    out[13] = ':';
    put2(out, 14, secondOfDay / 60 % 60);
    out[16] = ':';
    put2(out, 17, secondOfDay % 60);
    int n = 19;
    if (nano != 0) {
      out[n++] = '.';
      int digits = nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
      int value = digits == 3 ? nano / 1_000_000 : digits == 6 ? nano / 1_000 : nano;
      for (int i = digits - 1; i >= 0; i--) {
        out[n + i] = (char) ('0' + value % 10);
        value /= 10;
      }
      n += digits;
    }
    out[n++] = 'Z';
    return new String(out, 0, n);
  }

  private static void put2(char[] out, int at, int v) {
    out[at] = (char) ('0' + v / 10);
    out[at + 1] = (char) ('0' + v % 10);
  }

  private static void put4(char[] out, int at, int v) {
    put2(out, at, v / 100);
    put2(out, at + 2, v % 100);
  }
}
