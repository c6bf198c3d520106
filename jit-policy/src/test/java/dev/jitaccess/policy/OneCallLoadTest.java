package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 item 10: a policy loads in one call, and a refused one throws an exception carrying every
 * diagnostic, one per line in its message; {@code LoadResult.Invalid.toString()} is one per line too.
 */
class OneCallLoadTest {
  static final String GOOD = "version: 2\nmaxTtl: 1h\nrules:\n  - id: r\n    owner: o\n    effect: allow\n";
  static final String TWO_ERRORS = "version: 2\nmaxTtl: 1h\nrules:\n  - id: r\n    owner: o\n    effect: permit\n"
      + "  - id: s\n    owner: o\n    effect: allow\n    grant: {maxTtl: 9h}\n";

  @Test
  void aGoodFileLoadsInOneCall(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("policy.yaml"), GOOD);
    assertThat(RulePolicy.load(file).policy().rules()).extracting(Rule::id).containsExactly("r");
    assertThat(RulePolicy.parse("inline.yaml", GOOD).version()).isEqualTo(RulePolicy.load(file).version());
  }

  @Test
  void aBadDocumentThrowsEveryErrorOnePerLine() {
    assertThatThrownBy(() -> RulePolicy.parse("policy.yaml", TWO_ERRORS))
        .isInstanceOf(InvalidPolicyException.class)
        .satisfies(e -> {
          InvalidPolicyException invalid = (InvalidPolicyException) e;
          assertThat(invalid.errors()).hasSizeGreaterThanOrEqualTo(2);
          String[] lines = invalid.getMessage().split("\n");
          assertThat(lines).hasSize(invalid.errors().size() + 1);
          assertThat(lines[0]).startsWith("invalid policy, " + invalid.errors().size() + " error(s):");
          for (int i = 0; i < invalid.errors().size(); i++) {
            assertThat(lines[i + 1]).isEqualTo(invalid.errors().get(i).toString()).startsWith("policy.yaml:");
          }
        });
  }

  @Test
  void aMissingFileThrowsNamingIt(@TempDir Path dir) {
    assertThatThrownBy(() -> RulePolicy.load(dir.resolve("absent.yaml")))
        .isInstanceOf(InvalidPolicyException.class).hasMessageContaining("absent.yaml: error: cannot read file");
    assertThatThrownBy(() -> RulePolicy.load(null)).isInstanceOf(NullPointerException.class).hasMessage("file");
    assertThatThrownBy(() -> RulePolicy.parse(null, GOOD)).isInstanceOf(NullPointerException.class)
        .hasMessage("sourceName");
    assertThatThrownBy(() -> RulePolicy.parse("p", null)).isInstanceOf(NullPointerException.class).hasMessage("yaml");
  }

  @Test
  void anInvalidLoadResultPrintsOneDiagnosticPerLine() {
    LoadResult.Invalid invalid = (LoadResult.Invalid) Policy.parse("policy.yaml", TWO_ERRORS);
    String[] lines = invalid.toString().split("\n");
    assertThat(lines[0]).isEqualTo("Invalid[" + invalid.errors().size() + " error(s), "
        + invalid.warnings().size() + " warning(s)]");
    assertThat(lines).hasSize(invalid.diagnostics().size() + 1);
    assertThat(lines[1]).isEqualTo(invalid.errors().get(0).toString());
  }
}
