package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ModuleTest {

  @Test
  void exportsExactlyTheStorePackage() throws Exception {
    ModuleDescriptor d;
    try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
      d = ModuleDescriptor.read(in);
    }
    assertThat(d.name()).isEqualTo("dev.jitaccess.store.postgres");
    assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("dev.jitaccess.store.postgres");
    assertThat(d.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
    assertThat(d.opens()).isEmpty();
    Set<String> transitive = d.requires().stream()
        .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
        .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
    assertThat(transitive).containsExactlyInAnyOrder("dev.jitaccess.core", "java.sql", "org.jspecify");
  }

  @Test
  void mainCodeNeverReadsTheSystemClock() throws Exception {
    List<Path> sources;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      sources = files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
    }
    assertThat(sources).isNotEmpty();
    for (Path f : sources) {
      assertThat(Files.readString(f)).as(f.toString())
          .doesNotContain("Instant.now(").doesNotContain("currentTimeMillis").doesNotContain("new Date(")
          .doesNotContain("Thread.sleep(");
    }
  }

  @Test
  void theSchemaScriptsShipInTheJar() {
    assertThat(PostgresSchema.scriptResources()).first().isEqualTo("dev/jitaccess/store/postgres/schema/V1__grants.sql");
    for (String path : PostgresSchema.scriptResources()) {
      assertThat(Files.exists(Path.of("target/classes", path))).as(path).isTrue();
    }
  }
}
