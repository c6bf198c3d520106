package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module exports exactly its one package (read from the compiled descriptor: tests run on the class path). */
class ModuleTest {

  @Test
  void exportsExactlyTheExamplesPackage() throws IOException {
    try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
      ModuleDescriptor d = ModuleDescriptor.read(in);
      assertThat(d.name()).isEqualTo("dev.jitaccess.examples");
      // the exact list: package -> modules it is exported to (empty: to everyone)
      assertThat(d.exports().stream().collect(Collectors.toMap(ModuleDescriptor.Exports::source,
          e -> e.isQualified() ? Set.copyOf(e.targets()) : Set.of())))
          .isEqualTo(Map.of("dev.jitaccess.examples", Set.of()));
      assertThat(d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
          .contains("dev.jitaccess.core", "dev.jitaccess.testkit", "jdk.httpserver");
    }
  }
}
