package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Unit tests beyond the corpus: length limits, locale independence, API behaviour. */
class SpiffeIdTest {

  private static String repeat(char c, int n) {
    return String.valueOf(c).repeat(n);
  }

  @Test
  void a13AcceptsAnIdOfExactly2048Bytes() {
    String prefix = "spiffe://example.org/";
    String id = prefix + repeat('a', 2048 - prefix.length());
    assertThat(id).hasSize(2048);
    assertThat(SpiffeId.parse(id).toString()).isEqualTo(id);
  }

  @Test
  void a13RejectsAnIdOf2049Bytes() {
    String prefix = "spiffe://example.org/";
    String id = prefix + repeat('a', 2049 - prefix.length());
    assertThatThrownBy(() -> SpiffeId.parse(id))
        .isInstanceOf(InvalidSpiffeIdException.class)
        .hasMessage("SPIFFE ID is longer than 2048 bytes");
  }

  @Test
  void a13CountsBytesNotChars() {
    // 1024 two-byte chars: 1024 chars but more than 2048 bytes with the prefix
    String id = "spiffe://example.org/" + repeat('\u00e9', 1024);
    assertThatThrownBy(() -> SpiffeId.parse(id)).hasMessage("SPIFFE ID is longer than 2048 bytes");
  }

  @Test
  void a13AcceptsA255ByteTrustDomainAndRejects256() {
    String td255 = repeat('a', 255);
    assertThat(TrustDomain.parse(td255).name()).isEqualTo(td255);
    assertThat(SpiffeId.parse("spiffe://" + td255 + "/x").trustDomain().name()).isEqualTo(td255);
    String td256 = repeat('a', 256);
    assertThatThrownBy(() -> TrustDomain.parse(td256))
        .isInstanceOf(InvalidSpiffeIdException.class)
        .hasMessage("trust domain is longer than 255 bytes");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://" + td256 + "/x"))
        .hasMessage("trust domain is longer than 255 bytes");
  }

  @Test
  void a13OfAndFromPathAlsoEnforceTheIdLimit() {
    TrustDomain td = TrustDomain.parse("example.org");
    assertThatThrownBy(() -> SpiffeId.of(td, repeat('a', 2048)))
        .hasMessage("SPIFFE ID is longer than 2048 bytes");
    assertThatThrownBy(() -> SpiffeId.fromPath(td, "/" + repeat('a', 2048)))
        .hasMessage("SPIFFE ID is longer than 2048 bytes");
  }

  @Test
  void a4ParsingDoesNotDependOnTheDefaultLocale() {
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("tr-TR"));
      assertThatThrownBy(() -> SpiffeId.parse("spiffe://TITLE/y")).hasMessageContaining("trust domain");
      assertThat(SpiffeId.parse("spiffe://title/I").toString()).isEqualTo("spiffe://title/I");
    } finally {
      Locale.setDefault(saved);
    }
  }

  @Test
  void a4NonAsciiLookalikesAreRejected() {
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://trust\u212Aomain/x"))
        .hasMessageContaining("trust domain characters");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://\u0130x/y")).hasMessageContaining("trust domain");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://example.org/\u212A"))
        .hasMessageContaining("path segment characters");
  }

  @Test
  void segmentsAndMembership() {
    SpiffeId id = SpiffeId.parse("spiffe://example.org/ns/prod/sa/api");
    assertThat(id.segments()).containsExactly("ns", "prod", "sa", "api");
    assertThat(id.isMemberOf(TrustDomain.parse("example.org"))).isTrue();
    assertThat(id.isMemberOf(TrustDomain.parse("example.com"))).isFalse();
    assertThat(id.isTrustDomainId()).isFalse();
    assertThat(TrustDomain.parse("example.org").id().isTrustDomainId()).isTrue();
    assertThat(TrustDomain.parse("example.org").id().segments()).isEmpty();
    assertThat(SpiffeId.of(TrustDomain.parse("example.org"), "ns", "prod")).isEqualTo(
        SpiffeId.parse("spiffe://example.org/ns/prod"));
    assertThat(SpiffeId.parse("spiffe://example.org/a"))
        .isNotEqualTo(SpiffeId.parse("spiffe://example.org/A"));
    assertThat(TrustDomain.parse("spiffe://example.org/x")).isEqualTo(TrustDomain.parse("example.org"));
    assertThat(TrustDomain.parse("example.org").toString()).isEqualTo("example.org");
  }

  @Test
  void nullsAreRejectedWithTheArgumentName() {
    assertThatThrownBy(() -> SpiffeId.parse(null)).isInstanceOf(NullPointerException.class).hasMessage("id");
    assertThatThrownBy(() -> TrustDomain.parse(null)).hasMessage("idOrName");
    assertThatThrownBy(() -> SpiffeId.of(null)).hasMessage("trustDomain");
    assertThatThrownBy(() -> SpiffeId.of(TrustDomain.parse("a"), (String) null)).hasMessage("segment");
  }

  @Test
  void exceptionIsAJitExceptionAndDoesNotEchoInput() {
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://secret$value/x"))
        .isInstanceOf(dev.jitaccess.JitException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
  }
}
