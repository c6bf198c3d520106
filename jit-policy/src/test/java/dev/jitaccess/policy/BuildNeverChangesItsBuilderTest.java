package dev.jitaccess.policy;

import static dev.jitaccess.internal.BuilderCase.of;

import dev.jitaccess.internal.BuilderCase;
import dev.jitaccess.internal.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guard of every public builder of jit-policy: {@code build()} resolves its defaults into the built object,
 * never into the builder (the check is {@link BuilderCase#check()}).
 */
class BuildNeverChangesItsBuilderTest {
  static final ManualClock CLOCK = ManualClock.at("2025-03-04T09:00:00Z");
  static final Rule ALLOW = Rule.builder("allow-read").owner("team-payments").allow().actions("read").build();
  static final Policy POLICY = Policy.builder().name("p").maxTtl(Duration.ofHours(1)).rule(ALLOW).build();

  @TempDir static Path dir;

  static Stream<BuilderCase<?, ?>> builders() {
    return Stream.of(
        of("Rule", () -> Rule.builder("r").owner("team-payments").allow(), Rule.Builder::build,
            b -> b.description("read only"), Object::toString),
        of("Policy", () -> Policy.builder().name("p").maxTtl(Duration.ofHours(1)).rule(ALLOW), Policy.Builder::build,
            b -> b.rule(Rule.builder("deny-write").owner("team-payments").deny().actions("write").build()), p -> List.of(p.toString(), p.version(), p.rules())),
        of("RulePolicy", () -> RulePolicy.builder().policy(POLICY), RulePolicy.Builder::build,
            b -> b.listener(result -> {}), RulePolicy::version),
        of("PolicyFileWatcher", BuildNeverChangesItsBuilderTest::watcher, PolicyFileWatcher.Builder::build,
            b -> b.debounce(Duration.ofSeconds(2)), BuildNeverChangesItsBuilderTest::closedAfterReading));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builders")
  void buildNeverChangesItsBuilder(BuilderCase<?, ?> builder) {
    builder.check();
  }

  @BeforeAll
  static void writePolicyFile() throws IOException {
    Files.writeString(dir.resolve("policy.yaml"), "version: 2\nmaxTtl: 1h\nrules:\n  - id: r\n    owner: o\n    effect: allow\n");
  }

  static PolicyFileWatcher.Builder watcher() {
    Path file = dir.resolve("policy.yaml");
    return PolicyFileWatcher.builder(RulePolicy.builder().load(file).build(), file).clock(CLOCK).scheduler(CLOCK);
  }

  /** The file a watcher watches and the version of its policy (both readable after close); closes it. */
  static Object closedAfterReading(PolicyFileWatcher watcher) {
    List<Object> seen = List.of(watcher.file(), watcher.policy().version());
    watcher.close();
    return seen;
  }
}
