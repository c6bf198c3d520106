package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ModuleTest {

  @Test
  void exportsExactlyTheApiAndSpiPackages() throws Exception {
    ModuleDescriptor descriptor = descriptor();
    assertThat(descriptor.name()).isEqualTo("dev.jitaccess.core");
    Set<String> exported =
        descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    assertThat(exported).containsExactlyInAnyOrder("dev.jitaccess", "dev.jitaccess.spi");
    assertThat(descriptor.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
    assertThat(descriptor.opens()).isEmpty();
  }

  @Property(tries = 50)
  void deniesNeverAllow(@ForAll String reason) {
    assertThat(Decision.deny(reason).isAllowed()).isFalse();
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
