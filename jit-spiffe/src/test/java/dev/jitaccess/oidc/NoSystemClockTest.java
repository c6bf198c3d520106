package dev.jitaccess.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Main code takes time from the injected clock only. */
class NoSystemClockTest {

  @Test
  void mainCodeNeverReadsTheSystemClock() throws IOException {
    Path sources = Path.of("src/main/java/dev/jitaccess/oidc");
    assertThat(sources).isDirectory();
    List<Path> files;
    try (Stream<Path> walk = Files.list(sources)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
    }
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      String code = Files.readString(file);
      assertThat(code).as(file.toString())
          .doesNotContain("Instant.now(")
          .doesNotContain("currentTimeMillis(")
          .doesNotContain("nanoTime(")
          .doesNotContain("new Date(")
          .doesNotContain("LocalDateTime.now(");
    }
  }
}
