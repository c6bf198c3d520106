package dev.jitaccess.oauth;

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
  void exportsExactlyTheAdapterPackage() throws Exception {
    ModuleDescriptor d;
    try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
      d = ModuleDescriptor.read(in);
    }
    assertThat(d.name()).isEqualTo("dev.jitaccess.oauth");
    // the exact list: package -> modules it is exported to (empty: to everyone)
    assertThat(d.exports().stream().collect(Collectors.toMap(ModuleDescriptor.Exports::source,
        e -> e.isQualified() ? Set.copyOf(e.targets()) : Set.of())))
        .isEqualTo(Map.of("dev.jitaccess.oauth", Set.of()));
    assertThat(d.opens()).isEmpty();
  }

  @Test
  void mainCodeNeverReadsTheSystemClockExceptAsTheDocumentedDefault() throws Exception {
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
        String src = Files.readString(f);
        assertThat(src).as(f.toString())
            .doesNotContain("Instant.now(").doesNotContain("currentTimeMillis").doesNotContain("new Date(")
            .doesNotContain("Security.addProvider").doesNotContain("com.sun.net.httpserver");
      }
    }
  }
}
