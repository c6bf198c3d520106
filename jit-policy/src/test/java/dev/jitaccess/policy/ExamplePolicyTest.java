package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README example: the policy and its test table are the files the README copies. */
class ExamplePolicyTest {
  static final Path POLICY = Path.of("src/test/resources/examples/policy.yaml");
  static final Path TABLE = Path.of("src/test/resources/examples/policy-tests.yaml");

  @Test
  void examplePolicyPassesItsTable() {
    PolicyTestRunner.run(POLICY, TABLE).assertPassed();
  }

  @Test
  void examplePolicyLoadsWithoutWarnings() {
    LoadResult result = Policy.load(POLICY);
    assertThat(result).isInstanceOf(LoadResult.Loaded.class);
    assertThat(result.diagnostics()).isEmpty();
    assertThat(result.orElseThrow().rules()).hasSize(8);
  }
}
