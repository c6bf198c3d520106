package dev.jitaccess.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ReplicaBench's JIT_BENCH_POOL: a whole number of connections, 1 or more, or a clear refusal. */
class ReplicaBenchPoolTest {

  @ParameterizedTest
  @ValueSource(strings = {"1", "7", " 8 ", "64"})
  void aWholeNumberOfOneOrMoreIsTheNumberOfConnections(String value) {
    assertThat(ReplicaBench.grantConnections(value)).isEqualTo(Integer.parseInt(value.trim()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "x", "7.5", "", "99999999999"})
  void anythingElseIsRefusedNamingTheVariableAndTheValue(String value) {
    assertThatThrownBy(() -> ReplicaBench.grantConnections(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("JIT_BENCH_POOL")
        .hasMessageEndingWith("got " + value);
  }
}
