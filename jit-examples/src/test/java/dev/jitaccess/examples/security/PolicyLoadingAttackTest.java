package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.policy.Diagnostic;
import dev.jitaccess.policy.LoadResult;
import dev.jitaccess.policy.Policy;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on policy loading: YAML bombs (billion laughs), deep nesting, huge documents, merge keys,
 * recursive aliases, language-specific tags, look-alike identities. Each must be an {@link LoadResult.Invalid}
 * with a clear error (never an exception or error escaping {@code Policy.parse}).
 */
class PolicyLoadingAttackTest {
  private static final String HEAD = "version: 1\nname: attack\nmaxTtl: 1h\n";
  private static final String RULE = "rules:\n  - id: r\n    owner: o\n    description: d\n    effect: allow\n"
      + "    match:\n      identity:\n        id: %s\n      purpose: deploy\n      resource: db://prod\n"
      + "      actions: [read]\n      environment: prod\n";

  @AfterAll
  static void stop() {
    Attacks.report();
  }

  static Map<String, String> documents() {
    Map<String, String> d = new LinkedHashMap<>();
    StringBuilder laughs = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      char p = (char) (c - 1);
      laughs.append(c).append(": &").append(c).append(" [*").append(p);
      for (int i = 0; i < 8; i++) {
        laughs.append(",*").append(p);
      }
      laughs.append("]\n");
    }
    d.put("billion laughs", HEAD + laughs + String.format(RULE, "spiffe://example.org/ci"));
    d.put("billion laughs inside a rule", HEAD + "rules:\n  - id: r\n    owner: o\n    description: d\n    effect: allow\n"
        + "    x: &x [1,1,1,1,1,1,1,1,1,1]\n    y: &y [*x,*x,*x,*x,*x,*x,*x,*x,*x,*x]\n    z: &z [*y,*y,*y,*y,*y,*y,*y,*y,*y,*y]\n"
        + "    w: [*z,*z,*z,*z,*z,*z,*z,*z,*z,*z,*z,*z,*z,*z,*z,*z,*z,*z,*z,*z]\n");
    d.put("recursive alias", HEAD + "rules: &r\n  - *r\n");
    d.put("recursive key", HEAD + "&k [*k]: 1\n");
    // deeper flow nesting overflows the stack (a 1000-deep mapping, 5 KB, did): see FindingsTest#policyDeepFlowNesting
    d.put("flow nesting 100 deep", HEAD + "x: " + "[".repeat(100) + "]".repeat(100) + "\n");
    d.put("flow mapping nesting 100 deep", HEAD + "x: " + "{a: ".repeat(100) + "1" + "}".repeat(100) + "\n");
    StringBuilder block = new StringBuilder(HEAD + "x:\n");
    for (int i = 1; i < 2000; i++) {
      block.append(" ".repeat(i)).append("- \n");
    }
    d.put("block nesting 2000 deep", block.toString());
    d.put("10 MB document", HEAD + "# " + "x".repeat(10 << 20) + "\n");
    d.put("1 MiB + 1 document", HEAD + "# " + "x".repeat((1 << 20) - HEAD.length() - 2) + "\n");
    d.put("merge key", HEAD + "base: &base {effect: allow}\nrules:\n  - id: r\n    owner: o\n    description: d\n    <<: *base\n"
        + "    match: {purpose: deploy, resource: db://prod, actions: [read], environment: prod}\n");
    d.put("java object tag", HEAD + "x: !!java.net.URL [\"http://127.0.0.1/\"]\n" + String.format(RULE, "spiffe://example.org/ci"));
    d.put("custom tag", HEAD + "rules: !!javax.script.ScriptEngineManager []\n");
    d.put("binary tag", HEAD + "name: !!binary AAAA\n" + String.format(RULE, "spiffe://example.org/ci"));
    d.put("duplicate maxTtl", HEAD + "maxTtl: 100h\n" + String.format(RULE, "spiffe://example.org/ci"));
    d.put("duplicate effect in a rule", HEAD + String.format(RULE, "spiffe://example.org/ci").replace("effect: allow\n",
        "effect: deny\n    effect: allow\n"));
    d.put("two documents", HEAD + String.format(RULE, "spiffe://example.org/ci") + "---\n" + HEAD);
    d.put("Cyrillic look-alike trust domain", HEAD + String.format(RULE, "spiffe://ex\u0430mple.org/ci"));
    d.put("upper-case trust domain", HEAD + String.format(RULE, "spiffe://EXAMPLE.org/ci"));
    d.put("fullwidth solidus", HEAD + String.format(RULE, "spiffe://example.org\uFF0Fci"));
    d.put("NUL in an id", HEAD + String.format(RULE, "\"spiffe://example.org/ci\\0\""));
    d.put("percent-encoded path", HEAD + String.format(RULE, "spiffe://example.org/c%69"));
    d.put("scalar of 1 MiB", HEAD + "name: " + "x".repeat(1 << 19) + "\n");
    d.put("maxTtl absurd", "version: 1\nname: attack\nmaxTtl: 99999999999999999999h\n" + String.format(RULE, "spiffe://example.org/ci"));
    d.put("tab indentation", HEAD + "rules:\n\t- id: r\n");
    d.put("BOM and NUL", "\uFEFF" + HEAD + "\u0000");
    return d;
  }

  @TestFactory
  Stream<DynamicTest> maliciousPolicies() {
    return documents().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
      LoadResult r = Policy.parse("attack.yaml", e.getValue());
      assertThat(r).isInstanceOf(LoadResult.Invalid.class);
      String errors = r.diagnostics().stream().map(Diagnostic::toString).collect(Collectors.joining("\n"));
      assertThat(errors).isNotBlank().hasSizeLessThan(100_000);
      Attacks.tried("Policy.parse/load");
    }));
  }

  @Test
  void hundredMegabyteFileIsRefusedBeforeReading(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("huge.yaml");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.write(HEAD.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      f.setLength(100L << 20); // sparse: 100 MB of NULs after the header
    }
    LoadResult r = Policy.load(file);
    assertThat(r).isInstanceOf(LoadResult.Invalid.class);
    assertThat(r.diagnostics().toString()).contains("1 MiB");
    Attacks.tried("Policy.parse/load");
    Path laughs = dir.resolve("laughs.yaml");
    Files.writeString(laughs, documents().get("billion laughs"));
    assertThat(Policy.load(laughs)).isInstanceOf(LoadResult.Invalid.class);
    assertThat(Policy.load(laughs).diagnostics().toString()).containsIgnoringCase("alias");
    Attacks.tried("Policy.parse/load");
    Path link = dir.resolve("dev-zero.yaml");
    try {
      Files.createSymbolicLink(link, Path.of("/dev/zero"));
      assertThat(Policy.load(link)).isInstanceOf(LoadResult.Invalid.class);
      Attacks.tried("Policy.parse/load");
    } catch (UnsupportedOperationException | IOException noSymlinks) {
      // platform without symbolic links
    }
  }
}
