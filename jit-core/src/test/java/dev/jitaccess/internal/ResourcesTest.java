package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 14 #6: the one resource-containment rule accepts plain path segments only. */
class ResourcesTest {
  static final String PARENT = "https://api.example.org/orders";

  @ParameterizedTest
  @ValueSource(strings = {PARENT, PARENT + "/991", PARENT + "/991/items", PARENT + "/a.b", PARENT + "/.well",
      PARENT + "/v1:batch", PARENT + "/a-b_c~d", PARENT + "/user@x", PARENT + "/k=v,w+x"})
  void plainSegmentsBelowTheParentAreWithin(String resource) {
    assertThat(Resources.isWithin(resource, PARENT)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // the material: path parameters and full-width dots and slash
      PARENT + "/..;/admin", PARENT + "/..;jsessionid=x/admin", PARENT + "/\uFF0F\uFF0E\uFF0E/admin",
      PARENT + "/\uFF0E\uFF0E/admin", PARENT + "/x;y",
      // climbing, encodings, separators
      PARENT + "/../admin", PARENT + "/./x", PARENT + "/x/..", PARENT + "/...", PARENT + "/%2e%2e/admin",
      PARENT + "/x%2Fy", PARENT + "/..\\admin", PARENT + "/x?admin=1", PARENT + "/x#frag", PARENT + "/",
      PARENT + "//x", PARENT + "/x/", PARENT + "/caf\u00e9", PARENT + "/a b", PARENT + "/a\tb", PARENT + "/a\u0000b",
      // not below the parent at all
      "https://api.example.org/admin", PARENT + "-evil", PARENT + "evil", "https://api.example.org/order",
      "HTTPS://api.example.org/orders/x"})
  void anythingThatCouldClimbOutOrBeReinterpretedIsNot(String resource) {
    assertThat(Resources.isWithin(resource, PARENT)).isFalse();
  }

  @Test
  void anEmptyParentContainsNothingElse() {
    assertThat(Resources.isWithin("/x", "")).isFalse();
    assertThat(Resources.isWithin("", "")).isTrue();
  }

  @Test
  void nullsAreRefusedByName() {
    assertThatThrownBy(() -> Resources.isWithin(null, PARENT)).isInstanceOf(NullPointerException.class)
        .hasMessage("resource");
    assertThatThrownBy(() -> Resources.isWithin(PARENT, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("parent");
  }
}
