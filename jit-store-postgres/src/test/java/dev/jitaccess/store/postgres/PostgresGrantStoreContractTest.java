package dev.jitaccess.store.postgres;

import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.testkit.GrantStoreContract;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** jit-testkit's {@link GrantStoreContract} against {@link PostgresGrantStore} on the real server. */
class PostgresGrantStoreContractTest extends GrantStoreContract {
  private static TestDatabase db;
  private static DataSource pool;

  @BeforeAll
  static void createSchema() {
    db = TestDatabase.migrated();
    pool = db.pool("contract");
  }

  @AfterAll
  static void dropSchema() {
    if (db != null) {
      db.close();
    }
  }

  @Override
  protected GrantStore newStore() {
    db.execute("TRUNCATE jit_grant, jit_used_value, jit_grant_change");
    return PostgresGrantStore.builder().dataSource(pool).schema(db.schema).clock(clock).build();
  }
}
