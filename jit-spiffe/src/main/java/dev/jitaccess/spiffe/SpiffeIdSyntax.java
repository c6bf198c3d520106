package dev.jitaccess.spiffe;

/**
 * The SPIFFE-ID character rules as byte-wise allow-lists (go-spiffe's approach), and the length limits.
 * Nothing here depends on the default locale: no case folding happens anywhere.
 */
final class SpiffeIdSyntax {
  static final String SCHEME_PREFIX = "spiffe://";
  /** SPIFFE-ID §2.3: implementations MUST support IDs up to 2048 bytes; we refuse longer ones. */
  static final int MAX_ID_BYTES = 2048;
  /** SPIFFE-ID §2.3: the trust domain is at most 255 bytes; we refuse longer ones. */
  static final int MAX_TRUST_DOMAIN_BYTES = 255;

  static final String EMPTY = "cannot be empty";
  static final String WRONG_SCHEME = "scheme is missing or invalid";
  static final String MISSING_TRUST_DOMAIN = "trust domain is missing";
  static final String BAD_TRUST_DOMAIN_CHAR =
      "trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores";
  static final String BAD_PATH_SEGMENT_CHAR =
      "path segment characters are limited to letters, numbers, dots, dashes, and underscores";
  static final String NO_LEADING_SLASH = "path must have a leading slash";
  static final String EMPTY_SEGMENT = "path cannot contain empty segments";
  static final String DOT_SEGMENT = "path cannot contain dot segments";
  static final String TRAILING_SLASH = "path cannot have a trailing slash";
  static final String ID_TOO_LONG = "SPIFFE ID is longer than " + MAX_ID_BYTES + " bytes";
  static final String TRUST_DOMAIN_TOO_LONG =
      "trust domain is longer than " + MAX_TRUST_DOMAIN_BYTES + " bytes";

  private SpiffeIdSyntax() {}

  /** {@code [a-z0-9.\-_]}: lowercase only (ID §2.1). */
  static boolean isTrustDomainChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  }

  /** {@code [a-zA-Z0-9.\-_]} (ID §2.2). */
  static boolean isPathChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '-'
        || c == '_';
  }

  /** The UTF-8 length of {@code s}, counting no further than {@code limit + 1}. */
  static int utf8Length(String s, int limit) {
    int bytes = 0;
    for (int i = 0; i < s.length() && bytes <= limit; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** Checks a trust-domain name; returns it. */
  static String checkTrustDomainName(String name) {
    if (name.isEmpty()) {
      throw new InvalidSpiffeIdException(MISSING_TRUST_DOMAIN);
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isTrustDomainChar(name.charAt(i))) {
        throw new InvalidSpiffeIdException(BAD_TRUST_DOMAIN_CHAR);
      }
    }
    if (name.length() > MAX_TRUST_DOMAIN_BYTES) { // all allowed chars are one byte
      throw new InvalidSpiffeIdException(TRUST_DOMAIN_TOO_LONG);
    }
    return name;
  }

  /** Checks a path ({@code ""} or {@code /seg(/seg)*}), exactly as go-spiffe's validatePath. */
  static void checkPath(String path) {
    if (path.isEmpty()) {
      return;
    }
    if (path.charAt(0) != '/') {
      throw new InvalidSpiffeIdException(NO_LEADING_SLASH);
    }
    int segmentStart = 0;
    int end = 0;
    for (; end < path.length(); end++) {
      char c = path.charAt(end);
      if (c == '/') {
        checkSegmentEnd(path, segmentStart, end, false);
        segmentStart = end;
        continue;
      }
      if (!isPathChar(c)) {
        throw new InvalidSpiffeIdException(BAD_PATH_SEGMENT_CHAR);
      }
    }
    checkSegmentEnd(path, segmentStart, end, true);
  }

  /** The segment path[start, end) including its leading slash. */
  private static void checkSegmentEnd(String path, int start, int end, boolean last) {
    int len = end - start;
    if (len == 1) {
      throw new InvalidSpiffeIdException(last ? TRAILING_SLASH : EMPTY_SEGMENT);
    }
    if ((len == 2 && path.charAt(start + 1) == '.')
        || (len == 3 && path.charAt(start + 1) == '.' && path.charAt(start + 2) == '.')) {
      throw new InvalidSpiffeIdException(DOT_SEGMENT);
    }
  }

  /** Checks one path segment (no slashes), as go-spiffe's validatePathSegment. */
  static void checkSegment(String segment) {
    if (segment.isEmpty()) {
      throw new InvalidSpiffeIdException(EMPTY_SEGMENT);
    }
    if (segment.equals(".") || segment.equals("..")) {
      throw new InvalidSpiffeIdException(DOT_SEGMENT);
    }
    for (int i = 0; i < segment.length(); i++) {
      if (!isPathChar(segment.charAt(i))) {
        throw new InvalidSpiffeIdException(BAD_PATH_SEGMENT_CHAR);
      }
    }
  }
}
