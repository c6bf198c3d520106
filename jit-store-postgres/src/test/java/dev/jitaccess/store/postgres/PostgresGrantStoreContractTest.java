package dev.jitaccess.store.postgres;

import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.testkit.GrantStoreContract;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * jit-testkit's {@link GrantStoreContract} against {@link PostgresGrantStore} on the real server, the
 * change feed included: the peer is a second store instance (its own pool and feed) on the same schema.
 */
class PostgresGrantStoreContractTest extends GrantStoreContract {
  @RegisterExtension
  static final TestSchema SCHEMA = new TestSchema();
  private static DataSource pool;
  private static DataSource peerPool;
  private final List<PostgresGrantStore> opened = new ArrayList<>();

  @BeforeAll
  static void openPools() {
    pool = SCHEMA.db().pool("contract");
    peerPool = SCHEMA.db().pool("peer");
  }

  @AfterEach
  void closeStores() {
    opened.forEach(PostgresGrantStore::close);
  }

  @Override
  protected GrantStore newStore() {
    SCHEMA.db().execute("TRUNCATE jit_grant, jit_used_value, jit_grant_change");
    return open(pool);
  }

  @Override
  protected GrantStore peerOf(GrantStore store) {
    return open(peerPool);
  }

  private PostgresGrantStore open(DataSource ds) {
    PostgresGrantStore s = PostgresGrantStore.builder().dataSource(ds).listenerDataSource(TestDatabase.direct())
        .schema(SCHEMA.db().schema).clock(clock).build();
    opened.add(s);
    return s;
  }
}
