package dev.jitaccess.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ModuleTest {

  @Test
  void exportsExactlyTheMicrometerPackage() throws Exception {
    ModuleDescriptor d;
    try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
      d = ModuleDescriptor.read(in);
    }
    assertThat(d.name()).isEqualTo("dev.jitaccess.micrometer");
    // the exact list: package -> modules it is exported to (empty: to everyone)
    assertThat(d.exports().stream().collect(Collectors.toMap(ModuleDescriptor.Exports::source,
        e -> e.isQualified() ? Set.copyOf(e.targets()) : Set.of())))
        .isEqualTo(Map.of("dev.jitaccess.micrometer", Set.of()));
    assertThat(d.opens()).isEmpty();
    Set<String> requires = d.requires().stream().map(ModuleDescriptor.Requires::name)
        .filter(n -> !n.equals("java.base")).collect(Collectors.toSet());
    // jit-core and Micrometer (metrics, observations, their common types) only: no other module of this
    // project, no SLF4J, no Spring
    assertThat(requires).containsExactlyInAnyOrder(
        "dev.jitaccess.core", "micrometer.core", "micrometer.observation", "micrometer.commons", "org.jspecify");
  }

  @Test
  void mainCodeNeverReadsTheSystemClock() throws Exception {
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
        assertThat(Files.readString(f)).as(f.toString())
            .doesNotContain("Instant.now(").doesNotContain("currentTimeMillis").doesNotContain("systemUTC");
      }
    }
  }
}
