package dev.jitaccess.spiffe.internal;

import org.jspecify.annotations.Nullable;

/**
 * The one rule for text that becomes an identity id or an owner: no control characters. Such text is
 * logged, audited and compared; a CR, LF or ESC in it could forge a log line, and a bidi override could
 * make one id read as another. Verifiers refuse such a credential at the source (issue 14 #14); escaping
 * at the log is a second, separate line of defence.
 */
public final class IdentityText {
  private IdentityText() {}

  /**
   * The first refused character of {@code text} as {@code U+XXXX}, or null when there is none. Refused:
   * ISO control characters (C0, DEL, C1), line and paragraph separators, and format characters (bidi
   * controls, zero-width characters).
   */
  public static @Nullable String controlCharacter(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int type = Character.getType(c);
      if (Character.isISOControl(c) || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
          || type == Character.FORMAT) {
        return String.format("U+%04X", (int) c);
      }
    }
    return null;
  }
}
