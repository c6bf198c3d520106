package dev.jitaccess.oidc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Names a claim: a plain top-level claim name ({@code repository}), or, when it begins with {@code /}, an
 * RFC 6901 JSON Pointer into nested objects ({@code /kubernetes.io/namespace}). Claim names may hold dots,
 * so dots are never separators; a top-level claim whose name begins with {@code /} is reached as
 * {@code /~1name}. Only objects are walked, never arrays.
 *
 * @param text the name as configured, shown in reasons
 * @param segments the object keys to walk, in order
 */
record ClaimPointer(String text, List<String> segments) {

  ClaimPointer {
    Objects.requireNonNull(text, "text");
    segments = List.copyOf(segments);
  }

  /**
   * Parses a claim name or pointer.
   *
   * @throws NullPointerException if {@code text} is null, naming {@code argument}
   * @throws IllegalArgumentException if it is blank or an invalid pointer
   */
  static ClaimPointer parse(String text, String argument) {
    Objects.requireNonNull(text, argument);
    if (text.isBlank()) {
      throw new IllegalArgumentException(argument + " must not be blank");
    }
    if (!text.startsWith("/")) {
      return new ClaimPointer(text, List.of(text));
    }
    List<String> segments = new ArrayList<>();
    for (String raw : text.substring(1).split("/", -1)) {
      StringBuilder segment = new StringBuilder(raw.length());
      int i = 0;
      while (i < raw.length()) {
        char c = raw.charAt(i++);
        if (c != '~') {
          segment.append(c);
          continue;
        }
        char next = i < raw.length() ? raw.charAt(i) : 0;
        if (next == '0') {
          segment.append('~');
        } else if (next == '1') {
          segment.append('/');
        } else {
          throw new IllegalArgumentException(
              argument + " is not a valid JSON Pointer (a '~' must be followed by 0 or 1): " + text);
        }
        i++;
      }
      segments.add(segment.toString());
    }
    return new ClaimPointer(text, segments);
  }

  /** The value the pointer names in the claims, or null when any step is missing or not an object. */
  @Nullable Object resolve(Map<String, Object> claims) {
    Object current = claims;
    for (String segment : segments) {
      if (!(current instanceof Map)) {
        return null;
      }
      current = ((Map<?, ?>) current).get(segment);
    }
    return current;
  }

  @Override
  public String toString() {
    return text;
  }
}
