package dev.jitaccess.internal;

import java.util.Objects;

/**
 * The one resource-containment rule, used wherever a narrower grant is checked against its parent (the
 * broker's delegation and the OAuth token endpoint).
 */
public final class Resources {
  private Resources() {}

  /**
   * Whether {@code resource} is {@code parent} itself or a path below it. Below means {@code parent + "/"}
   * followed only by plain path segments: each non-empty, not made of dots only ({@code .}, {@code ..},
   * {@code ...}), and built from the ASCII allow-list {@code A-Z a-z 0-9 - . _ ~ : @ + , =}. Everything a
   * server might normalise or interpret to climb out of the parent is therefore refused: {@code ;} path
   * parameters ({@code /..;/admin}), percent-encoding, {@code \}, query, fragment, and any non-ASCII
   * character (full-width dots {@code ．．} and slashes {@code ／}).
   */
  public static boolean isWithin(String resource, String parent) {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(parent, "parent");
    if (resource.equals(parent)) {
      return true;
    }
    if (parent.isEmpty() || !resource.startsWith(parent) || resource.length() <= parent.length() + 1
        || resource.charAt(parent.length()) != '/') {
      return false;
    }
    String rest = resource.substring(parent.length() + 1);
    for (String segment : rest.split("/", -1)) {
      if (!isPlainSegment(segment)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isPlainSegment(String segment) {
    if (segment.isEmpty()) {
      return false;
    }
    boolean onlyDots = true;
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      boolean allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~' || c == ':' || c == '@' || c == '+' || c == ',' || c == '=';
      if (!allowed) {
        return false;
      }
      onlyDots &= c == '.';
    }
    return !onlyDots;
  }
}
