package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package dependency rules between this project's modules, read from the repository's sources (every
 * sibling folder with {@code src/main/java}): a module's main code uses another module's package only when
 * that package is exported to it, an {@code internal} package is exported only to named modules of this
 * project, and jit-core never depends on the OAuth adapter. The compiler enforces exports for modular code;
 * this test also covers modules without a descriptor (jit-benchmarks runs on the class path, and may use
 * only unqualified exports) and pins the intent, so widening an export is a reviewed change.
 */
class ModuleBoundariesTest {
  private static final Pattern MODULE = Pattern.compile("\\bmodule\\s+([\\w.]+)\\s*\\{");
  private static final Pattern EXPORTS = Pattern.compile("\\bexports\\s+([\\w.]+)(?:\\s+to\\s+([\\w.,\\s]+))?;");
  private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.jitaccess(?:\\.[a-z_][a-z0-9_]*)*");
  private static final Pattern COMMENT = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*");

  /** One module of the repository, by folder. */
  record Module(String folder, String name, boolean modular, Set<String> packages, Map<String, Set<String>> exports) {
    /** Whether {@code pkg} (owned by this module) may be used by module {@code reader}. */
    boolean exportsTo(String pkg, String reader) {
      if (!modular) {
        return true; // class-path code: nothing to enforce on its side
      }
      Set<String> targets = exports.get(pkg);
      return targets != null && (targets.isEmpty() || targets.contains(reader));
    }
  }

  private static Path root;
  private static List<Module> modules;

  @BeforeAll
  static void readRepository() throws IOException {
    root = Path.of("..").toAbsolutePath().normalize();
    assertThat(root.resolve("pom.xml")).as("the test runs in jit-core, beside the other modules").exists();
    try (Stream<Path> dirs = Files.list(root)) {
      modules = dirs.filter(d -> Files.isDirectory(d.resolve("src/main/java"))).sorted()
          .map(ModuleBoundariesTest::read).collect(Collectors.toList());
    }
    assertThat(modules).extracting(Module::name)
        .contains("dev.jitaccess.core", "dev.jitaccess.spiffe", "dev.jitaccess.policy", "dev.jitaccess.testkit");
  }

  private static Module read(Path dir) {
    Path src = dir.resolve("src/main/java");
    Path descriptor = src.resolve("module-info.java");
    Set<String> packages;
    try (Stream<Path> files = Files.walk(src)) {
      packages = files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("module-info.java"))
          .map(f -> src.relativize(f.getParent()).toString().replace('/', '.').replace('\\', '.'))
          .collect(Collectors.toCollection(TreeSet::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!Files.exists(descriptor)) {
      return new Module(dir.getFileName().toString(), dir.getFileName().toString(), false, packages, Map.of());
    }
    String text = COMMENT.matcher(readString(descriptor)).replaceAll(" ");
    Matcher name = MODULE.matcher(text);
    assertThat(name.find()).as(descriptor.toString()).isTrue();
    Map<String, Set<String>> exports = new TreeMap<>();
    Matcher m = EXPORTS.matcher(text);
    while (m.find()) {
      Set<String> targets = m.group(2) == null ? Set.of()
          : Stream.of(m.group(2).split(",")).map(String::trim).collect(Collectors.toCollection(TreeSet::new));
      exports.put(m.group(1), targets);
    }
    return new Module(dir.getFileName().toString(), name.group(1), true, packages, exports);
  }

  private static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Module module(String name) {
    return modules.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
  }

  /** For each package of the project, the module that holds it. */
  private static Map<String, Module> owners() {
    Map<String, Module> owners = new LinkedHashMap<>();
    for (Module m : modules) {
      for (String p : m.packages()) {
        Module previous = owners.put(p, m);
        assertThat(previous).as("package %s is split between %s and %s", p,
            previous == null ? "" : previous.folder(), m.folder()).isNull();
      }
    }
    return owners;
  }

  /** The project packages that the main code of {@code module} names, outside its own packages. */
  private static Map<String, Set<String>> foreignReferences(Module module, Map<String, Module> owners) {
    Path src = root.resolve(module.folder()).resolve("src/main/java");
    Map<String, Set<String>> used = new TreeMap<>(); // package -> files naming it
    try (Stream<Path> files = Files.walk(src)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java"))
          .collect(Collectors.toList())) {
        String code = COMMENT.matcher(readString(f)).replaceAll(" ");
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
          String pkg = longestPackage(m.group(), owners);
          if (pkg != null && !module.packages().contains(pkg)) {
            used.computeIfAbsent(pkg, k -> new TreeSet<>()).add(src.relativize(f).toString());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return used;
  }

  private static String longestPackage(String dotted, Map<String, Module> owners) {
    String candidate = dotted;
    while (!candidate.isEmpty()) {
      if (owners.containsKey(candidate)) {
        return candidate;
      }
      int dot = candidate.lastIndexOf('.');
      candidate = dot < 0 ? "" : candidate.substring(0, dot);
    }
    return null;
  }

  @Test
  void noModuleReadsAnotherModulesPackageThatIsNotExportedToIt() {
    Map<String, Module> owners = owners();
    List<String> violations = new ArrayList<>();
    for (Module reader : modules) {
      foreignReferences(reader, owners).forEach((pkg, files) -> {
        Module owner = owners.get(pkg);
        if (!owner.exportsTo(pkg, reader.name())) {
          violations.add(reader.folder() + " uses " + pkg + " of " + owner.folder() + " in " + files);
        }
      });
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void internalPackagesAreExportedOnlyToNamedModulesOfThisProject() {
    Set<String> projectModules = modules.stream().filter(Module::modular).map(Module::name).collect(Collectors.toSet());
    for (Module m : modules) {
      m.exports().forEach((pkg, targets) -> {
        if (pkg.endsWith(".internal")) {
          assertThat(targets).as("%s exports %s", m.name(), pkg).isNotEmpty();
        }
        assertThat(projectModules).as("%s exports %s to", m.name(), pkg).containsAll(targets);
      });
    }
  }

  @Test
  void coreNeverDependsOnTheOAuthAdapterOrAnyOtherModule() {
    Map<String, Module> owners = owners();
    Module core = module("dev.jitaccess.core");
    assertThat(foreignReferences(core, owners)).as("jit-core depends on no other module of the project").isEmpty();
    try (Stream<Path> files = Files.walk(root.resolve(core.folder()).resolve("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
        // naming the adapter as a reader of a qualified export is no dependency on it
        String code = EXPORTS.matcher(COMMENT.matcher(readString(f)).replaceAll(" ")).replaceAll(" ");
        assertThat(code).as(f.toString()).doesNotContain("dev.jitaccess.oauth");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final Pattern IMPLEMENTATION = Pattern.compile(
      "(?m)^(public\\s+)?(?:(?:final|abstract|sealed|non-sealed)\\s+)*class\\s+(\\w+)([^{]*)\\{");

  /**
   * Names of the implementation classes of the main code, with their package: top-level classes that implement
   * an interface, or that are package-private (values, results and exceptions are not implementations).
   */
  private static Map<String, String> implementationPackages() {
    Map<String, String> packageOf = new TreeMap<>();
    mainSources().forEach((file, pkg) -> {
      Matcher m = IMPLEMENTATION.matcher(COMMENT.matcher(readString(file)).replaceAll(" "));
      while (m.find()) {
        if (m.group(1) == null || m.group(3).contains("implements")) {
          packageOf.put(m.group(2), pkg);
        }
      }
    });
    return packageOf;
  }

  /** Every main source file of the project, with its package. */
  private static Map<Path, String> mainSources() {
    Map<Path, String> sources = new TreeMap<>();
    for (Module module : modules) {
      Path src = root.resolve(module.folder()).resolve("src/main/java");
      try (Stream<Path> files = Files.walk(src)) {
        files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("module-info.java")).forEach(f ->
            sources.put(f, src.relativize(f.getParent()).toString().replace('/', '.').replace('\\', '.')));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return sources;
  }

  /** The downcasts ({@code instanceof X} or {@code (X)}) in {@code code} to one of {@code classes}. */
  static List<String> downcasts(String code, Set<String> classes) {
    List<String> found = new ArrayList<>();
    Matcher m = Pattern.compile("\\binstanceof\\s+(?:[\\w.]*\\.)?(\\w+)\\b|\\(\\s*(?:[\\w.]*\\.)?(\\w+)\\s*\\)\\s*[\\w(]")
        .matcher(COMMENT.matcher(code).replaceAll(" "));
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      if (classes.contains(name)) {
        found.add(m.group().strip());
      }
    }
    return found;
  }

  @Test
  void implementationsAreNeverReachedByDowncastOutsideTheirPackage() {
    Map<String, String> packageOf = implementationPackages();
    assertThat(packageOf).as("the reader finds the implementations").containsKeys("DefaultGrantBroker",
        "InMemoryGrantStore", "PostgresGrantStore", "LifecycleTimer");
    List<String> violations = new ArrayList<>();
    mainSources().forEach((file, pkg) -> {
      Set<String> foreign = packageOf.entrySet().stream().filter(e -> !e.getValue().equals(pkg))
          .map(Map.Entry::getKey).collect(Collectors.toSet());
      downcasts(readString(file), foreign).forEach(d -> violations.add(root.relativize(file) + ": " + d));
    });
    assertThat(violations).isEmpty();
  }

  @Test
  void theDowncastReaderSeesACastAndAnInstanceof() {
    // guards the rule above: a deliberate violation of each form is found, a plain mention is not
    Set<String> impl = Set.of("DefaultGrantBroker", "InMemoryGrantStore");
    assertThat(downcasts("if (broker instanceof DefaultGrantBroker d) {}", impl)).hasSize(1);
    assertThat(downcasts("var s = (dev.jitaccess.internal.InMemoryGrantStore) store;", impl)).hasSize(1);
    assertThat(downcasts("/* (DefaultGrantBroker) b */ GrantStore.inMemory(clock); new DefaultGrantBroker(c);", impl))
        .isEmpty();
  }

  @Test
  void theRuleReaderSeesQualifiedExports() {
    // guards the parser above: a rule that never sees a qualified export cannot fail
    Module core = module("dev.jitaccess.core");
    assertThat(core.exports()).containsKey("dev.jitaccess.internal");
    assertThat(core.exportsTo("dev.jitaccess.internal", "dev.jitaccess.spiffe")).isTrue();
    assertThat(core.exportsTo("dev.jitaccess.internal", "dev.jitaccess.examples")).isFalse();
    assertThat(core.exportsTo("dev.jitaccess", "dev.jitaccess.examples")).isTrue();
  }
}
