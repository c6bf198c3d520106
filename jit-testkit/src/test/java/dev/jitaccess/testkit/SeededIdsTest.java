package dev.jitaccess.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.spi.IdSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JitTestKit.seededIds: the same seed gives the same ids, in the default's form. */
class SeededIdsTest {

  static List<String> take(IdSource source, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(source.nextId());
    }
    return ids;
  }

  @Test
  void theSameSeedGivesTheSameIds() {
    assertThat(take(JitTestKit.seededIds(7), 20)).isEqualTo(take(JitTestKit.seededIds(7), 20));
  }

  @Test
  void anotherSeedGivesOtherIds() {
    assertThat(take(JitTestKit.seededIds(7), 20)).doesNotContainAnyElementsOf(take(JitTestKit.seededIds(8), 20));
  }

  @Test
  void idsHaveTheDefaultFormAndDoNotRepeat() {
    assertThat(take(JitTestKit.seededIds(7), 1000)).doesNotHaveDuplicates()
        .allMatch(id -> id.length() == 22 && IdSource.FORMAT.matcher(id).matches());
  }
}
