package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every validation error with its line and column, every warning, and the document limits. */
class ValidationTableTest {

  /** A valid rule at lines 4-6, followed by {@code extra} lines from line 7. */
  static String doc(String... extra) {
    List<String> lines = new ArrayList<>(List.of("  - id: r", "    owner: o", "    effect: allow"));
    lines.addAll(List.of(extra));
    return rules(lines.toArray(new String[0]));
  }

  /** A policy with a 1h ceiling whose rules list starts at line 4 with {@code lines}. */
  static String rules(String... lines) {
    return "version: 1\nmaxTtl: 1h\nrules:\n" + String.join("\n", lines) + "\n";
  }

  static Arguments row(String yaml, String where, String message) {
    return Arguments.of(yaml, where, message);
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        row(doc("    maxttl: 5m"), "7:5", "rule 'r': unknown key 'maxttl', expected one of [approval, description, effect, grant, id, match, overridable, owner, shadow]"),
        row(doc("    grant:", "      maxTtl: 5 minutes"), "8:15", "bad duration '5 minutes', expected a positive duration"),
        row(doc("    grant:", "      maxTtl: 0s"), "8:15", "duration must be positive, got '0s'"),
        row(doc("    grant:", "      maxTtl: 2h"), "8:15", "rule 'r': maxTtl 2h is above the policy ceiling maxTtl 1h"),
        row(doc("    grant:", "      idleTimeout: 90m"), "8:20", "idleTimeout 1h30m is above the grant's maxTtl 1h"),
        row(doc("    grant:", "      singleUse: true", "      renewable: true"), "9:18", "cannot be both single-use and renewable"),
        row(doc("    grant:", "      maxDelegationDepth: 11"), "8:27", "expected an integer from 0 to 10, got 11"),
        row(doc("    match:", "      identity:", "        id: spiffe://Prod.example.org/ci/*"), "9:13",
            "bad SPIFFE ID pattern 'spiffe://Prod.example.org/ci/*': invalid character 'P' in trust domain"),
        row(doc("    match:", "      identity:", "        id: [spiffe://prod.example.org/ci/*, spiffe://prod.example.org/**/x]"), "9:46",
            "'**' is allowed only as the last path segment"),
        row(doc("    match:", "      identity:", "        id: spiffe://prod.example.org/ci/"), "9:13", "must not end with '/'"),
        row(doc("    match:", "      identity:", "        id: spiffe://prod.example.org/a/../b"), "9:13", "'.' or '..' segments"),
        row(doc("    match:", "      identity:", "        trustDomain: prod.example.org:8443"), "9:22",
            "bad trust domain 'prod.example.org:8443': invalid character ':'"),
        row(doc("    match:", "      identity: {}"), "8:17", "identity: expected at least one of [claims, id, issuer, trustDomain]"),
        row(doc("    match:", "      attributes:", "        ip:", "          cidr: 10.0.0.0/33"), "10:17", "bad CIDR: prefix length 33 is above 32"),
        row(doc("    match:", "      attributes:", "        ip:", "          cidr: [10.0.0.1/8]"), "10:17", "has host bits set (did you mean 10.0.0.0/8?)"),
        row(doc("    match:", "      attributes:", "        ip: {cidr: 'fe80::1%eth0'}"), "9:20", "'fe80::1%eth0' is not an IPv4 or IPv6 address"),
        row(doc("    match:", "      attributes:", "        x: {like: a}"), "9:13", "unknown key 'like', expected one of [cidr, eq, equals, ge, glob, gt, is, le, lt, present]"),
        row(doc("    match:", "      risk: {lt: high}"), "8:18", "risk: lt: expected a number, got the string 'high'"),
        row(doc("    match:", "      risk: {equals: x}"), "8:14", "unknown key 'equals', expected one of [eq, ge, gt, le, lt]"),
        row(doc("    match:", "      time:", "        within:", "          zone: Europe/Berln", "          days: MON-FRI"), "10:17",
            "rule 'r': within: time window: zone: unknown time zone 'Europe/Berln' (did you mean 'Europe/Berlin'?), expected a region id"),
        row(doc("    match:", "      time:", "        within:", "          zone: UTC", "          days: MON-FRY"), "11:17",
            "bad day 'FRY' (did you mean 'FRI'?), expected MON, TUE, WED, THU, FRI, SAT or SUN"),
        row(doc("    match:", "      time:", "        within: {zone: UTC, days: MON, hours: 8-18}"), "9:47", "bad hours '8-18', expected HH:MM-HH:MM"),
        row(doc("    match:", "      time:", "        within: office"), "9:17", "unknown time window 'office'"),
        row(doc("    match:", "      time:", "        from: 2025-02-01", "        until: 2025-01-01"), "10:16", "until 2025-01-01T00:00:00Z must be after from"),
        row(doc("    match:", "      time:", "        from: yesterday"), "9:15", "bad date 'yesterday'"),
        row(doc("    match:", "      actions: []"), "8:16", "actions: expected at least one value, got an empty list"),
        row(doc("    match:", "      environment: {prod: true}"), "8:20", "environment: expected a string or a list of strings, got a mapping"),
        row(doc("  - id: r", "    owner: o", "    effect: deny"), "7:9", "duplicate rule id 'r' (first defined at line 4)"),
        row(doc("    owner: p"), "7:5", "duplicate key 'owner' (first at line 5)"),
        row(doc("    overridable: yes"), "7:18", "overridable: expected true or false, got the string 'yes'"),
        row(doc("    overridable: true"), "7:5", "only deny and require-approval rules can be overridable"),
        row(doc("    approval:", "      group: g"), "7:5", "'approval' is only for effect require-approval"),
        row(doc("    description: !!binary aGk="), "7:18", "expected a string, got a value with unsupported tag"),
        row(rules("  - id: r", "    owner: o", "    effect: deny", "    grant:", "      maxTtl: 5m"),
            "7:5", "a deny rule grants nothing: remove 'grant'"),
        row(rules("  - id: r", "    owner: o", "    effect: require-approval"), "6:13",
            "effect require-approval needs an 'approval' block"),
        row(rules("  - id: r", "    owner: o", "    effect: require-approval", "    approval:", "      group: g", "      approvals: 0", "      timeout: 10m"),
            "9:18", "approvals: expected an integer from 1 to 100, got 0"),
        row(rules("  - id: r", "    owner: o", "    effect: require-approval", "    approval:", "      group: g"),
            "8:7", "approval: missing key 'approvals'"),
        row(rules("  - id: r", "    owner: o", "    effect: permit"), "6:13", "effect 'permit' is unknown, expected deny, allow or require-approval"),
        row(rules("  - id: r", "    effect: allow"), "4:5", "rule 'r': missing key 'owner'"),
        row(rules("  - id: 'r 1'", "    owner: o", "    effect: allow"), "4:9", "bad rule id 'r 1'"),
        row(rules("  - owner: o", "    effect: allow"), "4:5", "rule #1: missing key 'id'"),
        row("version: 3\nmaxTtl: 1h\nrules: []\n", "1:10", "version: expected an integer from 1 to 2, got 3"),
        row("version: 1\nrules: []\n", "1:1", "missing key 'maxTtl'"),
        row("version: 1\nmaxTtl: 48h\nrules: []\n", "2:9", "maxTtl must be between 1s and 24h"),
        row("version: 1\nmaxTtl: 1h\n", "1:1", "missing key 'rules'"),
        row("version: 1\nmaxTtl: 1h\nrules: {}\n", "3:8", "rules: expected a list, got a mapping"),
        row("- a\n- b\n", "1:1", "policy: expected a mapping, got a list"),
        row("version: 1\nmaxTtl: 1h\nrules: [\n", "4:1", "YAML syntax error"),
        row(rules("  - id: r", "   owner: o"), "5:4", "YAML syntax error: while parsing a block collection"),
        row("version: 1\nmaxTtl: 1h\ntimeWindows:\n  w: {zone: Mars/Olympus, days: MON}\nrules: []\n", "4:13", "unknown time zone 'Mars/Olympus'"),
        row(rules("  - *nothing"), "4:5", "found undefined alias"));
  }

  @ParameterizedTest(name = "[{index}] {1} {2}")
  @MethodSource("errors")
  void everyErrorHasItsLineAndColumn(String yaml, String where, String message) {
    LoadResult r = Policy.parse("policy.yaml", yaml);
    assertThat(r).isInstanceOf(LoadResult.Invalid.class);
    List<Diagnostic> errors = ((LoadResult.Invalid) r).errors();
    assertThat(errors)
        .as("errors: %s", errors)
        .anySatisfy(d -> {
          assertThat(d.line() + ":" + d.column()).isEqualTo(where);
          assertThat(d.message()).contains(message);
          assertThat(d.source()).isEqualTo("policy.yaml");
          assertThat(d.severity()).isEqualTo(Diagnostic.Severity.ERROR);
        });
  }

  /** A misspelt key or value, and the suggestion it gets: the nearest valid one, only when it is close. */
  static Stream<Arguments> misspellings() {
    return Stream.of(
        Arguments.of(doc("    match: {resources: x}"), "unknown key 'resources' (did you mean 'resource'?), expected one of"),
        Arguments.of(doc("    match: {action: read}"), "unknown key 'action' (did you mean 'actions'?), expected one of"),
        Arguments.of(doc("    match: {zzz: 1}"), "unknown key 'zzz', expected one of"),
        Arguments.of(doc("    ownr: p"), "unknown key 'ownr' (did you mean 'owner'?)"),
        Arguments.of(doc("    Shadow: true"), "unknown key 'Shadow' (did you mean 'shadow'?)"),
        Arguments.of(doc("    efect: deny"), "unknown key 'efect' (did you mean 'effect'?)"),
        Arguments.of(doc("    grant: {maxTTL: 5m}"), "unknown key 'maxTTL' (did you mean 'maxTtl'?)"),
        Arguments.of(doc("    grant: {singelUse: true}"), "unknown key 'singelUse' (did you mean 'singleUse'?)"),
        Arguments.of(doc("    match: {attributes: {x: {glbo: a}}}"), "unknown key 'glbo' (did you mean 'glob'?)"),
        Arguments.of(doc("    match: {risk: {lte: 5}}"), "unknown key 'lte' (did you mean 'le'?)"),
        Arguments.of(rules("  - {id: r, owner: o, effect: dny}"), "effect 'dny' is unknown (did you mean 'deny'?), expected"),
        Arguments.of(rules("  - {id: r, owner: o, effect: alow}"), "effect 'alow' is unknown (did you mean 'allow'?)"),
        Arguments.of(rules("  - {id: r, owner: o, effect: require_approval}"),
            "effect 'require_approval' is unknown (did you mean 'require-approval'?)"),
        Arguments.of(rules("  - {id: r, owner: o, effect: zzz}"), "effect 'zzz' is unknown, expected deny, allow or require-approval"),
        Arguments.of(rules("  - {id: r, owner: o, effect: permit}"), "effect 'permit' is unknown, expected"),
        Arguments.of(doc("    match: {time: {within: {zone: UTC, days: Mondy}}}"), "bad day 'Mondy' (did you mean 'MONDAY'?)"),
        Arguments.of(doc("    match: {time: {within: {zone: Europe/Pariss, days: MON}}}"),
            "unknown time zone 'Europe/Pariss' (did you mean 'Europe/Paris'?)"),
        Arguments.of("version: 1\nmaxTtl: 1h\ntimeWindows:\n  office: {zone: UTC, days: MON}\nrules:\n"
            + "  - {id: r, owner: o, effect: allow, match: {time: {within: ofice}}}\n",
            "unknown time window 'ofice' (did you mean 'office'?)"),
        Arguments.of("version: 1\nmaxTtl: 1h\nrule: []\n", "policy: unknown key 'rule' (did you mean 'rules'?)"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("misspellings")
  void aMisspellingGetsTheNearestValidNameOnlyWhenItIsClose(String yaml, String message) {
    LoadResult.Invalid r = (LoadResult.Invalid) Policy.parse("typo.yaml", yaml);
    assertThat(r.errors()).extracting(Diagnostic::message).anySatisfy(m -> assertThat(m).contains(message));
    if (!message.contains("did you mean")) {
      assertThat(r.errors()).extracting(Diagnostic::message).noneMatch(m -> m.contains("did you mean"));
    }
  }

  @Test
  void anUnknownEffectDoesNotHideTheRulesOtherErrors() {
    LoadResult.Invalid r = (LoadResult.Invalid) Policy.parse("e.yaml", rules(
        "  - id: ci-reads", "    owner: o", "    effect: alow", "    match: {resource: 'x\\'}",
        "    approval: {group: g, approvals: 0, timeout: 1m}", "    grant: {maxTtl: 5 minutes, renewable: maybe}"));
    assertThat(r.errors()).extracting(Diagnostic::toString).containsExactly(
        "e.yaml:6:13: error: rule 'ci-reads': effect 'alow' is unknown (did you mean 'allow'?), expected deny, allow or require-approval",
        "e.yaml:7:23: error: rule 'ci-reads': resource: a glob pattern must not end with a lone backslash: 'x\\'",
        "e.yaml:8:37: error: rule 'ci-reads': approvals: expected an integer from 1 to 100, got 0",
        "e.yaml:9:21: error: rule 'ci-reads': maxTtl: bad duration '5 minutes', expected a positive duration such as 90s, 15m, 1h30m, 2d or PT15M",
        "e.yaml:9:43: error: rule 'ci-reads': renewable: expected true or false, got the string 'maybe'");
  }

  @Test
  void aMissingEffectOrIdDoesNotHideTheRulesOtherErrors() {
    LoadResult.Invalid r = (LoadResult.Invalid) Policy.parse("m.yaml", rules(
        "  - id: ci-reads", "    owner: o", "    grant: {idleTimeout: soon}",
        "  - owner: o", "    effect: allow", "    colour: red"));
    assertThat(r.errors()).extracting(Diagnostic::toString).containsExactly(
        "m.yaml:4:5: error: rule 'ci-reads': missing key 'effect', expected deny, allow or require-approval",
        "m.yaml:6:26: error: rule 'ci-reads': idleTimeout: bad duration 'soon', expected a positive duration such as 90s, 15m, 1h30m, 2d or PT15M",
        "m.yaml:7:5: error: rule #2: missing key 'id'",
        "m.yaml:9:5: error: rule #2: unknown key 'colour', expected one of [approval, description, effect, grant, id, match, overridable, owner, shadow]");
  }

  @Test
  void reportsEveryErrorNotJustTheFirst() {
    String yaml = "version: 1\nmaxTtl: 1h\nrules:\n"
        + "  - id: a\n    owner: o\n    effect: allow\n    grant: {maxTtl: 3h}\n"
        + "  - id: b\n    owner: o\n    effect: alow\n"
        + "  - id: a\n    owner: o\n    effect: deny\n    colour: red\n";
    LoadResult.Invalid r = (LoadResult.Invalid) Policy.parse("multi.yaml", yaml);
    assertThat(r.errors()).extracting(Diagnostic::toString).containsExactly(
        "multi.yaml:7:21: error: rule 'a': maxTtl 3h is above the policy ceiling maxTtl 1h",
        "multi.yaml:10:13: error: rule 'b': effect 'alow' is unknown (did you mean 'allow'?), expected deny, allow or require-approval",
        "multi.yaml:11:9: error: rule 'a': duplicate rule id 'a' (first defined at line 4)",
        "multi.yaml:14:5: error: rule 'a': unknown key 'colour', expected one of [approval, description, effect, grant, id, match, overridable, owner, shadow]");
    assertThatThrownBy(r::orElseThrow).isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("4 error(s)").hasMessageContaining("multi.yaml:10:13");
  }

  @Test
  void refusesDocumentsLargerThanOneMebibyte() {
    String big = "version: 1\nmaxTtl: 1h\nrules: []\n# " + "x".repeat(YamlTree.MAX_BYTES) + "\n";
    LoadResult.Invalid r = (LoadResult.Invalid) Policy.parse("big.yaml", big);
    assertThat(r.errors()).extracting(Diagnostic::toString)
        .containsExactly("big.yaml: error: document refused: larger than 1048576 bytes (1 MiB)");
  }

  @Test
  void refusesLargeFilesWithoutReadingThemWhole(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("huge.yaml");
    Files.write(file, new byte[YamlTree.MAX_BYTES * 3]);
    LoadResult.Invalid r = (LoadResult.Invalid) Policy.load(file);
    assertThat(r.errors().get(0).message()).isEqualTo("document refused: larger than 1048576 bytes (1 MiB)");
  }

  @Test
  void refusesInvalidUtf8(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28});
    assertThat(((LoadResult.Invalid) Policy.load(file)).errors().get(0).message()).contains("not valid UTF-8");
  }

  @Test
  void refusesMissingFiles(@TempDir Path dir) {
    assertThat(((LoadResult.Invalid) Policy.load(dir.resolve("nope.yaml"))).errors().get(0).message())
        .startsWith("cannot read file: NoSuchFileException");
  }

  @Test
  void refusesAliasBombs() {
    StringBuilder sb = new StringBuilder("version: 1\nmaxTtl: 1h\nx0: &a0 [l, l, l, l, l, l, l, l, l]\n");
    for (int i = 1; i < 10; i++) {
      sb.append("x").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 9; j++) {
        sb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      sb.append("]\n");
    }
    LoadResult.Invalid r = (LoadResult.Invalid) Policy.parse("bomb.yaml", sb.toString());
    assertThat(r.errors()).extracting(Diagnostic::message)
        .containsExactly("document refused: more than 10 aliases to collections (a YAML alias bomb?)");
  }

  @Test
  void recursiveStructuresAreRefusedNotFollowed() {
    LoadResult r = Policy.parse("rec.yaml", "version: 1\nmaxTtl: 1h\nrules: &r [*r]\n");
    assertThat(r).isInstanceOf(LoadResult.Invalid.class);
    assertThat(((LoadResult.Invalid) r).errors().get(0).message()).contains("expected a mapping, got a list");
    LoadResult keys = Policy.parse("reckey.yaml", "&k {*k: 1}\n");
    assertThat(keys).isInstanceOf(LoadResult.Invalid.class);
  }

  @Test
  void emptyDocumentIsAnError() {
    assertThat(((LoadResult.Invalid) Policy.parse("empty.yaml", "# nothing\n")).errors().get(0).message())
        .isEqualTo("the document is empty");
  }

  @Test
  void warnsAboutRulesThatCanNeverMatchOrAreShadowedByADeny() {
    String yaml = "version: 1\nmaxTtl: 1h\nrules:\n"
        + "  - id: never\n    owner: o\n    effect: allow\n    match: {actions: write}\n    grant: {actions: read}\n"
        + "  - id: hidden\n    owner: o\n    effect: allow\n    match: {environment: prod, purpose: deploy}\n"
        + "  - id: no-prod\n    owner: o\n    effect: deny\n    match: {environment: [prod, staging]}\n"
        + "  - id: soft-hidden\n    owner: o\n    effect: allow\n    match: {environment: dev}\n"
        + "  - id: no-dev\n    owner: o\n    effect: deny\n    overridable: true\n    match: {environment: dev}\n"
        + "  - id: visible\n    owner: o\n    effect: allow\n    match: {environment: qa}\n";
    LoadResult.Loaded r = (LoadResult.Loaded) Policy.parse("warn.yaml", yaml);
    assertThat(r.warnings()).extracting(Diagnostic::toString).containsExactly(
        "warn.yaml:4:5: warning: rule 'never': can never match: its actions [write] and its granted actions [read] do not overlap",
        "warn.yaml:9:5: warning: rule 'hidden': shadowed by hard deny rule 'no-prod': it can never take effect",
        "warn.yaml:17:5: warning: rule 'soft-hidden': shadowed by deny rule 'no-dev': it can only take effect for break-glass requests");
  }

  @Test
  void warnsAboutAnEmptyPolicy() {
    LoadResult.Loaded r = (LoadResult.Loaded) Policy.parse("e.yaml", "version: 1\nmaxTtl: 1h\nrules: []\n");
    assertThat(r.warnings()).extracting(Diagnostic::toString)
        .containsExactly("e.yaml:3:8: warning: the policy has no rules: every request is denied");
  }
}
