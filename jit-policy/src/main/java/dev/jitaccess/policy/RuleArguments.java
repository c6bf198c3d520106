package dev.jitaccess.policy;

import dev.jitaccess.internal.Arguments;
import dev.jitaccess.internal.Glob;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The checks of a rule's values, one implementation for {@link Rule.Builder} and the YAML readers: each
 * throws {@link NullPointerException} naming the argument or {@link IllegalArgumentException} with the
 * bad value.
 */
final class RuleArguments {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
  /** The longest text value of a rule, in characters. */
  static final int MAX_TEXT = 512;

  private RuleArguments() {}

  /** Whether {@code id} is a valid rule id. */
  static boolean isValidId(String id) {
    return ID.matcher(id).matches();
  }

  /** Checks a rule id: letters, digits, {@code . _ : -}, at most 128 characters, starting with a letter or digit. */
  static String checkId(String id) {
    Objects.requireNonNull(id, "id");
    if (!isValidId(id)) {
      throw new IllegalArgumentException(
          "bad rule id '" + id + "', expected letters, digits, '.', '_', ':', '-' (at most 128, starting with a letter or digit)");
    }
    return id;
  }

  /** Checks a SPIFFE ID pattern (an identity pattern starting with {@code spiffe://}). */
  static void checkSpiffePattern(String p) {
    try {
      SpiffePattern.parse(p);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad SPIFFE ID pattern '" + p + "': " + e.getMessage()
          + "; expected spiffe://trust.domain/path with '*' inside a segment or '**' as the last segment", e);
    }
  }

  /** Checks an identity pattern: a SPIFFE ID pattern, or a glob on the whole id. */
  static void checkIdentityPattern(String p) {
    if (SpiffePattern.looksLikeSpiffe(p)) {
      checkSpiffePattern(p);
    } else {
      Glob.compile(p);
    }
  }

  /** Checks a SPIFFE trust domain such as {@code prod.example.org}. */
  static void checkTrustDomain(String td) {
    try {
      SpiffePattern.checkTrustDomain(td);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad trust domain '" + td + "': " + e.getMessage(), e);
    }
  }

  /** At least one time window, none null. */
  static List<TimeWindow> windows(TimeWindow[] windows, String name) {
    Objects.requireNonNull(windows, name);
    if (windows.length == 0) {
      throw new IllegalArgumentException(name + " needs at least one time window");
    }
    for (TimeWindow w : windows) {
      Objects.requireNonNull(w, name);
    }
    return List.of(windows);
  }

  /** At least one text value, each checked by {@link #text}. */
  static List<String> texts(String[] values, String name) {
    Objects.requireNonNull(values, name);
    if (values.length == 0) {
      throw new IllegalArgumentException("at least one " + name + " is required");
    }
    List<String> out = new ArrayList<>();
    for (String v : values) {
      out.add(text(v, name));
    }
    return out;
  }

  /** {@link #texts}, each a valid glob. */
  static List<String> globTexts(String[] values, String name) {
    List<String> out = texts(values, name);
    out.forEach(Glob::compile);
    return out;
  }

  /** A text value: not blank, at most {@link #MAX_TEXT} characters. */
  static String text(String value, String name) {
    Arguments.requireNotBlank(value, name);
    if (value.length() > MAX_TEXT) {
      throw new IllegalArgumentException(name + " must be at most " + MAX_TEXT + " characters, got " + value.length());
    }
    return value;
  }

  /** An unmodifiable sorted copy, empty for null. */
  static Set<String> sorted(@Nullable Collection<String> values) {
    return values == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(values));
  }

  /** The compiled globs, empty for null. */
  static List<Glob> globs(@Nullable List<String> patterns) {
    List<Glob> out = new ArrayList<>();
    if (patterns != null) {
      for (String p : patterns) {
        out.add(Glob.compile(p));
      }
    }
    return List.copyOf(out);
  }

  /** An option is set at most once: the project's one check ({@link Arguments#requireUnset}). */
  static void once(@Nullable Object current, String name) {
    Arguments.requireUnset(current, name);
  }
}
