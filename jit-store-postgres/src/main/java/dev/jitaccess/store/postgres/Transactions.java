package dev.jitaccess.store.postgres;

import dev.jitaccess.JitException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs units of work on connections of the user's {@link DataSource}: one transaction each, committed
 * only when the work returns, rolled back on any failure, so a connection lost mid-transaction commits
 * nothing; or one read in auto-commit mode; or one consistent read-only snapshot. Every failure becomes a
 * {@link JitException} naming the component and what failed (a grant or approval id, never a token) with
 * the driver's SQLState, and the driver's exception as cause: the caller then fails closed. The one
 * helper of this module's grant store, key directory, approval handler and audit sink.
 */
final class Transactions {
  /** Work on one connection. */
  @FunctionalInterface
  interface Work<T> {
    /** Does the work; the connection is in a transaction unless the caller asked for auto-commit. */
    T run(Connection c) throws SQLException;
  }

  private final DataSource dataSource;
  private final String component;
  private final boolean driverMessage;

  /**
   * Transactions of the grant store: its failures also carry the driver's message (for example the
   * server's "must run in READ COMMITTED" refusal), which holds grant ids and SQL, never a token.
   */
  Transactions(DataSource dataSource) {
    this(dataSource, "grant store", true);
  }

  /**
   * Transactions of one component whose failures name only the SQLState (the driver's message could
   * quote approval or audit values).
   *
   * @param component how failures name the component, for example {@code approvals}
   */
  Transactions(DataSource dataSource, String component) {
    this(dataSource, component, false);
  }

  private Transactions(DataSource dataSource, String component, boolean driverMessage) {
    this.dataSource = dataSource;
    this.component = component;
    this.driverMessage = driverMessage;
  }

  /** Runs {@code work} in one transaction and commits it. */
  <T> T inTransaction(String what, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        PostgresSchema.rollbackQuietly(c, e);
        throw e;
      } finally {
        restoreAutoCommit(c);
      }
    } catch (SQLException e) {
      throw failed(what, e);
    }
  }

  /** Runs one read or one statement in auto-commit mode. */
  <T> T autoCommit(String what, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw failed(what, e);
    }
  }

  /**
   * Runs {@code work} in one read-only, repeatable-read snapshot, then rolls it back and restores the
   * connection's isolation and auto-commit mode.
   */
  <T> T snapshot(String what, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        return work.run(c);
      } finally {
        try {
          c.rollback();
          c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
          c.setAutoCommit(autoCommit);
        } catch (SQLException ignored) {
          // a broken connection; the pool discards it
        }
      }
    } catch (SQLException e) {
      throw failed(what, e);
    }
  }

  /**
   * The failure of {@code what}: the component, the SQLState (and, for the grant store, the driver's
   * message), the driver's exception as cause.
   */
  JitException failed(String what, SQLException e) {
    String message = component + ": could not " + what + " (SQLState " + e.getSQLState() + ")";
    return new JitException(driverMessage ? message + ": " + e.getMessage() : message, e);
  }

  private static void restoreAutoCommit(Connection c) {
    try {
      if (!c.isClosed()) {
        c.setAutoCommit(true);
      }
    } catch (SQLException ignored) {
      // the connection is broken; the pool discards it
    }
  }

  /** A 64-bit advisory-lock key for a text: the first 8 bytes of its SHA-256. */
  static long lockKey(String text) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      long k = 0;
      for (int i = 0; i < 8; i++) {
        k = (k << 8) | (h[i] & 0xff);
      }
      return k;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** SHA-256 of a text. */
  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
