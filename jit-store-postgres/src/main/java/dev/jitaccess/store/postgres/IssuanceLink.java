package dev.jitaccess.store.postgres;

import dev.jitaccess.JitException;
import dev.jitaccess.spi.GrantStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a grant row and its {@code ISSUED} audit record one transaction, when a {@link
 * PostgresGrantStore} and a {@link PostgresAuditSink} share a database ({@link
 * PostgresAuditSink.Builder#grantStore}).
 *
 * <p>The broker inserts a grant, signs its token, then records {@code ISSUED}; if signing or the record
 * fails it removes the grant. With the link, the store's insert runs its transaction (quota locks,
 * checks, insert) but does not commit it: the connection is parked under the grant id. The sink's
 * {@code ISSUED} record for that grant is appended on the parked connection, and the two commit together;
 * the broker's {@code remove} of an aborted grant rolls the parked transaction back. So no other replica
 * (or this one) ever sees a committed grant row without its {@code ISSUED} record, and a crash between
 * the two leaves neither. A transaction parked longer than {@link #MAX_PARKED} (a broker that
 * never recorded {@code ISSUED}, for example because it was given another audit sink) is rolled back at
 * the next insert and logged at ERROR: the grant then does not exist, so its token verifies nowhere.
 * While parked, the insert keeps the quota locks of its identity and task, so another insert for either
 * waits for the ISSUED record (the broker records it on the same thread right after signing).
 */
final class IssuanceLink {
  private static final Logger LOG = LoggerFactory.getLogger(IssuanceLink.class);
  /** How long a parked grant transaction may wait for its ISSUED record, by the store's clock. */
  static final Duration MAX_PARKED = Duration.ofSeconds(30);

  private final DataSource dataSource;
  private final Clock clock;
  private final Map<String, Parked> parked = new ConcurrentHashMap<>();

  private record Parked(Connection connection, Instant since) {}

  IssuanceLink(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /**
   * Runs the store's insert in a transaction and parks it uncommitted when the grant was inserted;
   * otherwise rolls it back and returns the result.
   */
  GrantStore.InsertResult insert(String grantId, Transactions.Work<GrantStore.InsertResult> work) {
    rollBackStale();
    Connection c = null;
    try {
      c = dataSource.getConnection();
      c.setAutoCommit(false);
      GrantStore.InsertResult result = work.run(c);
      if (result != GrantStore.InsertResult.INSERTED) {
        c.rollback();
        c.close();
        return result;
      }
      if (parked.putIfAbsent(grantId, new Parked(c, clock.instant())) != null) {
        throw new SQLException("grant " + grantId + " already has a transaction waiting for its ISSUED record");
      }
      return result;
    } catch (SQLException | RuntimeException e) {
      if (c != null) {
        discard(c, e);
      }
      if (e instanceof JitException j) {
        throw j;
      }
      throw new JitException("grant store: could not insert grant " + grantId + ": " + e.getMessage(), e);
    }
  }

  /**
   * Appends on the parked transaction of {@code grantId} and commits both; false if nothing is parked for
   * it (the caller then records on its own).
   *
   * @throws JitException if the append or the commit failed: then neither the grant nor the record exists
   */
  boolean commitWith(String grantId, Consumer<Connection> append) {
    Parked p = parked.remove(grantId);
    if (p == null) {
      return false;
    }
    Connection c = p.connection();
    try {
      append.accept(c);
      c.commit();
      c.setAutoCommit(true);
      c.close();
      return true;
    } catch (SQLException | RuntimeException e) {
      discard(c, e);
      if (e instanceof JitException j) {
        throw j;
      }
      throw new JitException("audit: could not commit grant " + grantId + " with its ISSUED record (SQLState "
          + (e instanceof SQLException s ? s.getSQLState() : "none") + ")", e);
    }
  }

  /** Rolls back the parked transaction of {@code grantId}; false if nothing was parked for it. */
  boolean rollback(String grantId) {
    Parked p = parked.remove(grantId);
    if (p == null) {
      return false;
    }
    discard(p.connection(), null);
    return true;
  }

  /** How many grant transactions wait for their ISSUED record. */
  int parkedCount() {
    return parked.size();
  }

  private void rollBackStale() {
    Instant oldest = clock.instant().minus(MAX_PARKED);
    for (Map.Entry<String, Parked> e : List.copyOf(parked.entrySet())) {
      if (e.getValue().since().isBefore(oldest) && parked.remove(e.getKey(), e.getValue())) {
        LOG.error("grant {} waited more than 30 s for its ISSUED record and was rolled back: is the broker's audit"
            + " sink the PostgresAuditSink linked to this store?", e.getKey());
        discard(e.getValue().connection(), null);
      }
    }
  }

  private static void discard(Connection c, @Nullable Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      if (cause != null) {
        cause.addSuppressed(e);
      }
    }
    try {
      c.setAutoCommit(true);
    } catch (SQLException ignored) {
      // a broken connection; the pool discards it
    }
    try {
      c.close();
    } catch (SQLException e) {
      if (cause != null) {
        cause.addSuppressed(e);
      }
    }
  }
}
