package dev.jitaccess.policy;

import static dev.jitaccess.policy.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Decision;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 14 #11: every policy glob is the project's one glob, so {@code *} stays within one segment and
 * {@code **} crosses segments, in claim conditions, resources, tasks and non-SPIFFE identity patterns; a
 * version 1 document is warned about every pattern whose meaning changed.
 */
class GlobStaysWithinASegmentTest {

  private static String doc(int version, String match) {
    return "version: " + version + "\nmaxTtl: 1h\nrules:\n"
        + "  - id: release-deploy\n"
        + "    owner: platform\n"
        + "    effect: allow\n"
        + "    match:\n"
        + match;
  }

  private static final String RELEASE_REF = "      identity:\n        claims:\n"
      + "          ref: {glob: \"refs/heads/release/*\"}\n";

  private static Decision decide(String yaml, Requests r) {
    return RulePolicy.of(Policy.parse("policy.yaml", yaml).orElseThrow()).evaluate(r.context());
  }

  @Test
  void releaseBranchGlobDoesNotMatchABranchBelowIt() {
    String yaml = doc(2, RELEASE_REF);
    assertThat(decide(yaml, request().claim("ref", "refs/heads/release/x/unprotected")))
        .isInstanceOf(Decision.Deny.class);
    assertThat(decide(yaml, request().claim("ref", "refs/heads/release/2.0"))).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void doubleStarCrossesSegments() {
    String yaml = doc(2, "      identity:\n        claims:\n          ref: {glob: \"refs/heads/release/**\"}\n");
    assertThat(decide(yaml, request().claim("ref", "refs/heads/release/x/y"))).isInstanceOf(Decision.Allow.class);
  }

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource({
    "https://r1.example.org/*, https://r1.example.org/reports, true",
    "https://r1.example.org/*, https://r1.example.org/reports/2024, false",
    "https://r1.example.org/**, https://r1.example.org/reports/2024, true",
  })
  void resourceGlobsUseTheOneGlob(String pattern, String resource, boolean allowed) {
    Rule allow = Rule.builder("r").owner("o").allow().resources(pattern).build();
    Decision d = RulePolicy.of(Policy.builder().maxTtl(java.time.Duration.ofHours(1)).rules(List.of(allow)).build())
        .evaluate(request().resource(resource).context());
    assertThat(d instanceof Decision.Allow).isEqualTo(allowed);
  }

  @Test
  void aDenyOnATaskGlobCoversOnlyItsSegment() {
    Rule allow = Rule.builder("a").owner("o").allow().build();
    Rule deny = Rule.builder("d").owner("o").deny().taskIds("prod/*").build();
    RulePolicy p = RulePolicy.of(Policy.builder().maxTtl(java.time.Duration.ofHours(1)).rules(List.of(allow, deny))
        .build());
    assertThat(p.evaluate(request().task("prod/1").context())).isInstanceOf(Decision.Deny.class);
    assertThat(p.evaluate(request().task("prod/eu/1").context())).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void nonSpiffeIdentityPatternsStayWithinASegment() {
    Rule allow = Rule.builder("a").owner("o").allow().identityIds("repo:example/*").build();
    RulePolicy p = RulePolicy.of(Policy.builder().maxTtl(java.time.Duration.ofHours(1)).rules(List.of(allow)).build());
    assertThat(p.evaluate(request().id("repo:example/app").context())).isInstanceOf(Decision.Allow.class);
    assertThat(p.evaluate(request().id("repo:example/app/evil").context())).isInstanceOf(Decision.Deny.class);
  }

  @Test
  void versionOneDocumentsAreWarnedAboutEveryChangedPatternWithFileLineAndRule() {
    LoadResult r = Policy.parse("policy.yaml", doc(1, RELEASE_REF
        + "      resource: [\"https://r1.example.org/*\", \"https://r2.example.org/**\"]\n"
        + "      task: \"build-?\"\n"));
    assertThat(r).isInstanceOf(LoadResult.Loaded.class);
    List<String> warnings = r.diagnostics().stream().map(Diagnostic::toString).toList();
    assertThat(warnings).containsExactly(
        "policy.yaml:10:23: warning: rule 'release-deploy': claims 'ref': glob: 'refs/heads/release/*': its meaning"
            + " changed: '*' no longer matches '/'; in every glob '*' stays within one segment and '**' crosses"
            + " segments, as in SPIFFE ID patterns; write 'refs/heads/release/**' for the old meaning, or declare"
            + " version: 2 to confirm the new one",
        "policy.yaml:11:18: warning: rule 'release-deploy': resource: 'https://r1.example.org/*': its meaning changed:"
            + " '*' no longer matches '/'; in every glob '*' stays within one segment and '**' crosses segments, as"
            + " in SPIFFE ID patterns; write 'https://r1.example.org/**' for the old meaning, or declare version: 2"
            + " to confirm the new one",
        "policy.yaml:12:13: warning: rule 'release-deploy': task: 'build-?': its meaning changed: '?' no longer"
            + " matches '/'; in every glob '*' stays within one segment and '**' crosses segments, as in SPIFFE ID"
            + " patterns, or declare version: 2 to confirm the new one");
  }

  @Test
  void versionTwoDocumentsConfirmTheOneGlobWithoutWarnings() {
    LoadResult r = Policy.parse("policy.yaml", doc(2, RELEASE_REF + "      resource: \"https://r1.example.org/*\"\n"));
    assertThat(r).isInstanceOf(LoadResult.Loaded.class);
    assertThat(r.diagnostics()).isEmpty();
  }

  @Test
  void spiffePatternsAndDoubleStarsKeepTheirMeaningAndAreNotWarnedAbout() {
    LoadResult r = Policy.parse("policy.yaml", doc(1, "      identity:\n        id: spiffe://prod.example.org/ci/*\n"
        + "      resource: \"https://r1.example.org/**\"\n"));
    assertThat(r.diagnostics()).isEmpty();
  }

  @Test
  void aLoneTrailingBackslashIsAnErrorAtItsPosition() {
    LoadResult r = Policy.parse("policy.yaml", doc(2, "      resource: 'https://r1.example.org/\\'\n"));
    assertThat(r).isInstanceOf(LoadResult.Invalid.class);
    assertThat(r.diagnostics()).extracting(Diagnostic::toString).containsExactly(
        "policy.yaml:8:17: error: rule 'release-deploy': resource: a glob pattern must not end with a lone backslash:"
            + " 'https://r1.example.org/\\'");
    assertThatThrownBy(() -> AttributeCondition.glob("ref", "refs\\")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void versionsOtherThanOneAndTwoAreRefused() {
    assertThat(Policy.parse("policy.yaml", doc(3, RELEASE_REF))).isInstanceOf(LoadResult.Invalid.class);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "a*b|true", "a**b|false", "a***b|false", "a?b|true", "a\\*b|true", "exact|false", "**|false", "*|true"})
  void meaningChangedForSingleStarsQuestionMarksAndBackslashes(String pattern, boolean changed) {
    assertThat(GlobMigration.change(pattern) != null).isEqualTo(changed);
  }
}
