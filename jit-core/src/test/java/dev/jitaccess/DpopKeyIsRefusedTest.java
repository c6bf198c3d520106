package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Regression test for a fuzzing finding (GrantTokenFuzzTest, with Nimbus instrumented): text that
 * Nimbus's lenient JSON parser reads as JSON {@code null} (such as {@code null:null"} or {@code null})
 * makes {@link GrantRequest.Builder#dpopKey} throw a {@link NullPointerException} without a message from
 * inside Nimbus, instead of the documented {@link IllegalArgumentException}. The fuzzer's input is kept
 * in {@code findings/dpop-key-json-null.txt}; the bug is fixed and this test keeps it fixed.
 */
class DpopKeyIsRefusedTest {
  @Test
  void jsonNullIsRefusedWithIllegalArgumentException() {
    for (String key : new String[] {"null", "null:null\"", " null "}) {
      assertThatThrownBy(() -> Fixtures.request(Fixtures.DEPLOYER).taskId("t").ttl(Duration.ofMinutes(1)).dpopKey(key))
          .as(key).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
