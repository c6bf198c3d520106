package dev.jitaccess.testkit;

import static dev.jitaccess.internal.BuilderCase.of;

import dev.jitaccess.internal.BuilderCase;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guard of the public builder of jit-testkit: {@code build()} resolves its defaults into the kit, never into
 * the builder (the check is {@link BuilderCase#check()}).
 */
class BuildNeverChangesItsBuilderTest {

  static Stream<BuilderCase<?, ?>> builders() {
    return Stream.of(
        of("JitTestKit", () -> JitTestKit.builder().trustDomain("example.org"), JitTestKit.Builder::build,
            b -> b.audience("jit-broker-2"), BuildNeverChangesItsBuilderTest::closedAfterReading));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builders")
  void buildNeverChangesItsBuilder(BuilderCase<?, ?> builder) {
    builder.check();
  }

  /** What a kit was built with (readable after close); closes it. */
  static Object closedAfterReading(JitTestKit kit) {
    List<Object> seen = List.of(kit.audience(), kit.clock().instant(), kit.trustDomain().trustDomain());
    kit.close();
    return seen;
  }
}
