package dev.jitaccess.policy;

import dev.jitaccess.internal.Glob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Globs, SPIFFE ID patterns, CIDR blocks and durations. */
class PrimitivesTest {

  @ParameterizedTest
  @CsvSource({
      "abc, abc, true", "abc, abcd, false", "a*, abc, true", "a*, b, false", "*c, abc, true", "a?c, abc, true",
      "a?c, ac, false", "*, '', true", "a*b*c, axxbyyc, true", "a*b*c, axxbyy, false", "**, x/y, true",
      "'https://*.example.org/*', 'https://a.example.org/x/y', false", "'https://*.example.org/**', 'https://a.example.org/x/y', true",
      "a*a*a*a*b, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac, false"})
  void globs(String pattern, String value, boolean expected) {
    if (pattern.isEmpty()) {
      return;
    }
    assertThat(Glob.compile(pattern).matches(value)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
      "spiffe://td/a/b, spiffe://td/a/b, true", "spiffe://td/a/b, spiffe://td/a/b/c, false",
      "spiffe://td/a/*, spiffe://td/a/b, true", "spiffe://td/a/*, spiffe://td/a/b/c, false",
      "spiffe://td/a/*, spiffe://td/a, false", "spiffe://td/a/**, spiffe://td/a/b/c, true",
      "spiffe://td/a/**, spiffe://td/a, false", "spiffe://td/a/**, spiffe://td/a/, false",
      "spiffe://td/**, spiffe://td/x, true", "spiffe://td/a-*, spiffe://td/a-1, true",
      "spiffe://td/*, spiffe://td2/x, false", "spiffe://td/*, spiffe://td, false", "spiffe://td, spiffe://td, true",
      "spiffe://td/a/*, spiffe://td/a//, false"})
  void spiffePatterns(String pattern, String id, boolean expected) {
    assertThat(SpiffePattern.parse(pattern).matches(id)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "SPIFFE://td/a|starts with 'spiffe://' in lower case", "spiffe://|trust domain is empty",
      "spiffe://TD/a|invalid character 'T'", "spiffe://td:443/a|invalid character ':'", "spiffe://u@td/a|invalid character '@'",
      "spiffe://td/a//b|empty segments", "spiffe://td/./a|'.' or '..'", "spiffe://td/a?x|invalid character '?'",
      "spiffe://td/**/a|only as the last", "spiffe://td/a/|must not end with '/'", "spiffe://*.td/a|invalid character '*'"})
  void badSpiffePatterns(String pattern, String message) {
    assertThatThrownBy(() -> SpiffePattern.parse(pattern)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource({
      "10.0.0.0/8, 10.255.1.2, true", "10.0.0.0/8, 11.0.0.0, false", "192.168.1.7, 192.168.1.7, true",
      "0.0.0.0/0, 1.2.3.4, true", "2001:db8::/32, 2001:db8:ffff::1, true", "2001:db8::/32, 2001:db9::, false",
      "::/0, ::1, true", "::1, ::1, true", "10.0.0.0/8, ::ffff:10.0.0.1, true", "10.0.0.0/8, 2001:db8::1, false",
      "2001:db8::/32, 10.0.0.1, false", "fe80::/10, fe80::1:2:3:4, true", "1:2:3:4:5:6:7:8/128, 1:2:3:4:5:6:7:8, true",
      "::ffff:0:0/96, 1.2.3.4, true", "::ffff:0:0/96, ::ffff:1.2.3.4, true", "::ffff:10.0.0.0/104, 10.9.9.9, true"})
  void cidrs(String block, String address, boolean expected) {
    assertThat(Cidr.parse(block).contains(Cidr.parseAddress(address))).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "10.0.0.0/33|above 32", "10.0.0.1/8|host bits", "10.0.0/8|not an IPv4", "256.0.0.0/8|not an IPv4",
      "01.2.3.4|not an IPv4", "1::2::3|not an IPv4", "1:2:3:4:5:6:7:8:9|not an IPv4", "example.com|not an IPv4",
      "10.0.0.0/x|not a number", "10.0.0.0/|not a number", "gggg::|not an IPv4", "::/129|above 128"})
  void badCidrs(String block, String message) {
    assertThatThrownBy(() -> Cidr.parse(block)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource({"90s, PT1M30S", "15m, PT15M", "1h30m, PT1H30M", "2d, PT48H", "PT15M, PT15M", "1d2h3m4s, PT26H3M4S"})
  void durations(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    assertThat(Durations.parse(Durations.format(Duration.parse(iso)))).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @CsvSource({"0s", "-5m", "5", "5 m", "m", "1.5h", "PT-1M", "P", "''"})
  void badDurations(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
