package dev.jitaccess.store.postgres;

import dev.jitaccess.JitException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The jit-access tables in one PostgreSQL schema: the versioned SQL scripts shipped in this jar, an
 * opt-in {@link #migrate()} and the start-up {@link #check()}.
 *
 * <p>The scripts are plain files in the jar under {@code dev/jitaccess/store/postgres/schema/}
 * ({@code V1__grants.sql}, ...; their order is in {@code migrations.list} beside them), written with
 * unqualified names so that teams running Flyway or Liquibase can apply them with {@code search_path}
 * set to their schema. Each script records its version in the table {@code jit_schema_version}, so
 * {@link #check()} works whichever tool applied them.
 *
 * <pre>{@code
 * PostgresSchema schema = PostgresSchema.of(dataSource);       // schema "jit"
 * schema.migrate();                                            // opt-in; or apply the files yourself
 * }</pre>
 *
 * <p>Immutable and thread-safe. Errors of the database are thrown as {@link JitException} with the
 * driver's exception as cause.
 */
public final class PostgresSchema {
  private static final Pattern SCRIPT = Pattern.compile("V([1-9][0-9]{0,5})__([A-Za-z0-9_]+)\\.sql");

  private final DataSource dataSource;
  private final String schema;

  private PostgresSchema(DataSource dataSource, String schema) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.schema = SchemaName.check(schema);
  }

  /** The tables in the default schema, {@code jit}. */
  public static PostgresSchema of(DataSource dataSource) {
    return new PostgresSchema(dataSource, SchemaName.DEFAULT);
  }

  /**
   * The tables in the given schema.
   *
   * @param schema lower-case ASCII letters, digits and underscores, starting with a letter or underscore,
   *     at most 40 characters
   * @throws IllegalArgumentException if the schema name is not of that form
   */
  public static PostgresSchema of(DataSource dataSource, String schema) {
    return new PostgresSchema(dataSource, schema);
  }

  /** The schema name. */
  public String schema() {
    return schema;
  }

  /** The version the scripts in this jar bring a schema to: the version this library expects. */
  public static int latestVersion() {
    return Scripts.ALL.size();
  }

  /**
   * The resource paths of the scripts in this jar, in the order they apply (for teams that feed them to
   * their own migration tool).
   */
  public static List<String> scriptResources() {
    List<String> paths = new ArrayList<>();
    for (Script s : Scripts.ALL) {
      paths.add("dev/jitaccess/store/postgres/schema/" + s.file());
    }
    return List.copyOf(paths);
  }

  /**
   * Creates the schema if needed and applies every script it lacks, in one transaction under a
   * transaction-level advisory lock: several replicas starting at once migrate once, the others wait and
   * find nothing left to do. Opt-in: a team that runs Flyway or Liquibase applies the files instead.
   *
   * @return the schema version afterwards ({@link #latestVersion()})
   * @throws JitException if the database fails, if the schema is newer than or unknown to this library
   *     (nothing is changed then), or if a script fails (nothing of the migration is committed)
   */
  public int migrate() {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
          lock.setString(1, "jit-access migrate " + schema);
          lock.execute();
        }
        try (Statement s = c.createStatement()) {
          s.execute("CREATE SCHEMA IF NOT EXISTS " + SchemaName.quoted(schema));
          s.execute("SET LOCAL search_path TO " + SchemaName.quoted(schema));
        }
        List<Integer> applied = appliedVersions(c);
        requireKnown(applied);
        for (Script script : Scripts.ALL.subList(applied.size(), Scripts.ALL.size())) {
          try (Statement s = c.createStatement()) {
            s.execute(script.sql());
          }
          List<Integer> now = appliedVersions(c);
          if (now.isEmpty() || now.get(now.size() - 1) != script.version()) {
            throw new JitException("schema script " + script.file() + " did not record version " + script.version()
                + " in jit_schema_version; nothing was migrated");
          }
        }
        c.commit();
        return Scripts.ALL.size();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    } catch (SQLException e) {
      throw new JitException("could not migrate schema \"" + schema + "\": " + e.getMessage(), e);
    }
  }

  /**
   * The schema's version: the highest version recorded in {@code jit_schema_version}, 0 if the schema or
   * the table does not exist.
   *
   * @throws JitException if the database fails
   */
  public int currentVersion() {
    try (Connection c = dataSource.getConnection()) {
      List<Integer> applied = appliedVersions(c);
      return applied.isEmpty() ? 0 : applied.get(applied.size() - 1);
    } catch (SQLException e) {
      throw new JitException("could not read the version of schema \"" + schema + "\": " + e.getMessage(), e);
    }
  }

  /**
   * Checks that the schema is exactly at {@link #latestVersion()}, with exactly the versions this
   * library ships. Stores call it when they are built, so a replica never runs against a schema it does
   * not understand.
   *
   * @throws JitException naming the schema, its version and the expected one, if the schema is missing,
   *     older (run {@link #migrate()} or apply the scripts), newer (a newer jit-access migrated it:
   *     upgrade this replica), or has versions this library does not know; or if the database fails
   */
  public void check() {
    List<Integer> applied;
    try (Connection c = dataSource.getConnection()) {
      applied = appliedVersions(c);
    } catch (SQLException e) {
      throw new JitException("could not read the version of schema \"" + schema + "\": " + e.getMessage(), e);
    }
    requireKnown(applied);
    int latest = Scripts.ALL.size();
    if (applied.isEmpty()) {
      throw new JitException("schema \"" + schema + "\" has no jit-access tables (expected version " + latest
          + "): call PostgresSchema.migrate() or apply the scripts " + scriptResources());
    }
    if (applied.size() < latest) {
      throw new JitException("schema \"" + schema + "\" is at version " + applied.size() + ", this jit-access expects "
          + latest + ": call PostgresSchema.migrate() or apply the scripts after V" + applied.size());
    }
  }

  /** Refuses recorded versions that are not exactly 1..n of this jar's scripts. */
  private void requireKnown(List<Integer> applied) {
    int latest = Scripts.ALL.size();
    for (int i = 0; i < applied.size(); i++) {
      int v = applied.get(i);
      if (v > latest) {
        throw new JitException("schema \"" + schema + "\" is at version " + applied.get(applied.size() - 1)
            + ", newer than this jit-access knows (up to " + latest + "): upgrade jit-access on this replica;"
            + " refusing to use a schema it does not understand");
      }
      if (v != i + 1) {
        throw new JitException("schema \"" + schema + "\" records versions " + applied
            + ", not a sequence 1.." + applied.size() + " of this jit-access's scripts: refusing an unknown schema");
      }
    }
  }

  /** The recorded versions in ascending order; empty if the schema or the table does not exist. */
  private List<Integer> appliedVersions(Connection c) throws SQLException {
    try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      exists.setString(1, SchemaName.quoted(schema) + ".jit_schema_version");
      try (ResultSet rs = exists.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return List.of();
        }
      }
    }
    List<Integer> versions = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT version FROM " + SchemaName.quoted(schema) + ".jit_schema_version ORDER BY version")) {
      while (rs.next()) {
        versions.add(rs.getInt(1));
      }
    }
    return versions;
  }

  static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public String toString() {
    return "PostgresSchema[" + schema + "]";
  }

  /** One script: its version, file name and text. */
  private record Script(int version, String file, String sql) {}

  /** The scripts of this jar, read once. */
  private static final class Scripts {
    static final List<Script> ALL = load();

    private static List<Script> load() {
      List<Script> scripts = new ArrayList<>();
      for (String line : read("migrations.list").split("\n", -1)) {
        String name = line.strip();
        if (name.isEmpty() || name.startsWith("#")) {
          continue;
        }
        Matcher m = SCRIPT.matcher(name);
        if (!m.matches() || Integer.parseInt(m.group(1)) != scripts.size() + 1) {
          throw new IllegalStateException("migrations.list: expected V" + (scripts.size() + 1) + "__<name>.sql, got " + name);
        }
        scripts.add(new Script(scripts.size() + 1, name, read(name)));
      }
      return List.copyOf(scripts);
    }

    private static String read(String name) {
      try (InputStream in = PostgresSchema.class.getResourceAsStream("schema/" + name)) {
        if (in == null) {
          throw new IllegalStateException("schema resource missing from the jar: " + name);
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read schema resource " + name, e);
      }
    }
  }
}
