package dev.jitaccess.oidc;

import dev.jitaccess.internal.UntrustedText;
import dev.jitaccess.internal.Glob;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One condition on one claim of a verified token. The claim must be present and a string; conditions
 * never coerce numbers, booleans or lists. {@link #failure} returns null when the condition holds, or the
 * reason it does not.
 */
sealed interface ClaimCondition {

  /** The claim the condition reads. */
  ClaimPointer claim();

  /** Whether a value that is known to be a string satisfies the condition. */
  boolean accepts(String value);

  /** What the condition expects, in words, for a reason ({@code expected 'x'}). */
  String expectation();

  /** Null when the string value satisfies the condition, else why not. */
  default @Nullable String failureFor(String value) {
    return accepts(value) ? null
        : "claim " + UntrustedText.excerpt(claim()) + " is " + UntrustedText.excerpt(value) + ", " + expectation();
  }

  /** Null when the condition holds for these claims, else why not. */
  default @Nullable String failure(Map<String, Object> claims) {
    Object value = claim().resolve(claims);
    if (value == null) {
      return "claim " + UntrustedText.excerpt(claim()) + " is required by a condition but missing";
    }
    if (!(value instanceof String text)) {
      return "claim " + UntrustedText.excerpt(claim()) + " must be a string, got a " + jsonType(value);
    }
    return failureFor(text);
  }

  private static String jsonType(Object value) {
    if (value instanceof Map) {
      return "JSON object";
    }
    if (value instanceof List) {
      return "JSON array";
    }
    if (value instanceof Number) {
      return "number";
    }
    return value instanceof Boolean ? "boolean" : value.getClass().getSimpleName();
  }

  /**
   * The claim equals a value exactly.
   *
   * @param claim the claim
   * @param expected the only accepted value
   */
  record Exact(ClaimPointer claim, String expected) implements ClaimCondition {
    public Exact {
      Objects.requireNonNull(claim, "claim");
      Objects.requireNonNull(expected, "value");
    }

    @Override
    public boolean accepts(String value) {
      return value.equals(expected);
    }

    @Override
    public String expectation() {
      return "expected " + UntrustedText.excerpt(expected);
    }
  }

  /**
   * The claim is one of a set of values.
   *
   * @param claim the claim
   * @param allowed the accepted values, not empty
   */
  record OneOf(ClaimPointer claim, Set<String> allowed) implements ClaimCondition {
    public OneOf {
      Objects.requireNonNull(claim, "claim");
      Objects.requireNonNull(allowed, "values");
      allowed = Set.copyOf(allowed);
      if (allowed.isEmpty()) {
        throw new IllegalArgumentException("values must not be empty");
      }
    }

    @Override
    public boolean accepts(String value) {
      return allowed.contains(value);
    }

    @Override
    public String expectation() {
      return "not one of "
          + new TreeSet<>(allowed).stream().map(UntrustedText::excerpt).collect(Collectors.joining(", ", "[", "]"));
    }
  }

  /**
   * The claim matches a glob.
   *
   * @param claim the claim
   * @param glob the pattern
   */
  record Matches(ClaimPointer claim, Glob glob) implements ClaimCondition {
    public Matches {
      Objects.requireNonNull(claim, "claim");
      Objects.requireNonNull(glob, "pattern");
    }

    @Override
    public boolean accepts(String value) {
      return glob.matches(value);
    }

    @Override
    public String expectation() {
      return "which does not match " + UntrustedText.excerpt(glob);
    }
  }
}
