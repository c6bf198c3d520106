package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModuleTest {
  @Test
  void exportsExactlyThePolicyPackage() throws Exception {
    ModuleDescriptor d;
    try (var in = ModuleTest.class.getResourceAsStream("/module-info.class")) {
      d = in == null ? RulePolicy.class.getModule().getDescriptor() : ModuleDescriptor.read(in);
    }
    assertThat(d.name()).isEqualTo("dev.jitaccess.policy");
    // the exact list: package -> modules it is exported to (empty: to everyone)
    assertThat(d.exports().stream().collect(Collectors.toMap(ModuleDescriptor.Exports::source,
        e -> e.isQualified() ? Set.copyOf(e.targets()) : Set.of())))
        .isEqualTo(Map.of("dev.jitaccess.policy", Set.of()));
    assertThat(d.opens()).isEmpty();
    assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name)
        .contains("dev.jitaccess.core", "org.snakeyaml.engine.v2", "org.slf4j");
  }

  @Test
  void publicSurfaceIsSmall() {
    Set<String> publicTypes = Set.of(AttributeCondition.class, Diagnostic.class,
        InvalidPolicyException.class, LoadResult.class, Policy.class, PolicyFileWatcher.class, PolicyTestRunner.class, Rule.class,
        RulePolicy.class, TimeWindow.class).stream().map(Class::getSimpleName).collect(Collectors.toSet());
    assertThat(publicTypes).hasSize(10);
    for (Class<?> c : new Class<?>[] {GlobMigration.class, SpiffePattern.class, Cidr.class, Durations.class, Checks.class,
        CompiledPolicy.class, RuleIndex.class, CompiledRule.class, Candidates.class, Explainer.class, PolicyAnalysis.class,
        Canonical.class, YamlTree.class, YamlPolicyReader.class, ValueReader.class, RuleReader.class, MatchReader.class,
        GrantReader.class, ConditionReader.class, TimeWindowReader.class, RuleArguments.class, Suggestions.class}) {
      assertThat(java.lang.reflect.Modifier.isPublic(c.getModifiers())).as(c.getName()).isFalse();
    }
  }
}
