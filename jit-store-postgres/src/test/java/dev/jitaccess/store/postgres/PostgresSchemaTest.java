package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.JitException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Migration under an advisory lock and the start-up version check, against the real server. */
class PostgresSchemaTest {

  @Test
  void migrateCreatesTheTablesAndRecordsTheVersion() {
    try (TestDatabase db = TestDatabase.freshSchema()) {
      PostgresSchema schema = PostgresSchema.of(db.pool("m"), db.schema);
      assertThat(schema.currentVersion()).isZero();
      assertThat(schema.migrate()).isEqualTo(PostgresSchema.latestVersion());
      assertThat(schema.currentVersion()).isEqualTo(PostgresSchema.latestVersion());
      schema.check();
      assertThat(db.queryLong("SELECT count(*) FROM jit_grant")).isZero();
    }
  }

  @Test
  void migrateOfAMissingSchemaCreatesIt() {
    try (TestDatabase db = TestDatabase.freshSchema()) {
      String other = db.schema + "_x";
      try {
        PostgresSchema schema = PostgresSchema.of(db.pool("m"), other);
        schema.migrate();
        schema.check();
      } finally {
        db.execute("DROP SCHEMA IF EXISTS " + other + " CASCADE");
      }
    }
  }

  @Test
  void migrateTwiceChangesNothing() {
    try (TestDatabase db = TestDatabase.migrated()) {
      PostgresSchema schema = PostgresSchema.of(db.pool("m"), db.schema);
      assertThat(schema.migrate()).isEqualTo(PostgresSchema.latestVersion());
      assertThat(db.queryLong("SELECT count(*) FROM jit_schema_version")).isEqualTo(PostgresSchema.latestVersion());
    }
  }

  /** Several replicas starting at once: the advisory lock makes one migrate and the others find it done. */
  @Test
  void concurrentMigrationsMigrateOnce() throws Exception {
    try (TestDatabase db = TestDatabase.freshSchema()) {
      List<DataSource> pools = List.of(db.pool("a"), db.pool("b"), db.pool("c"), db.pool("d"));
      ExecutorService exec = Executors.newFixedThreadPool(pools.size());
      CountDownLatch go = new CountDownLatch(1);
      try {
        List<Future<Integer>> results = new ArrayList<>();
        for (DataSource ds : pools) {
          results.add(exec.submit(() -> {
            go.await();
            return PostgresSchema.of(ds, db.schema).migrate();
          }));
        }
        go.countDown();
        for (Future<Integer> f : results) {
          assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(PostgresSchema.latestVersion());
        }
      } finally {
        exec.shutdownNow();
      }
      assertThat(db.queryLong("SELECT count(*) FROM jit_schema_version")).isEqualTo(PostgresSchema.latestVersion());
    }
  }

  @Test
  void checkRefusesASchemaWithoutTables() {
    try (TestDatabase db = TestDatabase.freshSchema()) {
      assertThatThrownBy(() -> PostgresSchema.of(db.pool("m"), db.schema).check())
          .isInstanceOf(JitException.class)
          .hasMessageContaining(db.schema).hasMessageContaining("has no jit-access tables").hasMessageContaining("migrate()");
    }
  }

  @Test
  void checkRefusesANewerSchema() {
    try (TestDatabase db = TestDatabase.migrated()) {
      int newer = PostgresSchema.latestVersion() + 1;
      db.execute("INSERT INTO jit_schema_version (version, description) VALUES (" + newer + ", 'from the future')");
      PostgresSchema schema = PostgresSchema.of(db.pool("m"), db.schema);
      assertThatThrownBy(schema::check).isInstanceOf(JitException.class)
          .hasMessageContaining("version " + newer).hasMessageContaining("newer than this jit-access knows");
      assertThatThrownBy(schema::migrate).isInstanceOf(JitException.class).hasMessageContaining("newer");
      assertThatThrownBy(() -> PostgresGrantStore.builder().dataSource(db.pool("s")).schema(db.schema).build())
          .isInstanceOf(JitException.class).hasMessageContaining("newer");
    }
  }

  @Test
  void checkRefusesAnUnknownVersionSequence() {
    try (TestDatabase db = TestDatabase.migrated()) {
      db.execute("DELETE FROM jit_schema_version");
      db.execute("INSERT INTO jit_schema_version (version, description) VALUES (0, 'unknown')");
      assertThatThrownBy(() -> PostgresSchema.of(db.pool("m"), db.schema).check())
          .isInstanceOf(JitException.class).hasMessageContaining("unknown schema");
    }
  }

  @Test
  void checkRefusesAnOlderSchema() {
    if (PostgresSchema.latestVersion() < 2) {
      // with one version an older schema is a schema without tables, refused above; keep the rule checked
      try (TestDatabase db = TestDatabase.freshSchema()) {
        db.execute("CREATE TABLE jit_schema_version (version integer PRIMARY KEY, description text NOT NULL,"
            + " applied_at timestamptz NOT NULL DEFAULT now())");
        assertThatThrownBy(() -> PostgresSchema.of(db.pool("m"), db.schema).check())
            .isInstanceOf(JitException.class).hasMessageContaining("has no jit-access tables");
      }
      return;
    }
    try (TestDatabase db = TestDatabase.migrated()) {
      db.execute("DELETE FROM jit_schema_version WHERE version > 1");
      assertThatThrownBy(() -> PostgresSchema.of(db.pool("m"), db.schema).check())
          .isInstanceOf(JitException.class).hasMessageContaining("is at version 1");
    }
  }

  @Test
  void anUnreachableDatabaseIsAClearError() {
    org.postgresql.ds.PGSimpleDataSource nowhere = new org.postgresql.ds.PGSimpleDataSource();
    nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none");
    nowhere.setConnectTimeout(2);
    assertThatThrownBy(() -> PostgresSchema.of(nowhere, "jit").check())
        .isInstanceOf(JitException.class).hasMessageContaining("could not read the version of schema \"jit\"")
        .hasCauseInstanceOf(java.sql.SQLException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Jit", "jit-x", "1jit", "jit;drop", "jit\"x", "j\u00e9t", "a23456789012345678901234567890123456789012"})
  void badSchemaNamesAreRefused(String bad) {
    assertThatThrownBy(() -> PostgresSchema.of(TestDatabase.direct(), bad))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema must match");
    assertThatThrownBy(() -> PostgresGrantStore.builder().schema(bad))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema must match");
  }

  @Test
  void nullArgumentsAreNamed() {
    assertThatThrownBy(() -> PostgresSchema.of(null)).isInstanceOf(NullPointerException.class).hasMessage("dataSource");
    assertThatThrownBy(() -> PostgresSchema.of(TestDatabase.direct(), null))
        .isInstanceOf(NullPointerException.class).hasMessage("schema");
  }
}
