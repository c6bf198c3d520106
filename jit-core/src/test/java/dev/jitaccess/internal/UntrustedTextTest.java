package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UntrustedTextTest {

  @Test
  void escapeLeavesPlainValuesBare() {
    assertThat(UntrustedText.escape("spiffe://example.org/ns/ci/sa/deploy")).isEqualTo("spiffe://example.org/ns/ci/sa/deploy");
    assertThat(UntrustedText.escape("team-ci,team-ops")).isEqualTo("team-ci,team-ops");
    assertThat(UntrustedText.escape("日本😀")).isEqualTo("日本😀");
  }

  @Test
  void escapeQuotesSeparatorsQuotesAndEquals() {
    assertThat(UntrustedText.escape("build-1 type=REVOKED")).isEqualTo("\"build-1 type=REVOKED\"");
    assertThat(UntrustedText.escape("a=b")).isEqualTo("\"a=b\"");
    assertThat(UntrustedText.escape("say \"hi\"")).isEqualTo("\"say \\\"hi\\\"\"");
    assertThat(UntrustedText.escape("back\\slash")).isEqualTo("\"back\\\\slash\"");
    assertThat(UntrustedText.escape("")).isEqualTo("\"\"");
    assertThat(UntrustedText.escape("null")).isEqualTo("\"null\"");
    assertThat(UntrustedText.escape(null)).isEqualTo("null");
  }

  /** Issue 14 item 14: CR, LF, ESC, bidi overrides and line separators are escaped, never written raw. */
  @Test
  void escapeNeverWritesAControlFormatOrSeparatorCharacter() {
    assertThat(UntrustedText.escape("ci\r\nINFO forged line")).isEqualTo("\"ci\\r\\nINFO forged line\"");
    assertThat(UntrustedText.escape("x\u001b[2Jy")).isEqualTo("\"x\\u001b[2Jy\"");
    assertThat(UntrustedText.escape("abc\u202eevil")).isEqualTo("\"abc\\u202eevil\"");
    assertThat(UntrustedText.escape("a\u2028b\u0085c")).isEqualTo("\"a\\u2028b\\u0085c\"");
    assertThat(UntrustedText.escape("lone\ud800")).isEqualTo("\"lone\\ud800\"");
  }

  @Test
  void unescapeReadsBackWhatEscapeWrote() {
    for (String value : new String[] {"plain", "a b", "", "null", "q\"\\", "\r\n\t\u001b\u202e", "😀 \ud800"}) {
      assertThat(UntrustedText.unescape(UntrustedText.escape(value))).as(value).isEqualTo(value);
    }
    assertThat(UntrustedText.unescape("null")).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"open", "\"a\" b", "\"bad \\x escape\"", "\"\\u12\"", "\"\\uzzzz\"", "a b", "a=b", "\"end\\"})
  void unescapeRefusesWhatEscapeNeverWrites(String bad) {
    assertThatThrownBy(() -> UntrustedText.unescape(bad)).isInstanceOf(IllegalArgumentException.class);
  }

  /** Issue 14 item 4: an unverified header value appears in a reason only as a bounded, escaped excerpt. */
  @Test
  void excerptIsQuotedEscapedAndBounded() {
    assertThat(UntrustedText.excerpt("JWT")).isEqualTo("\"JWT\"");
    assertThat(UntrustedText.excerpt("at+jwt task_id=build-1 type=REVOKED\n"))
        .isEqualTo("\"at+jwt task_id=build-1 type=REVOKED\\n\"");
    assertThat(UntrustedText.excerpt(null)).isEqualTo("null");
    String longValue = "x".repeat(1000);
    assertThat(UntrustedText.excerpt(longValue)).isEqualTo("\"" + "x".repeat(UntrustedText.MAX_EXCERPT) + "\"...");
    assertThat(UntrustedText.excerpt(12)).isEqualTo("\"12\"");
  }

  @Test
  void excerptNeverSplitsASurrogatePair() {
    String value = "x".repeat(UntrustedText.MAX_EXCERPT - 1) + "😀tail";
    assertThat(UntrustedText.excerpt(value)).isEqualTo("\"" + "x".repeat(UntrustedText.MAX_EXCERPT - 1) + "\"...");
  }

  @Test
  void requirePrintableAcceptsSpacesQuotesAndNonAscii() {
    assertThat(UntrustedText.requirePrintable("team ci \"ops\" = Zoë 日本", "owner")).isEqualTo("team ci \"ops\" = Zoë 日本");
  }

  /** Issue 14 item 14: identity ids and owners with control characters are refused, naming the character. */
  @ParameterizedTest
  @ValueSource(strings = {"spiffe://example.org/ci\r\nINFO forged", "a\u001b[31m", "abc\u202e", "a\u2028b", "a\u0000",
      "tab\there", "lone\ud800", "del\u007f", "nel\u0085", "zwj\u200d"})
  void requirePrintableRefusesUnprintableCharacters(String bad) {
    assertThatThrownBy(() -> UntrustedText.requirePrintable(bad, "identity id"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("identity id must not contain control, format or other unprintable characters, got \"")
        .hasMessageContaining("U+")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\r", "\n", "\u001b", "\u202e", "\u2028", "\u0000"));
  }

  @Test
  void requirePrintableNamesTheArgumentWhenNull() {
    assertThatThrownBy(() -> UntrustedText.requirePrintable(null, "owner"))
        .isInstanceOf(NullPointerException.class).hasMessage("owner");
  }
}
