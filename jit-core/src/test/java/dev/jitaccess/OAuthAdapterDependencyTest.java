package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The OAuth adapter ({@code dev.jitaccess.oauth}) sits on top of the core: no class of another jit-core
 * package refers to it (read from the compiled classes' constant pools), so the adapter could move to its
 * own module without touching the core.
 */
class OAuthAdapterDependencyTest {

  @Test
  void theCoreNeverReferencesTheOAuthAdapter() throws IOException, URISyntaxException {
    Path classes = Path.of(GrantBroker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(classes).isDirectory();
    Path adapter = classes.resolve("dev/jitaccess/oauth");
    List<String> offenders;
    try (Stream<Path> files = Files.walk(classes)) {
      offenders = files.filter(p -> p.toString().endsWith(".class"))
          .filter(p -> !p.startsWith(adapter) && !p.getFileName().toString().equals("module-info.class"))
          .filter(OAuthAdapterDependencyTest::mentionsTheAdapter)
          .map(p -> classes.relativize(p).toString())
          .toList();
    }
    assertThat(offenders).isEmpty();
    assertThat(Files.isDirectory(adapter)).as("the adapter package exists where this test looks").isTrue();
  }

  private static boolean mentionsTheAdapter(Path classFile) {
    try {
      return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains("dev/jitaccess/oauth/");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
