package dev.jitaccess.policy;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A recurring window: days of the week and a time of day range in a named time zone, for example
 * Monday to Friday, 08:00 to 18:00 in {@code Europe/Berlin}. The range includes {@code from} and
 * excludes {@code until}; {@code until} 00:00 means midnight at the end of the day; a range whose
 * {@code until} is before {@code from} runs over midnight and belongs to the day it starts on.
 *
 * @param name a label for explanations (the YAML name of a named window), possibly empty
 * @param zone the time zone the days and hours are read in
 * @param days the days the window starts on, not empty
 * @param from the start time of day
 * @param until the end time of day (exclusive), 00:00 for the end of the day
 */
public record TimeWindow(String name, ZoneId zone, Set<DayOfWeek> days, LocalTime from, LocalTime until) {

  /** Checks and copies. */
  public TimeWindow {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(days, "days");
    if (days.isEmpty()) {
      throw new IllegalArgumentException("a time window needs at least one day");
    }
    days = Set.copyOf(EnumSet.copyOf(days));
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(until, "until");
    if (from.equals(until) && !from.equals(LocalTime.MIDNIGHT)) {
      throw new IllegalArgumentException("a time window from " + from + " until " + until + " is empty");
    }
  }

  /**
   * Parses the YAML forms.
   *
   * @param name a label, possibly empty
   * @param zone a region id such as {@code Europe/Berlin}
   * @param days comma-separated days or ranges, such as {@code MON-FRI} or {@code MON,WED,SAT-SUN}
   * @param hours {@code HH:MM-HH:MM}, such as {@code 08:00-18:00}; {@code 24:00} is accepted as end
   * @throws IllegalArgumentException naming what is wrong
   */
  public static TimeWindow parse(String name, String zone, String days, String hours) {
    return new TimeWindow(name, zone(zone), days(days), hours(hours)[0], hours(hours)[1]);
  }

  /** Parses a time zone id; offsets are accepted, abbreviations such as CET are not. */
  static ZoneId zone(String zone) {
    Objects.requireNonNull(zone, "zone");
    try {
      return ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("unknown time zone '" + zone + "'"
          + Suggestions.didYouMean(zone, ZoneId.getAvailableZoneIds()) + ", expected a region id such as Europe/Berlin or UTC", e);
    }
  }

  /** Parses {@code MON-FRI}, {@code MON,WED}, full names too. */
  static Set<DayOfWeek> days(String text) {
    Objects.requireNonNull(text, "days");
    Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
    for (String part : text.split(",", -1)) {
      String p = part.trim();
      int dash = p.indexOf('-');
      if (dash < 0) {
        out.add(day(p));
      } else {
        DayOfWeek a = day(p.substring(0, dash).trim());
        DayOfWeek b = day(p.substring(dash + 1).trim());
        for (DayOfWeek d = a; ; d = d.plus(1)) {
          out.add(d);
          if (d == b) {
            break;
          }
        }
      }
    }
    return out;
  }

  private static DayOfWeek day(String s) {
    String u = s.toUpperCase(Locale.ROOT);
    List<String> names = new ArrayList<>();
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d.name().equals(u) || d.name().substring(0, 3).equals(u)) {
        return d;
      }
      names.add(d.name().substring(0, 3));
      names.add(d.name());
    }
    throw new IllegalArgumentException("bad day '" + s + "'" + Suggestions.didYouMean(u, names)
        + ", expected MON, TUE, WED, THU, FRI, SAT or SUN");
  }

  /** Parses {@code HH:MM-HH:MM}. */
  static LocalTime[] hours(String text) {
    Objects.requireNonNull(text, "hours");
    int dash = text.indexOf('-');
    if (dash < 0) {
      throw new IllegalArgumentException("bad hours '" + text + "', expected HH:MM-HH:MM such as 08:00-18:00");
    }
    return new LocalTime[] {time(text.substring(0, dash).trim(), text), time(text.substring(dash + 1).trim(), text)};
  }

  private static LocalTime time(String s, String whole) {
    if (s.equals("24:00")) {
      return LocalTime.MIDNIGHT;
    }
    if (!s.matches("\\d\\d:\\d\\d")) {
      throw new IllegalArgumentException("bad hours '" + whole + "', expected HH:MM-HH:MM such as 08:00-18:00");
    }
    try {
      return LocalTime.parse(s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("bad hours '" + whole + "', expected HH:MM-HH:MM such as 08:00-18:00", e);
    }
  }

  /** Whether a local date-time in this window's zone lies in the window. */
  boolean contains(LocalDateTime t) {
    int m = t.getHour() * 60 + t.getMinute();
    int f = from.getHour() * 60 + from.getMinute();
    int u = until.equals(LocalTime.MIDNIGHT) ? 1440 : until.getHour() * 60 + until.getMinute();
    DayOfWeek d = t.getDayOfWeek();
    if (f < u) {
      return days.contains(d) && m >= f && m < u;
    }
    return (days.contains(d) && m >= f) || (days.contains(d.minus(1)) && m < u);
  }

  /** Text for explanations. */
  String describe() {
    if (!name.isEmpty()) {
      return name;
    }
    return dayText() + " " + from + "-" + (until.equals(LocalTime.MIDNIGHT) ? "24:00" : until) + " " + zone;
  }

  String dayText() {
    StringBuilder sb = new StringBuilder();
    for (DayOfWeek d : DayOfWeek.values()) {
      if (days.contains(d)) {
        sb.append(sb.length() == 0 ? "" : ",").append(d.name(), 0, 3);
      }
    }
    return sb.toString();
  }
}
