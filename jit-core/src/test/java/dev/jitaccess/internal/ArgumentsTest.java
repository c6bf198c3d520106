package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ArgumentsTest {

  @Test
  void requireNonNullNamesTheArgument() {
    assertThat(Arguments.requireNonNull("x", "issuer")).isEqualTo("x");
    assertThatThrownBy(() -> Arguments.requireNonNull(null, "issuer"))
        .isInstanceOf(NullPointerException.class).hasMessage("issuer");
  }

  @Test
  void requireUnsetRefusesASecondValue() {
    Arguments.requireUnset(null, "clock");
    assertThatThrownBy(() -> Arguments.requireUnset("set", "clock"))
        .isInstanceOf(IllegalStateException.class).hasMessage("clock was already set");
  }

  @Test
  void requireSetRefusesAMissingOptionAtBuild() {
    assertThat(Arguments.requireSet("v", "policy")).isEqualTo("v");
    assertThatThrownBy(() -> Arguments.requireSet(null, "policy"))
        .isInstanceOf(IllegalStateException.class).hasMessage("policy is required");
  }

  @Test
  void requireArgumentAndRequireStateThrowTheirMessage() {
    Arguments.requireArgument(true, "unused");
    Arguments.requireState(true, "unused");
    assertThatThrownBy(() -> Arguments.requireArgument(false, "maxTtl must be positive, got PT0S"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxTtl must be positive, got PT0S");
    assertThatThrownBy(() -> Arguments.requireState(false, "group 'ops' was already set"))
        .isInstanceOf(IllegalStateException.class).hasMessage("group 'ops' was already set");
  }

  @Test
  void requireInRangeAcceptsTheBoundsAndShowsTheBadValue() {
    assertThat(Arguments.requireInRange(1, 1, 10, "n")).isEqualTo(1);
    assertThat(Arguments.requireInRange(10, 1, 10, "n")).isEqualTo(10);
    assertThatThrownBy(() -> Arguments.requireInRange(0, 1, 10, "maxGrantsPerTask"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxGrantsPerTask must be between 1 and 10, got 0");
    assertThatThrownBy(() -> Arguments.requireInRange(11L, 1L, 10L, "bytes"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("bytes must be between 1 and 10, got 11");
    assertThat(Arguments.requireInRange(5L, 1L, 10L, "bytes")).isEqualTo(5L);
  }

  @Test
  void requireInRangeForDurations() {
    Duration min = Duration.ZERO;
    Duration max = Duration.ofMinutes(5);
    assertThat(Arguments.requireInRange(max, min, max, "leeway")).isEqualTo(max);
    assertThatThrownBy(() -> Arguments.requireInRange(Duration.ofMinutes(6), min, max, "leeway"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("leeway must be between PT0S and PT5M, got PT6M");
    assertThatThrownBy(() -> Arguments.requireInRange(Duration.ofNanos(-1), min, max, "leeway"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got PT-0.000000001S");
    assertThatThrownBy(() -> Arguments.requireInRange(null, min, max, "leeway"))
        .isInstanceOf(NullPointerException.class).hasMessage("leeway");
  }

  @Test
  void requirePositiveRefusesZeroAndNegative() {
    assertThat(Arguments.requirePositive(Duration.ofNanos(1), "ttl")).isEqualTo(Duration.ofNanos(1));
    assertThatThrownBy(() -> Arguments.requirePositive(Duration.ZERO, "ttl"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("ttl must be positive, got PT0S");
    assertThatThrownBy(() -> Arguments.requirePositive(Duration.ofSeconds(-1), "ttl"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("ttl must be positive, got PT-1S");
    assertThatThrownBy(() -> Arguments.requirePositive(null, "ttl"))
        .isInstanceOf(NullPointerException.class).hasMessage("ttl");
  }

  @Test
  void requireNotBlankRefusesBlankText() {
    assertThat(Arguments.requireNotBlank(" a ", "audience")).isEqualTo(" a ");
    assertThatThrownBy(() -> Arguments.requireNotBlank(" \t", "audience"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("audience must not be blank");
    assertThatThrownBy(() -> Arguments.requireNotBlank(null, "audience"))
        .isInstanceOf(NullPointerException.class).hasMessage("audience");
  }

  @Test
  void setOnceRefusesNullAndASecondValue() {
    assertThat(Arguments.setOnce(null, "v", "purpose")).isEqualTo("v");
    assertThatThrownBy(() -> Arguments.setOnce(null, null, "purpose"))
        .isInstanceOf(NullPointerException.class).hasMessage("purpose");
    assertThatThrownBy(() -> Arguments.setOnce("old", "v", "purpose"))
        .isInstanceOf(IllegalStateException.class).hasMessage("purpose was already set");
  }

  @Test
  void requireTextRefusesBlankLongAndControlCharactersWithoutEchoingThem() {
    assertThat(Arguments.requireText("deploy", "purpose", 6)).isEqualTo("deploy");
    assertThatThrownBy(() -> Arguments.requireText(null, "purpose", 6))
        .isInstanceOf(NullPointerException.class).hasMessage("purpose");
    assertThatThrownBy(() -> Arguments.requireText(" ", "purpose", 6))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("purpose must not be blank");
    assertThatThrownBy(() -> Arguments.requireText("deploys", "purpose", 6))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("purpose must be at most 6 characters, got 7");
    assertThatThrownBy(() -> Arguments.requireText("a\nb", "purpose", 6))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("purpose must not contain control characters");
  }
}
