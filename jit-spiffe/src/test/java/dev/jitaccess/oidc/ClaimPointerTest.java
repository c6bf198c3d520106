package dev.jitaccess.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimPointerTest {
  static final Map<String, Object> CLAIMS = Map.of(
      "kubernetes.io", Map.of("namespace", "ci", "pod", Map.of("name", "p-1")),
      "a/b", "slash",
      "t~x", "tilde",
      "", "empty",
      "list", List.of("x"));

  @Test
  void plainNamesAreTopLevelClaimsEvenWithDots() {
    assertThat(ClaimPointer.parse("kubernetes.io", "c").resolve(CLAIMS)).isInstanceOf(Map.class);
    assertThat(ClaimPointer.parse("kubernetes.io.namespace", "c").resolve(CLAIMS)).isNull();
    assertThat(ClaimPointer.parse("a/b", "c").resolve(CLAIMS)).isEqualTo("slash");
  }

  @Test
  void pointersWalkNestedObjects() {
    assertThat(ClaimPointer.parse("/kubernetes.io/namespace", "c").resolve(CLAIMS)).isEqualTo("ci");
    assertThat(ClaimPointer.parse("/kubernetes.io/pod/name", "c").resolve(CLAIMS)).isEqualTo("p-1");
    assertThat(ClaimPointer.parse("/a~1b", "c").resolve(CLAIMS)).isEqualTo("slash");
    assertThat(ClaimPointer.parse("/t~0x", "c").resolve(CLAIMS)).isEqualTo("tilde");
    assertThat(ClaimPointer.parse("/", "c").resolve(CLAIMS)).isEqualTo("empty");
  }

  @Test
  void missingStepsAndArraysResolveToNothing() {
    assertThat(ClaimPointer.parse("/kubernetes.io/namespace/x", "c").resolve(CLAIMS)).isNull();
    assertThat(ClaimPointer.parse("/kubernetes.io/nope", "c").resolve(CLAIMS)).isNull();
    assertThat(ClaimPointer.parse("/list/0", "c").resolve(CLAIMS)).isNull();
  }

  @Test
  void badPointersAreRefused() {
    assertThatThrownBy(() -> ClaimPointer.parse("/a~", "claim")).hasMessageContaining("not a valid JSON Pointer");
    assertThatThrownBy(() -> ClaimPointer.parse("/a~2", "claim")).hasMessageContaining("not a valid JSON Pointer");
    assertThatThrownBy(() -> ClaimPointer.parse(null, "claim")).isInstanceOf(NullPointerException.class)
        .hasMessage("claim");
  }
}
