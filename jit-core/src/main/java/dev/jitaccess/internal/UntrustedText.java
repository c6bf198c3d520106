package dev.jitaccess.internal;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The one sanitiser for untrusted text (issue 14, items 4 and 14): every value that reaches a log line,
 * an audit line or a rejection reason goes through {@link #escape(String)} or {@link #excerpt(Object)};
 * identity ids, owners and other values that will be logged are checked with
 * {@link #requirePrintable(String, String)}.
 *
 * <p>The escaped form is the value syntax of logfmt: a value made only of printable characters other than
 * space, {@code "}, {@code =} and {@code \} is written as it is (a <em>bare</em> value); anything else,
 * the empty string and the word {@code null} included, is written in double quotes, with {@code \"},
 * {@code \\}, {@code \n}, {@code \r}, {@code \t} and a backslash-u escape for every other character that
 * is not printable (ISO controls such as ESC, format characters such as the bidi overrides, line and
 * paragraph separators, unpaired surrogates). So an escaped value never contains a control character, a
 * line break or an unescaped quote, always reads as exactly one value, and {@link #unescape(String)} gives
 * the original back.
 */
public final class UntrustedText {
  /** How many characters of an untrusted value {@link #excerpt(Object)} shows at most. */
  public static final int MAX_EXCERPT = 64;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private UntrustedText() {}

  /**
   * Whether {@code cp} is shown as it is in an escaped value: not an ISO control, format, line or
   * paragraph separator, surrogate, private-use or unassigned code point.
   */
  public static boolean isPrintable(int cp) {
    if (Character.isISOControl(cp)) {
      return false;
    }
    int type = Character.getType(cp);
    return type != Character.FORMAT
        && type != Character.LINE_SEPARATOR
        && type != Character.PARAGRAPH_SEPARATOR
        && type != Character.SURROGATE
        && type != Character.PRIVATE_USE
        && type != Character.UNASSIGNED;
  }

  /** Whether {@code value} is written bare (without quotes) by {@link #escape(String)}. */
  static boolean isBare(String value) {
    if (value.isEmpty() || value.equals("null")) {
      return false;
    }
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      if (cp == ' ' || cp == '"' || cp == '=' || cp == '\\' || !isPrintable(cp) || Character.isWhitespace(cp)
          || Character.isSpaceChar(cp)) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  /**
   * The value as one logfmt value: bare when it is safe as it is, otherwise quoted and escaped (see the
   * class description). Use it for every untrusted value written to a log or an audit line.
   *
   * @param value the untrusted text; {@code null} gives the bare word {@code null}
   */
  public static String escape(@Nullable String value) {
    if (value == null) {
      return "null";
    }
    if (isBare(value)) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length() + 8);
    quoted(out, value, value.length());
    return out.toString();
  }

  /**
   * A bounded, escaped excerpt of an unverified value for a rejection reason: at most {@value #MAX_EXCERPT}
   * characters, always in double quotes with the escapes of {@link #escape(String)}, followed by
   * {@code ...} when cut. Use it for anything read from a credential before its signature was checked
   * (a header's {@code typ}, {@code alg}, {@code kid}), and never for the credential itself.
   *
   * @param value the untrusted value; {@code null} gives {@code null}
   */
  public static String excerpt(@Nullable Object value) {
    if (value == null) {
      return "null";
    }
    String text = String.valueOf(value);
    int end = text.length();
    if (end > MAX_EXCERPT) {
      end = MAX_EXCERPT;
      if (Character.isHighSurrogate(text.charAt(end - 1)) && Character.isLowSurrogate(text.charAt(end))) {
        end--; // never split a pair
      }
    }
    StringBuilder out = new StringBuilder(end + 8);
    quoted(out, text, end);
    if (end < text.length()) {
      out.append("...");
    }
    return out.toString();
  }

  /**
   * Refuses a value that {@link #escape(String)} would have to escape for being unprintable: an ISO control
   * character (CR, LF, ESC, ...), a format character (bidi overrides, zero-width joiners), a line or
   * paragraph separator, an unpaired surrogate, a private-use or unassigned code point. Spaces and quotes
   * are allowed (they are escaped where they are logged).
   *
   * @param value the value to check
   * @param name what the value is, for the messages
   * @return {@code value}
   * @throws NullPointerException naming {@code name} when {@code value} is null
   * @throws IllegalArgumentException naming the first bad character and showing an escaped excerpt
   */
  public static String requirePrintable(String value, String name) {
    Objects.requireNonNull(value, name);
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      if (!isPrintable(cp)) {
        throw new IllegalArgumentException(
            name + " must not contain control, format or other unprintable characters, got " + excerpt(value)
                + String.format(" (U+%04X at index %d)", cp, i));
      }
      i += Character.charCount(cp);
    }
    return value;
  }

  /**
   * Reads back a value written by {@link #escape(String)}: a bare value as it is, a quoted value with its
   * escapes undone; the bare word {@code null} gives {@code null}.
   *
   * @throws IllegalArgumentException if {@code escaped} is not one escaped value
   */
  public static @Nullable String unescape(String escaped) {
    Objects.requireNonNull(escaped, "escaped");
    if (escaped.equals("null")) {
      return null;
    }
    if (!escaped.startsWith("\"")) {
      if (!isBare(escaped)) {
        throw new IllegalArgumentException("not a bare value: " + excerpt(escaped));
      }
      return escaped;
    }
    StringBuilder out = new StringBuilder(escaped.length());
    int i = 1;
    while (true) {
      if (i >= escaped.length()) {
        throw new IllegalArgumentException("unterminated quoted value: " + excerpt(escaped));
      }
      char c = escaped.charAt(i++);
      if (c == '"') {
        if (i != escaped.length()) {
          throw new IllegalArgumentException("text after a quoted value: " + excerpt(escaped));
        }
        return out.toString();
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (i >= escaped.length()) {
        throw new IllegalArgumentException("unterminated escape: " + excerpt(escaped));
      }
      char e = escaped.charAt(i++);
      switch (e) {
        case '"', '\\' -> out.append(e);
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          if (i + 4 > escaped.length()) {
            throw new IllegalArgumentException("short unicode escape: " + excerpt(escaped));
          }
          int code = 0;
          for (int k = 0; k < 4; k++) {
            int digit = Character.digit(escaped.charAt(i++), 16);
            if (digit < 0) {
              throw new IllegalArgumentException("bad unicode escape: " + excerpt(escaped));
            }
            code = (code << 4) | digit;
          }
          out.append((char) code);
        }
        default -> throw new IllegalArgumentException("bad escape: " + excerpt(escaped));
      }
    }
  }

  /** Appends the first {@code end} chars of {@code value} in double quotes with escapes. */
  private static void quoted(StringBuilder out, String value, int end) {
    out.append('"');
    for (int i = 0; i < end; ) {
      int cp = value.codePointAt(i);
      int n = Character.charCount(cp);
      if (i + n > end) {
        n = 1; // a pair cut at the end: escape the lone half
        cp = value.charAt(i);
      }
      switch (cp) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (isPrintable(cp)) {
            out.appendCodePoint(cp);
          } else {
            for (int k = i; k < i + n; k++) {
              char c = value.charAt(k);
              out.append('\\').append('u')
                  .append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                  .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
            }
          }
        }
      }
      i += n;
    }
    out.append('"');
  }
}
