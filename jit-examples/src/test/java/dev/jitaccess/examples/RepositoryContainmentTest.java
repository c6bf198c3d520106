package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The project builds and passes its tests from a clone anywhere: no file of the repository (code, test,
 * build, docs, CI script) names a path outside the clone. Test data lives inside the repository, such as
 * the SPIFFE conformance corpus in {@code jit-spiffe/src/test/resources/spiffe-conformance/}.
 */
class RepositoryContainmentTest {
  /** Spellings of paths above the repository root; built from parts so this file does not name them. */
  static final List<String> OUTSIDE = List.of(
      ".." + "/shared",
      ".." + "\\shared",
      "shared" + "/conformance",
      "/work" + "/shared",
      "/work" + "/main");

  private static final Set<String> SKIPPED_DIRECTORIES = Set.of(".git", "target", ".idea", ".mvn");

  @Test
  void noFileOfTheRepositoryNamesAPathOutsideIt() throws IOException {
    Path root = ReadmeSamplesTest.repositoryRoot();
    List<String> offenders = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> !skipped(root, p)).filter(Files::isRegularFile).sorted()
          .collect(Collectors.toList());
    }
    assertThat(files).as("files scanned").hasSizeGreaterThan(100);
    for (Path file : files) {
      String text = text(file);
      if (text != null) {
        offenders.addAll(scan(root.relativize(file).toString(), text));
      }
    }
    assertThat(offenders).as("references to paths outside the repository").isEmpty();
  }

  @Test
  void theScanNamesFileAndLineOfEachReference() {
    String text = "first line\nsee " + ".." + "/shared/x for data\nok\nPath.of(\"" + "shared" + "/conformance/spiffe\")\n";
    assertThat(scan("README.md", text)).containsExactly(
        "README.md:2: " + ".." + "/shared",
        "README.md:4: " + "shared" + "/conformance");
    assertThat(scan("a.txt", "nothing outside here\n../other is not ours either but not shared\n")).isEmpty();
  }

  static List<String> scan(String name, String text) {
    List<String> found = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      for (String outside : OUTSIDE) {
        if (lines[i].contains(outside)) {
          found.add(name + ":" + (i + 1) + ": " + outside);
        }
      }
    }
    return found;
  }

  private static boolean skipped(Path root, Path p) {
    for (Path part : root.relativize(p)) {
      if (SKIPPED_DIRECTORIES.contains(part.toString())) {
        return true;
      }
    }
    return false;
  }

  /** The file as UTF-8 text, or null for binary content (DER fixtures, keys). */
  private static String text(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
