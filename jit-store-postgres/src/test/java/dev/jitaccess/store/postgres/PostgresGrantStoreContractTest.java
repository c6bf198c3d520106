package dev.jitaccess.store.postgres;

import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.testkit.GrantStoreContract;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * jit-testkit's {@link GrantStoreContract} against {@link PostgresGrantStore} on the real server, the
 * change feed included: the peer is a second store instance (its own pool and feed) on the same schema.
 */
class PostgresGrantStoreContractTest extends GrantStoreContract {
  private static TestDatabase db;
  private static DataSource pool;
  private static DataSource peerPool;
  private final List<PostgresGrantStore> opened = new ArrayList<>();

  @BeforeAll
  static void createSchema() {
    db = TestDatabase.migrated();
    pool = db.pool("contract");
    peerPool = db.pool("peer");
  }

  @AfterAll
  static void dropSchema() {
    if (db != null) {
      db.close();
    }
  }

  @AfterEach
  void closeStores() {
    opened.forEach(PostgresGrantStore::close);
  }

  @Override
  protected GrantStore newStore() {
    db.execute("TRUNCATE jit_grant, jit_used_value, jit_grant_change");
    return open(pool);
  }

  @Override
  protected GrantStore peerOf(GrantStore store) {
    return open(peerPool);
  }

  private PostgresGrantStore open(DataSource ds) {
    PostgresGrantStore s = PostgresGrantStore.builder().dataSource(ds).listenerDataSource(TestDatabase.direct())
        .schema(db.schema).clock(clock).build();
    opened.add(s);
    return s;
  }
}
