package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.testkit.AuditSinkContract;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;

/**
 * jit-testkit's {@link AuditSinkContract} against {@link PostgresAuditSink} on the real server: every
 * event is kept exactly (read back from the table) and the chain verifies after each test.
 */
class PostgresAuditSinkContractTest extends AuditSinkContract {
  private TestDatabase db;
  private DataSource pool;

  @Override
  protected AuditSink newSink() {
    db = TestDatabase.migrated();
    pool = db.pool("contract");
    return PostgresAuditSink.builder().dataSource(pool).schema(db.schema).build();
  }

  @Override
  protected void verifyRecorded(AuditSink sink, List<AuditEvent> events, boolean inOrder) {
    List<String> expected = new ArrayList<>();
    events.forEach(e -> expected.add(AuditLine.body(e)));
    List<String> stored = bodies(pool, db.schema);
    if (inOrder) {
      assertThat(stored).containsExactlyElementsOf(expected);
    } else {
      assertThat(stored).containsExactlyInAnyOrderElementsOf(expected);
    }
    assertThat(((PostgresAuditSink) sink).verify().intact()).isTrue();
  }

  @AfterEach
  void dropSchema() {
    if (db != null) {
      db.close();
    }
  }

  /**
   * The bodies of the stored lines (prefix and suffix cut off), in the order they were recorded: across
   * chains by the server's time of the appending transaction, within a chain by seq.
   */
  static List<String> bodies(DataSource ds, String schema) {
    List<String> out = new ArrayList<>();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT seq, line FROM " + schema + ".jit_audit ORDER BY recorded_at, chain, seq")) {
      while (rs.next()) {
        String line = rs.getString(2);
        String prefix = AuditLine.prefix(rs.getLong(1));
        out.add(line.substring(prefix.length(), line.lastIndexOf(",\"prev\":\"")));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
