package dev.jitaccess.policy;

import dev.jitaccess.internal.Glob;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A SPIFFE ID or SPIFFE ID pattern such as {@code spiffe://prod.example.org/ci/*}. The trust domain is
 * literal; in the path, {@code *} inside a segment matches any characters except {@code /}, and a last
 * segment {@code **} matches one or more further segments. Patterns are validated against the SPIFFE ID
 * grammar (lower-case trust domain of letters, digits, dots, dashes and underscores; path segments of
 * letters, digits, dots, dashes and underscores; no empty, {@code .} or {@code ..} segments).
 */
final class SpiffePattern {
  static final String SCHEME = "spiffe://";
  private static final int MAX_LENGTH = 2048;

  private final String pattern;
  private final String trustDomain;
  private final Glob[] segments;
  private final boolean trailingAny;
  private final boolean exact;

  private SpiffePattern(String pattern, String trustDomain, Glob[] segments, boolean trailingAny, boolean exact) {
    this.pattern = pattern;
    this.trustDomain = trustDomain;
    this.segments = segments;
    this.trailingAny = trailingAny;
    this.exact = exact;
  }

  /** Whether a string is meant as a SPIFFE ID (also when malformed, for example upper case). */
  static boolean looksLikeSpiffe(String s) {
    return s.regionMatches(true, 0, "spiffe:", 0, 7);
  }

  /**
   * Parses a pattern.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static SpiffePattern parse(String pattern) {
    if (pattern.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("a SPIFFE ID is at most " + MAX_LENGTH + " characters");
    }
    if (!pattern.startsWith(SCHEME)) {
      throw new IllegalArgumentException("a SPIFFE ID starts with 'spiffe://' in lower case");
    }
    String rest = pattern.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String td = slash < 0 ? rest : rest.substring(0, slash);
    checkTrustDomain(td);
    if (slash < 0) {
      return new SpiffePattern(pattern, td, new Glob[0], false, true);
    }
    String path = rest.substring(slash + 1);
    if (path.isEmpty() || path.endsWith("/")) {
      throw new IllegalArgumentException("a SPIFFE ID must not end with '/'");
    }
    String[] parts = path.split("/", -1);
    List<Glob> globs = new ArrayList<>();
    boolean trailingAny = false;
    boolean exact = true;
    for (int i = 0; i < parts.length; i++) {
      String seg = parts[i];
      if (seg.isEmpty()) {
        throw new IllegalArgumentException("a SPIFFE ID path must not have empty segments");
      }
      if (seg.equals(".") || seg.equals("..")) {
        throw new IllegalArgumentException("a SPIFFE ID path must not have '.' or '..' segments");
      }
      if (seg.equals("**")) {
        if (i != parts.length - 1) {
          throw new IllegalArgumentException("'**' is allowed only as the last path segment");
        }
        trailingAny = true;
        exact = false;
        continue;
      }
      for (int c = 0; c < seg.length(); c++) {
        char ch = seg.charAt(c);
        if (!(isAlnum(ch) || ch == '.' || ch == '-' || ch == '_' || ch == '*')) {
          throw new IllegalArgumentException(
              "invalid character '" + ch + "' in path segment '" + seg
                  + "' (allowed: letters, digits, '.', '-', '_', and '*' as a wildcard)");
        }
        if (ch == '*') {
          exact = false;
        }
      }
      globs.add(Glob.compile(seg));
    }
    return new SpiffePattern(pattern, td, globs.toArray(new Glob[0]), trailingAny, exact);
  }

  /** Checks a trust domain name. */
  static void checkTrustDomain(String td) {
    if (td.isEmpty()) {
      throw new IllegalArgumentException("the trust domain is empty");
    }
    if (td.length() > 255) {
      throw new IllegalArgumentException("the trust domain is longer than 255 characters");
    }
    for (int c = 0; c < td.length(); c++) {
      char ch = td.charAt(c);
      if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_')) {
        throw new IllegalArgumentException(
            "invalid character '" + ch + "' in trust domain '" + td
                + "' (allowed: lower-case letters, digits, '.', '-', '_'; no wildcards, ports or user info)");
      }
    }
  }

  private static boolean isAlnum(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
  }

  /** The trust domain of a SPIFFE ID string, or null when it is not one. */
  static @Nullable String trustDomainOf(String id) {
    if (!id.startsWith(SCHEME)) {
      return null;
    }
    int slash = id.indexOf('/', SCHEME.length());
    String td = slash < 0 ? id.substring(SCHEME.length()) : id.substring(SCHEME.length(), slash);
    return td.isEmpty() ? null : td;
  }

  String trustDomain() {
    return trustDomain;
  }

  boolean isExact() {
    return exact;
  }

  String pattern() {
    return pattern;
  }

  /**
   * The characters before the first wildcard ({@code spiffe://td/svc/s1/} for {@code spiffe://td/svc/s1/*}):
   * every ID this pattern matches starts with it. The whole pattern when it is exact.
   */
  String literalPrefix() {
    int star = pattern.indexOf('*');
    return star < 0 ? pattern : pattern.substring(0, star);
  }

  boolean matches(String id) {
    if (exact) {
      return pattern.equals(id);
    }
    int tdEnd = SCHEME.length() + trustDomain.length();
    if (!id.startsWith(SCHEME) || !id.startsWith(trustDomain, SCHEME.length())) {
      return false;
    }
    if (id.length() == tdEnd || id.charAt(tdEnd) != '/') {
      return false; // no path, or a longer trust domain
    }
    int pos = tdEnd + 1;
    for (Glob g : segments) {
      if (pos > id.length()) {
        return false;
      }
      int next = id.indexOf('/', pos);
      int end = next < 0 ? id.length() : next;
      if (end == pos || !g.matches(id, pos, end)) {
        return false;
      }
      pos = end + 1;
    }
    if (trailingAny) {
      return pos < id.length() && id.charAt(id.length() - 1) != '/';
    }
    return pos == id.length() + 1;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
