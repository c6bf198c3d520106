package dev.jitaccess.oidc;

import dev.jitaccess.internal.UntrustedText;

/**
 * Shows values taken from a token (claims, header fields) inside rejection reasons: in single quotes, with
 * every character that the project's one sanitiser ({@link UntrustedText}) does not show as it is replaced
 * by {@code ?}, and cut short, so that a reason can be logged safely. Never used for the token itself.
 */
final class Untrusted {
  static final int MAX_SHOWN = 120;

  private Untrusted() {}

  /** The value quoted for a reason. */
  static String quote(Object value) {
    if (value == null) {
      return "null";
    }
    String text = String.valueOf(value);
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_SHOWN) + 8).append('\'');
    int shown = 0;
    for (int i = 0; i < text.length(); i++) {
      if (shown == MAX_SHOWN) {
        out.append("...");
        break;
      }
      char c = text.charAt(i);
      out.append(shownAsIs(c) ? c : '?');
      shown++;
    }
    return out.append('\'').toString();
  }

  /**
   * Printable characters only: the project's one rule ({@link UntrustedText#isPrintable}); a surrogate,
   * paired or not, is shown as {@code ?} too, since the value is read one UTF-16 unit at a time.
   */
  private static boolean shownAsIs(char c) {
    return UntrustedText.isPrintable(c);
  }
}
