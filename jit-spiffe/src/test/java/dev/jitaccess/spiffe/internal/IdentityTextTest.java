package dev.jitaccess.spiffe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one rule for identity ids and owners: no control, separator or format characters. */
class IdentityTextTest {

  @ParameterizedTest
  @CsvSource({"0, U+0000", "9, U+0009", "10, U+000A", "13, U+000D", "27, U+001B", "127, U+007F",
      "133, U+0085", "8232, U+2028", "8233, U+2029", "8238, U+202E", "8203, U+200B", "65279, U+FEFF"})
  void refusesControlSeparatorAndFormatCharacters(int codePoint, String shown) {
    assertThat(IdentityText.controlCharacter("team" + (char) codePoint + "x")).isEqualTo(shown);
  }

  @ParameterizedTest
  @ValueSource(strings = {"team-ci", "repo:octo-org/deployer:ref:refs/heads/main", "équipe", "チーム",
      "spiffe://example.org/ci/deploy", "a b"})
  void acceptsPrintableText(String text) {
    assertThat(IdentityText.controlCharacter(text)).isNull();
  }

  @Property(tries = 500)
  void anyRefusedTextHoldsTheNamedCharacter(@ForAll String text) {
    String shown = IdentityText.controlCharacter(text);
    if (shown != null) {
      char c = (char) Integer.parseInt(shown.substring(2), 16);
      assertThat(text).contains(String.valueOf(c));
      assertThat(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
          || Character.getType(c) == Character.LINE_SEPARATOR
          || Character.getType(c) == Character.PARAGRAPH_SEPARATOR).isTrue();
    } else {
      assertThat(text.chars().noneMatch(Character::isISOControl)).isTrue();
    }
  }
}
