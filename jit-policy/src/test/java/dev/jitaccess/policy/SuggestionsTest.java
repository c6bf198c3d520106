package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The nearest valid name is offered only when it is close; ties resolve the same way in every JVM. */
class SuggestionsTest {
  private static final Set<String> KEYS = Set.of("identity", "purpose", "task", "resource", "actions", "environment",
      "time", "attributes", "risk");
  private static final List<String> EFFECTS = List.of("deny", "allow", "require-approval");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(nullValues = "none", value = {
      "resources, resource", "resourse, resource", "rseource, resource", "Resource, resource", "action, actions",
      "enviroment, environment", "purpse, purpose", "tsak, task", "risky, risk", "zzz, none", "colour, none",
      "x, none", "identityyyy, identity", "identitiesandmore, none"})
  void keys(String input, String expected) {
    assertThat(Suggestions.nearest(input, KEYS)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(nullValues = "none", value = {
      "dny, deny", "Deny, deny", "alow, allow", "allwo, allow", "require_approval, require-approval",
      "requireapproval, require-approval", "zzz, none", "permit, none", "ok, none"})
  void effects(String input, String expected) {
    assertThat(Suggestions.nearest(input, EFFECTS)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource({"abc, abc, 0", "abc, acb, 1", "abc, ab, 1", "abc, abcd, 1", "abc, xbc, 1", "kitten, sitting, 3", ", abc, 3"})
  void distanceCountsInsertionsDeletionsSubstitutionsAndSwaps(String a, String b, int expected) {
    assertThat(Suggestions.distance(a == null ? "" : a, b)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"ab", "ba"})
  void aTieGoesToTheCandidateThatSortsFirstWhateverTheOrderGiven(String first) {
    List<String> candidates = first.equals("ab") ? List.of("ab", "ac") : List.of("ac", "ab");
    assertThat(Suggestions.nearest("aa", candidates)).isEqualTo("ab");
  }

  @ParameterizedTest(name = "[{index}]")
  @CsvSource({"''", "a very long value that is no misspelling of any keyword at all and not even close to one"})
  void emptyAndLongInputsGetNoSuggestion(String input) {
    assertThat(Suggestions.nearest(input, List.of("a", input + "x"))).isNull();
    assertThat(Suggestions.didYouMean(input, List.of("a"))).isEmpty();
  }
}
