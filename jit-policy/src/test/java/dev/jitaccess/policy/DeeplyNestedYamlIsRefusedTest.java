package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for a fuzzing finding (PolicyFuzzTest): a YAML document of about 1,000 to 1,500
 * nested flow collections ({@code [[[...]]]} or <code>{a: {a: ...}}</code>, 3 to 4 KB, far below the
 * 1 MiB limit) makes snakeyaml-engine's recursive Composer overflow the stack, and the
 * {@link StackOverflowError} escapes {@link Policy#parse}, {@link Policy#load},
 * {@link RulePolicy#reload(String, String)} and {@link PolicyTestRunner#run}, which promise a result for
 * any document. The inputs are kept in {@code findings/}; the bug is fixed and this test keeps it fixed.
 */
class DeeplyNestedYamlIsRefusedTest {
  static String finding(String name) {
    try (InputStream in = DeeplyNestedYamlIsRefusedTest.class.getResourceAsStream("findings/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void deeplyNestedPolicyIsInvalidNotAStackOverflow() {
    String yaml = finding("deep-flow-nesting-policy.yaml");
    LoadResult result = Policy.parse("deep.yaml", yaml);
    assertThat(result).isInstanceOf(LoadResult.Invalid.class);
    assertThat(result.diagnostics()).isNotEmpty();
  }

  @Test
  void deeplyNestedFlowMappingsAreInvalidNotAStackOverflow() {
    String yaml = "x: " + "{a: ".repeat(2_000) + "1" + "}".repeat(2_000) + "\n";
    assertThat(Policy.parse("deep.yaml", yaml)).isInstanceOf(LoadResult.Invalid.class);
  }

  @Test
  void reloadRefusesADeeplyNestedPolicyAndKeepsTheCurrentOne() {
    RulePolicy policy = RulePolicy.of(Policy.load(Path.of("src/test/resources/examples/policy.yaml")).orElseThrow());
    String before = policy.version();
    LoadResult result = policy.reload("deep.yaml", finding("deep-flow-nesting-policy.yaml"));
    assertThat(result).isInstanceOf(LoadResult.Invalid.class);
    assertThat(policy.version()).isEqualTo(before);
  }

  @Test
  void deeplyNestedTestTableIsReportedNotAStackOverflow() {
    RulePolicy policy = RulePolicy.of(Policy.load(Path.of("src/test/resources/examples/policy.yaml")).orElseThrow());
    PolicyTestRunner.Report report = PolicyTestRunner.run(policy, "deep.yaml", finding("deep-flow-nesting-table.yaml"));
    assertThat(report.errors()).isNotEmpty();
    assertThat(report.passed()).isFalse();
  }

  @Test
  void deepBlockNestingIsRefusedBeforeParsingWithAClearError() {
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      yaml.append(" ".repeat(i)).append("a:\n");
    }
    LoadResult result = Policy.parse("deep.yaml", yaml.toString());
    assertThat(result).isInstanceOf(LoadResult.Invalid.class);
    assertThat(result.diagnostics().toString()).contains("indented more than 256 columns");
  }

  @Test
  void flowNestingAtTheLimitIsParsedAndOneMoreIsRefused() {
    assertThat(YamlTree.nestingProblem("x: " + "[".repeat(64) + "]".repeat(64))).isNull();
    assertThat(YamlTree.nestingProblem("x: " + "[".repeat(65) + "]".repeat(65))).contains("deeper than 64");
    // brackets inside quoted scalars and comments do not count
    assertThat(YamlTree.nestingProblem("x: '" + "[".repeat(100) + "'\n# " + "{".repeat(100))).isNull();
    // an apostrophe inside plain text is not a quote: brackets after it still count
    assertThat(YamlTree.nestingProblem("x: it's " + "[".repeat(100))).contains("deeper than 64");
  }
}
