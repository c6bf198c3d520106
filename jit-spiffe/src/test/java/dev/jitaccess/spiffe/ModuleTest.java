package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModuleTest {

  @Test
  void exportsExactlyTheSpiffeAndOidcPackages() throws Exception {
    ModuleDescriptor descriptor = descriptor();
    assertThat(descriptor.name()).isEqualTo("dev.jitaccess.spiffe");
    Set<String> exported =
        descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    assertThat(exported).containsExactlyInAnyOrder("dev.jitaccess.spiffe", "dev.jitaccess.oidc");
    assertThat(descriptor.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
    assertThat(descriptor.opens()).isEmpty();
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
