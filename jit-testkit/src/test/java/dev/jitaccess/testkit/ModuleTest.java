package dev.jitaccess.testkit;

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
  void exportsExactlyTheTestkitPackage() throws Exception {
    ModuleDescriptor d;
    try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
      d = ModuleDescriptor.read(in);
    }
    assertThat(d.name()).isEqualTo("dev.jitaccess.testkit");
    // the exact list: package -> modules it is exported to (empty: to everyone)
    assertThat(d.exports().stream().collect(Collectors.toMap(ModuleDescriptor.Exports::source,
        e -> e.isQualified() ? Set.copyOf(e.targets()) : Set.of())))
        .isEqualTo(Map.of("dev.jitaccess.testkit", Set.of()));
    assertThat(d.opens()).isEmpty();
    Set<String> transitive = d.requires().stream()
        .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
        .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
    assertThat(transitive).containsExactlyInAnyOrder(
        "dev.jitaccess.core", "dev.jitaccess.spiffe", "dev.jitaccess.policy", "org.junit.jupiter.api", "org.jspecify");
    // JSpecify's nullness annotations only: needed to compile against the kit, never at run time
    assertThat(d.requires()).filteredOn(r -> r.name().equals("org.jspecify")).singleElement()
        .satisfies(r -> assertThat(r.modifiers()).contains(ModuleDescriptor.Requires.Modifier.STATIC));
  }

  @Test
  void mainCodeNeverReadsTheSystemClock() throws Exception {
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
        String src = Files.readString(f);
        assertThat(src).as(f.toString())
            .doesNotContain("Instant.now(").doesNotContain("currentTimeMillis").doesNotContain("new Date(")
            .doesNotContain("systemUTC").doesNotContain("Security.addProvider");
      }
    }
  }
}
