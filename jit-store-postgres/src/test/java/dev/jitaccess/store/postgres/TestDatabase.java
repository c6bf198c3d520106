package dev.jitaccess.store.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The real PostgreSQL server the tests run against, from JIT_PG_URL / JIT_PG_USER / JIT_PG_PASSWORD
 * (defaults: jdbc:postgresql://127.0.0.1:5432/jit_test, jit, jit). Unreachable: a failure when
 * {@code CI=true}, otherwise the test is skipped with a loud message. Each test class works in its own
 * freshly created schema with a random name and drops it afterwards.
 */
final class TestDatabase implements AutoCloseable {
  static final String URL = env("JIT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/jit_test");
  static final String USER = env("JIT_PG_USER", "jit");
  static final String PASSWORD = env("JIT_PG_PASSWORD", "jit");
  private static final SecureRandom RANDOM = new SecureRandom();

  final String schema;
  private final java.util.List<HikariDataSource> pools = new java.util.ArrayList<>();

  private TestDatabase(String schema) {
    this.schema = schema;
  }

  /** A fresh, empty schema (not migrated) on the server; skips or fails if the server is unreachable. */
  static TestDatabase freshSchema() {
    requireServer();
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    TestDatabase db = new TestDatabase("jit_t_" + HexFormat.of().formatHex(b));
    db.execute("CREATE SCHEMA " + db.schema);
    return db;
  }

  /** A fresh schema with the jit-access tables. */
  static TestDatabase migrated() {
    TestDatabase db = freshSchema();
    PostgresSchema.of(db.pool("migrate"), db.schema).migrate();
    return db;
  }

  static void requireServer() {
    try (Connection c = DriverManager.getConnection(URL, props())) {
      c.isValid(5);
    } catch (SQLException e) {
      String msg = "PostgreSQL is not reachable at " + URL + " as " + USER + ": " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(msg + " (CI=true: a missing database is a failure; .ci/run starts it)");
      }
      System.err.println("!!!!! SKIPPING PostgreSQL tests: " + msg + " (start it as .ci/run does) !!!!!");
      Assumptions.abort(msg);
    }
  }

  /** A new small pool (max 4 connections), closed with this database. */
  HikariDataSource pool(String name) {
    return pool(name, URL);
  }

  /**
   * A new small pool (max 4 connections) on another URL of the same database (through a {@link TcpProxy}),
   * closed with this database; its connections carry {@code application_name} {@code <schema>-<name>}.
   */
  HikariDataSource pool(String name, String url) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setUsername(USER);
    cfg.setPassword(PASSWORD);
    cfg.setMaximumPoolSize(4);
    cfg.setMinimumIdle(0);
    cfg.setPoolName(schema + "-" + name);
    cfg.setConnectionTimeout(5_000);
    cfg.setInitializationFailTimeout(-1);
    cfg.addDataSourceProperty("ApplicationName", schema + "-" + name);
    HikariDataSource ds = new HikariDataSource(cfg);
    synchronized (pools) {
      pools.add(ds);
    }
    return ds;
  }

  /** An unpooled data source, for the change feed's own connection. */
  static DataSource direct() {
    return direct("jit-test");
  }

  /** An unpooled data source whose connections carry {@code application_name}, to find their backends. */
  static DataSource direct(String applicationName) {
    return direct(applicationName, URL);
  }

  /** An unpooled data source on another URL of the same database, with {@code application_name}. */
  static DataSource direct(String applicationName, String url) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setApplicationName(applicationName);
    ds.setURL(url);
    ds.setConnectTimeout(2);
    ds.setUser(USER);
    ds.setPassword(PASSWORD);
    return ds;
  }

  /** Runs SQL on a direct connection, search_path set to this schema. */
  void execute(String sql) {
    try (Connection c = DriverManager.getConnection(URL, props()); Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + schema);
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** Runs a query returning one long, search_path set to this schema. */
  long queryLong(String sql) {
    try (Connection c = DriverManager.getConnection(URL, props()); Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + schema);
      try (var rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** Terminates the server backends of connections with this application name; returns how many. */
  static long terminate(String applicationName) {
    try (Connection c = DriverManager.getConnection(URL, props());
        java.sql.PreparedStatement ps = c.prepareStatement(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?")) {
      ps.setString(1, applicationName);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * Terminates the server backends of every connection of this schema's pools and feeds (application
   * names starting with the schema name), as a database restart would; returns how many.
   */
  long terminateAll() {
    try (Connection c = DriverManager.getConnection(URL, props());
        java.sql.PreparedStatement ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            + " WHERE starts_with(application_name, ?) AND pid <> pg_backend_pid()")) {
      ps.setString(1, schema);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    synchronized (pools) {
      pools.forEach(HikariDataSource::close);
    }
    execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  static Properties props() {
    Properties p = new Properties();
    p.setProperty("user", USER);
    p.setProperty("password", PASSWORD);
    p.setProperty("connectTimeout", "5");
    return p;
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
