package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ModuleTest {

  /**
   * The exact exports: the API and SPI packages to everyone, the internal package only to this project's
   * modules that share its helpers (a qualified export). An empty target set means unqualified.
   */
  @Test
  void exportsExactlyTheApiAndSpiPackagesAndInternalOnlyToTheProjectsModules() throws Exception {
    ModuleDescriptor descriptor = descriptor();
    assertThat(descriptor.name()).isEqualTo("dev.jitaccess.core");
    assertThat(exports(descriptor)).isEqualTo(Map.of(
        "dev.jitaccess", Set.of(),
        "dev.jitaccess.spi", Set.of(),
        "dev.jitaccess.internal", Set.of("dev.jitaccess.spiffe", "dev.jitaccess.policy", "dev.jitaccess.testkit",
            "dev.jitaccess.oauth", "dev.jitaccess.store.postgres")));
    assertThat(descriptor.opens()).isEmpty();
  }

  @Property(tries = 50)
  void deniesNeverAllow(@ForAll String reason) {
    assertThat(Decision.deny(reason).isAllowed()).isFalse();
  }

  /** Each exported package with the modules it is exported to (empty: to everyone). */
  static Map<String, Set<String>> exports(ModuleDescriptor descriptor) {
    Map<String, Set<String>> exports = new TreeMap<>();
    for (ModuleDescriptor.Exports e : descriptor.exports()) {
      exports.put(e.source(), e.isQualified() ? new TreeSet<>(e.targets()) : Set.of());
    }
    return exports;
  }

  static ModuleDescriptor descriptor() throws Exception {
    try (var in = ModuleTest.class.getResourceAsStream("/module-info.class")) {
      if (in == null) {
        // running on the module path: the module knows itself
        return GrantBroker.class.getModule().getDescriptor();
      }
      return ModuleDescriptor.read(in);
    }
  }
}
