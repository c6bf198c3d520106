package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzzes the YAML policy loader and the policy test-table runner with arbitrary text. The contract:
 * {@link Policy#parse} returns {@link LoadResult.Loaded} or {@link LoadResult.Invalid} with at least one
 * error diagnostic (never throws, never null, never hangs: documents are capped at 1 MiB and aliases to
 * collections at 10), a loaded policy compiles into a {@link RulePolicy} and parsing is deterministic
 * (same version twice); {@link PolicyTestRunner#run(dev.jitaccess.spi.PolicyEvaluator, String, String)}
 * returns a report whose errors are error diagnostics, never throwing. Diagnostics have a message and a
 * position that is not negative. Hangs are caught when fuzzing by libFuzzer's per-input timeout (see
 * FUZZING.md).
 */
class PolicyFuzzTest {
  /** The example policy (src/test/resources/examples) that test tables run against. */
  static final RulePolicy EXAMPLE = RulePolicy.of(Policy.load(Path.of("src/test/resources/examples/policy.yaml")).orElseThrow());

  @FuzzTest(maxDuration = "2m")
  void policyDocumentsLoadOrListTheirErrors(byte[] input) {
    String yaml = new String(input, StandardCharsets.UTF_8);
    LoadResult result = load(yaml);
    if (result instanceof LoadResult.Invalid invalid) {
      assertThat(invalid.errors()).as("an Invalid result without errors").isNotEmpty();
      assertThat(invalid.errors()).allSatisfy(d -> assertThat(d.severity()).isEqualTo(Diagnostic.Severity.ERROR));
      checkDiagnostics(invalid.diagnostics());
      return;
    }
    LoadResult.Loaded loaded = (LoadResult.Loaded) result;
    Policy policy = loaded.policy();
    assertThat(policy.rules().size()).isBetween(0, Policy.MAX_RULES);
    assertThat(policy.version()).isNotBlank();
    assertThat(loaded.warnings()).allSatisfy(d -> assertThat(d.severity()).isEqualTo(Diagnostic.Severity.WARNING));
    checkDiagnostics(loaded.warnings());
    try {
      assertThat(RulePolicy.of(policy)).isNotNull();
    } catch (RuntimeException | Error e) {
      throw new AssertionError("a loaded policy does not compile: " + e, e);
    }
    LoadResult again = load(yaml);
    assertThat(again).isInstanceOf(LoadResult.Loaded.class);
    assertThat(((LoadResult.Loaded) again).policy().version()).as("version of the same document").isEqualTo(policy.version());
  }

  @FuzzTest(maxDuration = "2m")
  void policyTestTablesRunOrListTheirErrors(byte[] input) {
    String table = new String(input, StandardCharsets.UTF_8);
    PolicyTestRunner.Report report;
    try {
      report = PolicyTestRunner.run(EXAMPLE, "fuzz.yaml", table);
    } catch (RuntimeException | Error e) {
      throw new AssertionError("PolicyTestRunner.run threw " + e, e);
    }
    assertThat(report).isNotNull();
    assertThat(report.errors()).allSatisfy(d -> assertThat(d.severity()).isEqualTo(Diagnostic.Severity.ERROR));
    checkDiagnostics(report.errors());
    assertThat(report.cases()).allSatisfy(c -> {
      assertThat(c.name()).isNotNull();
      assertThat(c.problems()).isNotNull();
    });
    assertThat(report.passed()).isEqualTo(report.errors().isEmpty() && !report.cases().isEmpty() && report.failures().isEmpty());
    assertThat(report.toString()).isNotNull();
  }

  private static LoadResult load(String yaml) {
    LoadResult result;
    try {
      result = Policy.parse("fuzz.yaml", yaml);
    } catch (RuntimeException | Error e) {
      throw new AssertionError("Policy.parse threw " + e, e);
    }
    assertThat(result).as("Policy.parse returned null").isNotNull();
    return result;
  }

  private static void checkDiagnostics(List<Diagnostic> diagnostics) {
    for (Diagnostic d : diagnostics) {
      assertThat(d.message()).as("diagnostic message").isNotBlank();
      assertThat(d.line()).isNotNegative();
      assertThat(d.column()).isNotNegative();
      assertThat(d.source()).isEqualTo("fuzz.yaml");
    }
  }
}
