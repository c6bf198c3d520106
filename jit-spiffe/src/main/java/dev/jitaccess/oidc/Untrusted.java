package dev.jitaccess.oidc;

/**
 * Shows values taken from a token (claims, header fields) inside rejection reasons: quoted, with control,
 * format (bidi) and other non-printable characters replaced, and cut short, so that a reason can be
 * logged safely. Never used for the token itself.
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

  /** Printable characters only: no controls, bidi or other format characters, line separators or surrogates. */
  private static boolean shownAsIs(char c) {
    int type = Character.getType(c);
    return !Character.isISOControl(c)
        && type != Character.FORMAT
        && type != Character.LINE_SEPARATOR
        && type != Character.PARAGRAPH_SEPARATOR
        && type != Character.SURROGATE
        && type != Character.UNASSIGNED
        && type != Character.PRIVATE_USE;
  }
}
