package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModuleTest {

  @Test
  void exportsExactlyTheSpiffeAndOidcPackagesToEveryone() throws Exception {
    ModuleDescriptor descriptor = descriptor();
    assertThat(descriptor.name()).isEqualTo("dev.jitaccess.spiffe");
    // the exact list: package -> modules it is exported to (empty: to everyone); internal is not exported
    assertThat(exports(descriptor)).isEqualTo(Map.of("dev.jitaccess.spiffe", Set.of(), "dev.jitaccess.oidc", Set.of()));
    assertThat(descriptor.opens()).isEmpty();
  }

  /** Each exported package with the modules it is exported to (empty: to everyone). */
  static Map<String, Set<String>> exports(ModuleDescriptor descriptor) {
    return descriptor.exports().stream().collect(Collectors.toMap(ModuleDescriptor.Exports::source,
        e -> e.isQualified() ? Set.copyOf(e.targets()) : Set.of()));
  }

  static ModuleDescriptor descriptor() throws Exception {
    try (var in = ModuleTest.class.getResourceAsStream("/module-info.class")) {
      if (in == null) {
        return SpiffeId.class.getModule().getDescriptor();
      }
      return ModuleDescriptor.read(in);
    }
  }
}
