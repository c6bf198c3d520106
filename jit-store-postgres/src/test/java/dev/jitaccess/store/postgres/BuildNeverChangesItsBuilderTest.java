package dev.jitaccess.store.postgres;

import static dev.jitaccess.internal.BuilderCase.of;

import dev.jitaccess.internal.BuilderCase;
import dev.jitaccess.internal.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guard of every public builder of jit-store-postgres: {@code build()} resolves its defaults into the built
 * object, never into the builder (the check is {@link BuilderCase#check()}).
 */
class BuildNeverChangesItsBuilderTest {
  @RegisterExtension static final TestSchema SCHEMA = new TestSchema();
  static final ManualClock CLOCK = ManualClock.at("2026-11-23T10:00:00Z");
  static final List<AutoCloseable> OPENED = new CopyOnWriteArrayList<>();

  static <B, T extends AutoCloseable> Function<B, T> opened(Function<B, T> build) {
    return b -> {
      T built = build.apply(b);
      OPENED.add(built);
      return built;
    };
  }

  static PostgresGrantStore.Builder store() {
    return PostgresGrantStore.builder().dataSource(SCHEMA.db().pool("builder-store")).schema(SCHEMA.db().schema)
        .clock(CLOCK);
  }

  static Stream<BuilderCase<?, ?>> builders() {
    return Stream.of(
        of("PostgresGrantStore", BuildNeverChangesItsBuilderTest::store, opened(PostgresGrantStore.Builder::build),
            b -> b.retention(Duration.ofDays(3)), s -> List.of(s.toString(), s.find("no-such-grant"))),
        of("PostgresKeyDirectory", () -> PostgresKeyDirectory.builder().dataSource(SCHEMA.db().pool("builder-keys"))
                .schema(SCHEMA.db().schema), opened(PostgresKeyDirectory.Builder::build),
            b -> b.pollInterval(Duration.ofSeconds(7)), d -> List.of(d.toString(), d.keys(Instant.EPOCH))),
        of("PostgresAuditSink", () -> PostgresAuditSink.builder().dataSource(SCHEMA.db().pool("builder-audit"))
                .schema(SCHEMA.db().schema), PostgresAuditSink.Builder::build,
            b -> b.grantStore(opened(PostgresGrantStore.Builder::build).apply(store())), Object::toString),
        of("PostgresApprovalHandler", () -> PostgresApprovalHandler.builder()
                .dataSource(SCHEMA.db().pool("builder-approvals")).schema(SCHEMA.db().schema).clock(CLOCK)
                .group("release", "alice"), opened(PostgresApprovalHandler.Builder::build),
            b -> b.group("ops", "dave"), Object::toString));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builders")
  void buildNeverChangesItsBuilder(BuilderCase<?, ?> builder) {
    builder.check();
  }

  @AfterAll
  static void close() throws Exception {
    for (AutoCloseable c : OPENED) {
      c.close();
    }
  }
}
