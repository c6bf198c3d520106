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

  /**
   * Issue 13: the adapter's public surface is its front door (the endpoints, the request and response,
   * the caller check, the JWKS helper); form parsing, parameters, errors, delegation reading and
   * introspection stay package-private however the classes are split.
   */
  @Test
  void thePublicTypesAreExactlyTheFrontDoor() throws Exception {
    Set<String> publicTypes;
    try (Stream<Path> files = Files.list(Path.of("target/classes/dev/jitaccess/oauth"))) {
      publicTypes = files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".class") && !n.equals("package-info.class"))
          .map(n -> "dev.jitaccess.oauth." + n.substring(0, n.length() - ".class".length()))
          .filter(ModuleTest::isPublic)
          .map(n -> n.replace('$', '.'))
          .collect(Collectors.toCollection(java.util.TreeSet::new));
    }
    assertThat(publicTypes).containsExactly("dev.jitaccess.oauth.CallerAuthorizer",
        "dev.jitaccess.oauth.CallerAuthorizer.Endpoint", "dev.jitaccess.oauth.HttpRequest",
        "dev.jitaccess.oauth.HttpRequest.Builder", "dev.jitaccess.oauth.HttpResponse",
        "dev.jitaccess.oauth.JwksEndpoint", "dev.jitaccess.oauth.TokenExchange",
        "dev.jitaccess.oauth.TokenExchange.Builder");
  }

  private static boolean isPublic(String binaryName) {
    try {
      Class<?> c = Class.forName(binaryName, false, ModuleTest.class.getClassLoader());
      return java.lang.reflect.Modifier.isPublic(c.getModifiers());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Issue 13: no main class of the adapter passes about 500 lines; a bigger one is split by job. */
  @Test
  void noMainSourceFileIsOver500Lines() throws Exception {
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
        assertThat(Files.readAllLines(f)).as(f.toString()).hasSizeLessThanOrEqualTo(500);
      }
    }
  }
}
