package dev.jitaccess.internal;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The one set of builder-argument checks (Caffeine's {@code requireArgument} / {@code requireState}), so
 * that every builder of the project fails the same way with the same words: a null argument is a
 * {@link NullPointerException} naming it, a value out of range an {@link IllegalArgumentException} with the
 * bad value, an option set twice an {@link IllegalStateException}, a required option missing at
 * {@code build()} an {@link IllegalStateException}.
 */
public final class Arguments {
  private Arguments() {}

  /**
   * Checks a setter's argument.
   *
   * @return {@code value}
   * @throws NullPointerException with {@code name} as the message when {@code value} is null
   */
  public static <T> T requireNonNull(@Nullable T value, String name) {
    return Objects.requireNonNull(value, name);
  }

  /**
   * Checks that an option is set at most once.
   *
   * @param current the option's value so far (null while unset)
   * @throws IllegalStateException "{@code name} was already set" when {@code current} is not null
   */
  public static void requireUnset(@Nullable Object current, String name) {
    if (current != null) {
      throw new IllegalStateException(name + " was already set");
    }
  }

  /**
   * A setter's whole check in one call: the argument is not null and the option is still unset.
   *
   * @param current the option's value so far (null while unset)
   * @param value the new value
   * @return {@code value}, to assign
   * @throws NullPointerException with {@code name} as the message when {@code value} is null
   * @throws IllegalStateException "{@code name} was already set" when {@code current} is not null
   */
  public static <T> T setOnce(@Nullable Object current, @Nullable T value, String name) {
    Objects.requireNonNull(value, name);
    requireUnset(current, name);
    return value;
  }

  /**
   * Checks a free text a builder takes (a purpose, a task id, a default): not blank, at most
   * {@code maxLength} characters, no control characters.
   *
   * @return {@code value}
   * @throws NullPointerException naming {@code name} when {@code value} is null
   * @throws IllegalArgumentException saying which rule {@code value} breaks (never echoing it)
   */
  public static String requireText(@Nullable String value, String name, int maxLength) {
    requireNotBlank(Objects.requireNonNull(value, name), name);
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(name + " must be at most " + maxLength + " characters, got " + value.length());
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(name + " must not contain control characters");
    }
    return value;
  }

  /**
   * Checks that a required option was set, at {@code build()}.
   *
   * @return {@code value}
   * @throws IllegalStateException "{@code name} is required" when {@code value} is null
   */
  public static <T> T requireSet(@Nullable T value, String name) {
    if (value == null) {
      throw new IllegalStateException(name + " is required");
    }
    return value;
  }

  /**
   * Checks an argument against a condition (Caffeine's {@code requireArgument}).
   *
   * @param message what is wrong, with the bad value
   * @throws IllegalArgumentException with {@code message} when {@code expression} is false
   */
  public static void requireArgument(boolean expression, String message) {
    if (!expression) {
      throw new IllegalArgumentException(message);
    }
  }

  /**
   * Checks the builder's state (Caffeine's {@code requireState}).
   *
   * @param message what is wrong
   * @throws IllegalStateException with {@code message} when {@code expression} is false
   */
  public static void requireState(boolean expression, String message) {
    if (!expression) {
      throw new IllegalStateException(message);
    }
  }

  /**
   * Checks that {@code min <= value <= max}.
   *
   * @return {@code value}
   * @throws IllegalArgumentException "{@code name} must be between min and max, got value"
   */
  public static int requireInRange(int value, int min, int max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /**
   * Checks that {@code min <= value <= max}.
   *
   * @return {@code value}
   * @throws IllegalArgumentException "{@code name} must be between min and max, got value"
   */
  public static long requireInRange(long value, long min, long max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /**
   * Checks that {@code min <= value <= max}.
   *
   * @return {@code value}
   * @throws NullPointerException naming {@code name} when {@code value} is null
   * @throws IllegalArgumentException "{@code name} must be between min and max, got value"
   */
  public static Duration requireInRange(Duration value, Duration min, Duration max, String name) {
    Objects.requireNonNull(value, name);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /**
   * Checks that a duration is longer than zero.
   *
   * @return {@code value}
   * @throws NullPointerException naming {@code name} when {@code value} is null
   * @throws IllegalArgumentException "{@code name} must be positive, got value"
   */
  public static Duration requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
    return value;
  }

  /**
   * Checks that a text is not blank.
   *
   * @return {@code value}
   * @throws NullPointerException naming {@code name} when {@code value} is null
   * @throws IllegalArgumentException "{@code name} must not be blank"
   */
  public static String requireNotBlank(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }
}
