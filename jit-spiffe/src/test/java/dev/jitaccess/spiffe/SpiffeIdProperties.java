package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Invariants of SPIFFE ID parsing. */
class SpiffeIdProperties {
  static final String TD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789.-_";
  static final String PATH_CHARS = TD_CHARS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

  @Provide
  Arbitrary<String> trustDomains() {
    return Arbitraries.strings().withChars(TD_CHARS.toCharArray()).ofMinLength(1).ofMaxLength(40);
  }

  @Provide
  Arbitrary<List<String>> paths() {
    Arbitrary<String> segment = Arbitraries.strings().withChars(PATH_CHARS.toCharArray()).ofMinLength(1).ofMaxLength(12)
        .filter(s -> !s.equals(".") && !s.equals(".."));
    return segment.list().ofMaxSize(6);
  }

  @Provide
  Arbitrary<SpiffeId> ids() {
    return Combinators.combine(trustDomains(), paths())
        .as((td, segs) -> SpiffeId.of(TrustDomain.parse(td), segs.toArray(new String[0])));
  }

  @Property(tries = 300)
  void parseOfToStringRoundTrips(@ForAll("ids") SpiffeId id) {
    SpiffeId again = SpiffeId.parse(id.toString());
    assertThat(again).isEqualTo(id);
    assertThat(again.trustDomain()).isEqualTo(id.trustDomain());
    assertThat(again.path()).isEqualTo(id.path());
    assertThat(again.toString()).isEqualTo(id.toString());
    assertThat(SpiffeId.fromPath(id.trustDomain(), id.path())).isEqualTo(id);
    assertThat(SpiffeId.of(id.trustDomain(), id.segments().toArray(new String[0]))).isEqualTo(id);
  }

  @Property(tries = 300)
  void aCharOutsideTheAllowListIsRejectedAnywhere(@ForAll("ids") SpiffeId id, @ForAll char bad,
      @ForAll("positions") int where) {
    Assume.that(PATH_CHARS.indexOf(bad) < 0 && bad != '/');
    String s = id.toString();
    int start = "spiffe://".length();
    int pos = start + Math.floorMod(where, s.length() - start + 1);
    String mutated = s.substring(0, pos) + bad + s.substring(pos);
    assertThatThrownBy(() -> SpiffeId.parse(mutated)).isInstanceOf(InvalidSpiffeIdException.class);
  }

  @Provide
  Arbitrary<Integer> positions() {
    return Arbitraries.integers().between(0, 10_000);
  }

  @Property(tries = 200)
  void uppercaseTrustDomainsAreAlwaysRejected(@ForAll("trustDomains") String td, @ForAll("positions") int where,
      @ForAll("upper") char upper) {
    int pos = Math.floorMod(where, td.length() + 1);
    String mutated = td.substring(0, pos) + upper + td.substring(pos);
    assertThatThrownBy(() -> TrustDomain.parse(mutated)).isInstanceOf(InvalidSpiffeIdException.class);
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://" + mutated + "/x")).isInstanceOf(InvalidSpiffeIdException.class);
    String upperScheme = "SPIFFE://" + td;
    assertThatThrownBy(() -> SpiffeId.parse(upperScheme)).hasMessage("scheme is missing or invalid");
  }

  @Provide
  Arbitrary<Character> upper() {
    return Arbitraries.chars().range('A', 'Z');
  }

  @Property(tries = 100)
  void arbitraryStringsNeverThrowAnythingButInvalidSpiffeId(@ForAll String s) {
    try {
      SpiffeId id = SpiffeId.parse(s);
      assertThat(id.toString()).isEqualTo(s);
    } catch (InvalidSpiffeIdException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }
}
