package dev.jitaccess.oidc;

/**
 * Shows values taken from a token (claims, header fields) inside rejection reasons: quoted, with control
 * and non-printable characters replaced, and cut short, so a reason can be logged safely. Never used for
 * the token itself.
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
      out.append(c < 0x20 || c == 0x7f || (c >= 0x80 && Character.isISOControl(c)) || Character.isSurrogate(c)
          ? '?'
          : c);
      shown++;
    }
    return out.append('\'').toString();
  }
}
