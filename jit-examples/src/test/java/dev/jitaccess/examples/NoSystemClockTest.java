package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Main code never reads the system clock: time comes from an injected {@link java.time.Clock}. Scans every
 * module's src/main/java and names each offending file and line. {@code Clock.systemUTC()} as a builder
 * default is allowed.
 */
class NoSystemClockTest {
  static final List<String> FORBIDDEN = List.of(
      "Instant.now(",
      "System.currentTimeMillis",
      "System.nanoTime",
      "new Date()",
      "LocalDateTime.now",
      "ZonedDateTime.now",
      "OffsetDateTime.now",
      "Clock.systemDefaultZone");

  @Test
  void noModuleReadsTheSystemClockInMainCode() throws IOException {
    Path root = ReadmeSamplesTest.repositoryRoot();
    List<Path> mains;
    try (Stream<Path> modules = Files.list(root)) {
      // jit-benchmarks measures wall-clock time on purpose; it is not library code and is not published
      mains = modules.filter(m -> !m.getFileName().toString().equals("jit-benchmarks"))
          .map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).collect(Collectors.toList());
    }
    assertThat(mains).extracting(p -> root.relativize(p).getName(0).toString())
        .contains("jit-core", "jit-spiffe", "jit-policy", "jit-testkit", "jit-examples", "jit-access-spring-boot-starter");
    List<String> offenders = new ArrayList<>();
    for (Path main : mains) {
      try (Stream<Path> walk = Files.walk(main)) {
        for (Path file : walk.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList())) {
          offenders.addAll(scan(root.relativize(file).toString(), Files.readAllLines(file, StandardCharsets.UTF_8)));
        }
      }
    }
    assertThat(offenders).as("main code reading the system clock").isEmpty();
  }

  @Test
  void theScanNamesFileLineAndCallAndAllowsTheUtcDefault() {
    List<String> found = scan("A.java", List.of(
        "class A {",
        "  Clock clock = builderClock == null ? Clock.systemUTC() : builderClock;",
        "  long t = System.currentTimeMillis();",
        "  Instant i = Instant.now();",
        "  Date d = new Date();",
        "}"));
    assertThat(found).containsExactly(
        "A.java:3: System.currentTimeMillis", "A.java:4: Instant.now(", "A.java:5: new Date()");
  }

  static List<String> scan(String name, List<String> lines) {
    List<String> found = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      for (String call : FORBIDDEN) {
        if (lines.get(i).contains(call)) {
          found.add(name + ":" + (i + 1) + ": " + call);
        }
      }
    }
    return found;
  }
}
