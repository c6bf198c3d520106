package dev.jitaccess.store.postgres;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The argument and state checks of this module's builders, in one place. */
final class Checks {
  private Checks() {}

  /**
   * Checks a builder option being set: not null and not set before.
   *
   * @param current the option's current value, null while unset
   * @throws NullPointerException naming the option if {@code value} is null
   * @throws IllegalStateException naming the option if it was set before
   */
  static <T> T setOnce(@Nullable Object current, @Nullable T value, String name) {
    Objects.requireNonNull(value, name);
    if (current != null) {
      throw new IllegalStateException(name + " was already set");
    }
    return value;
  }

  /**
   * Checks a duration option: positive.
   *
   * @throws IllegalArgumentException with the bad value if it is zero or negative
   */
  static Duration positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
    return value;
  }

  /**
   * Checks a duration option: zero or positive.
   *
   * @throws IllegalArgumentException with the bad value if it is negative
   */
  static Duration notNegative(Duration value, String name) {
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }
    return value;
  }

  /**
   * Checks a duration option against a range.
   *
   * @param max the longest allowed, null for no bound
   * @throws IllegalArgumentException with the bad value if it is shorter than {@code min} or longer than
   *     {@code max}
   */
  static Duration range(Duration value, Duration min, @Nullable Duration max, String name) {
    if (value.compareTo(min) < 0) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
    }
    if (max != null && value.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be at most " + max + ", got " + value);
    }
    return value;
  }

  /**
   * Checks an int option against a range.
   *
   * @throws IllegalArgumentException with the bad value if it is outside {@code [min, max]}
   */
  static int range(int value, int min, int max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
    }
    return value;
  }
}
