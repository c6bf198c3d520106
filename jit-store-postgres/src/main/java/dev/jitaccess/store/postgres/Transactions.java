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
 * nothing. Every failure becomes a {@link JitException} naming what failed (a grant id, never a token)
 * with the driver's exception as cause: the broker then fails closed.
 */
final class Transactions {
  /** Work on one connection. */
  @FunctionalInterface
  interface Work<T> {
    /** Does the work; the connection is in a transaction unless the caller asked for auto-commit. */
    T run(Connection c) throws SQLException;
  }

  private final DataSource dataSource;

  Transactions(DataSource dataSource) {
    this.dataSource = dataSource;
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
      throw new JitException("grant store: could not " + what + ": " + e.getMessage(), e);
    }
  }

  /** Runs one read or one statement in auto-commit mode. */
  <T> T autoCommit(String what, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new JitException("grant store: could not " + what + ": " + e.getMessage(), e);
    }
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
