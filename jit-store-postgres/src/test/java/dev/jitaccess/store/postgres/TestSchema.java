package dev.jitaccess.store.postgres;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One migrated schema per test class, the setup the PostgreSQL test classes repeated: register it as
 * {@code @RegisterExtension static final TestSchema SCHEMA = new TestSchema();}. It creates the schema
 * ({@link TestDatabase#migrated()}: skipped, or failed under {@code CI=true}, when the server is
 * unreachable) before the first test and drops it, with every pool it made, after the last.
 */
final class TestSchema implements BeforeAllCallback, AfterAllCallback {
  private @Nullable TestDatabase db;

  @Override
  public void beforeAll(ExtensionContext context) {
    db = TestDatabase.migrated();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    TestDatabase open = db;
    db = null;
    if (open != null) {
      open.close();
    }
  }

  /** The class's schema; only from the first test to the last. */
  TestDatabase db() {
    TestDatabase open = db;
    if (open == null) {
      throw new IllegalStateException("no schema: register TestSchema as a static @RegisterExtension field");
    }
    return open;
  }
}
