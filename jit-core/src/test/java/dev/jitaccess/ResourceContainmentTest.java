package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A sub-grant's resource must be its parent's or a plain path below it (white-box on the broker). */
class ResourceContainmentTest {
  static final String PARENT = "https://api.example.org/orders";

  @ParameterizedTest
  @ValueSource(strings = {PARENT, PARENT + "/991", PARENT + "/991/items", PARENT + "/a.b", PARENT + "/.well"})
  void plainPathsBelowTheParentAreWithin(String resource) {
    assertThat(Delegation.isWithin(resource, PARENT)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "https://api.example.org/admin", PARENT + "-evil", PARENT + "evil", PARENT + "/", PARENT + "//x",
      PARENT + "/../admin", PARENT + "/./x", PARENT + "/x/..", PARENT + "/%2e%2e/admin", PARENT + "/x%2Fy",
      PARENT + "/..\\admin", PARENT + "/x?admin=1", PARENT + "/x#frag", "https://api.example.org/order"})
  void anythingThatCouldClimbOutIsNot(String resource) {
    assertThat(Delegation.isWithin(resource, PARENT)).isFalse();
  }
}
