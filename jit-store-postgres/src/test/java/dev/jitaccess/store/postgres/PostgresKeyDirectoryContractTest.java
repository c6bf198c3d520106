package dev.jitaccess.store.postgres;

import dev.jitaccess.spi.KeyDirectory;
import dev.jitaccess.testkit.KeyDirectoryContract;
import org.junit.jupiter.api.AfterEach;

/** jit-testkit's {@link KeyDirectoryContract} against {@link PostgresKeyDirectory} on the real server. */
class PostgresKeyDirectoryContractTest extends KeyDirectoryContract {
  private TestDatabase db;
  private PostgresKeyDirectory directory;

  @Override
  protected KeyDirectory newDirectory() {
    db = TestDatabase.migrated();
    directory = PostgresKeyDirectory.builder().dataSource(db.pool("contract")).schema(db.schema).build();
    return directory;
  }

  @Override
  protected boolean announcesChanges() {
    return true;
  }

  @AfterEach
  void dropSchema() {
    if (directory != null) {
      directory.close();
    }
    if (db != null) {
      db.close();
    }
  }
}
