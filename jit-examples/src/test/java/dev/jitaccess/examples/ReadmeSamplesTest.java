package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README samples cannot rot: every {@code ```java} block of README.md must appear, line for line
 * (indentation and blank lines aside), as a contiguous run in a .java file under some module's src/, and
 * every {@code ```yaml} block in a .yaml file there.
 */
class ReadmeSamplesTest {

  /** A fenced code block of a Markdown file. */
  record Block(String language, int line, List<String> lines) {}

  @Test
  void everyJavaAndYamlBlockOfTheReadmeIsCodeTheBuildCompilesOrLoads() throws IOException {
    Path root = repositoryRoot();
    List<Block> blocks = blocks(Files.readAllLines(root.resolve("README.md"), StandardCharsets.UTF_8));
    Map<String, List<List<String>>> sources = Map.of(
        "java", sourceFiles(root, ".java"),
        "yaml", sourceFiles(root, ".yaml"));
    assertThat(sources.get("java")).isNotEmpty();
    List<String> rotten = new ArrayList<>();
    for (Block block : blocks) {
      List<List<String>> candidates = sources.get(block.language());
      if (candidates == null) {
        continue; // bash, text diagrams, xml: not checked
      }
      if (candidates.stream().noneMatch(file -> containsRun(file, normalise(block.lines())))) {
        rotten.add("README.md:" + block.line() + ": ```" + block.language()
            + " block is not a copy of any " + block.language() + " file under */src/");
      }
    }
    assertThat(rotten).as("README samples that no longer match the code").isEmpty();
  }

  @Test
  void theQuickStartAndLifecycleRegionsAreMarkedForCopying() throws IOException {
    Path examples = repositoryRoot().resolve("jit-examples/src/main/java/dev/jitaccess/examples");
    assertThat(Files.readString(examples.resolve("QuickStart.java")))
        .contains("// README:quickstart:start", "// README:quickstart:end");
    assertThat(Files.readString(examples.resolve("Lifecycle.java")))
        .contains("// README:lifecycle:start", "// README:lifecycle:end");
  }

  @Test
  void aBlockThatDriftedFromTheCodeIsFound() {
    List<Block> blocks = blocks(List.of(
        "text", "```java", "    int a = 1;", "", "    int b = 2;", "```", "```yaml", "x: 1", "```", "```bash", "ls", "```"));
    assertThat(blocks).extracting(Block::language).containsExactly("java", "yaml", "bash");
    assertThat(blocks.get(0).line()).isEqualTo(2);
    List<String> file = normalise(List.of("class A {", "  int a = 1;", "  int b = 2;", "}"));
    assertThat(containsRun(file, normalise(blocks.get(0).lines()))).isTrue();
    assertThat(containsRun(file, normalise(List.of("int a = 1;", "int b = 3;")))).isFalse();
    assertThat(containsRun(file, normalise(List.of("int b = 2;", "int a = 1;")))).isFalse();
    assertThatThrownBy(() -> blocks(List.of("```java", "int a;"))).hasMessageContaining("unclosed");
  }

  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("jit-core"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("no repository root (README.md next to jit-core/) above "
        + Path.of("").toAbsolutePath());
  }

  static List<Block> blocks(List<String> markdown) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < markdown.size(); i++) {
      String line = markdown.get(i).strip();
      if (!line.startsWith("```")) {
        continue;
      }
      String language = line.substring(3).strip();
      int start = i + 1;
      int end = start;
      while (end < markdown.size() && !markdown.get(end).strip().equals("```")) {
        end++;
      }
      if (end == markdown.size()) {
        throw new IllegalStateException("unclosed ``` block at line " + (i + 1));
      }
      blocks.add(new Block(language, i + 1, markdown.subList(start, end)));
      i = end;
    }
    return blocks;
  }

  static List<String> normalise(List<String> lines) {
    return lines.stream().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.toList());
  }

  static boolean containsRun(List<String> file, List<String> run) {
    return !run.isEmpty() && java.util.Collections.indexOfSubList(file, run) >= 0;
  }

  static List<List<String>> sourceFiles(Path root, String suffix) throws IOException {
    List<List<String>> files = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root)) {
      for (Path src : modules.map(m -> m.resolve("src")).filter(Files::isDirectory).collect(Collectors.toList())) {
        try (Stream<Path> walk = Files.walk(src)) {
          walk.filter(p -> p.getFileName().toString().endsWith(suffix)).forEach(p -> files.add(read(p)));
        }
      }
    }
    return files;
  }

  private static List<String> read(Path p) {
    try {
      return normalise(Files.readAllLines(p, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
