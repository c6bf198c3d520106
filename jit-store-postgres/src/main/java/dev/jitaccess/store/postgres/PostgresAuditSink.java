package dev.jitaccess.store.postgres;

import dev.jitaccess.AuditTrail;
import dev.jitaccess.JitException;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * An append-only, hash-chained audit trail in PostgreSQL, shared by every replica: one chain, whichever
 * replica records an event.
 *
 * <p><b>Writing.</b> {@link #record} appends one record in one transaction through the schema's {@code
 * jit_audit_append} function: it takes the row lock on the single head row ({@code jit_audit_head}), so
 * appends from all replicas are serialised, gives the record the next sequence number (gap-free from 1),
 * chains it to the previous record's hash, inserts it and moves the head onto it. Record and head commit
 * together or not at all; {@code record} returns only after the commit, and throws {@link JitException}
 * (with the driver's exception as cause) if the record was not committed, so the broker refuses what it
 * could not audit. Triggers refuse {@code UPDATE}, {@code DELETE} and {@code TRUNCATE} of records and
 * allow the head to move only forward onto an existing record.
 *
 * <p><b>Format.</b> Each record is one line of the JSON-lines format of {@link AuditSink#jsonLines}
 * (written in pure ASCII, other characters escaped), and its hash is the base64url SHA-256 of that line:
 * {@link #exportJsonLines} writes a file that {@link AuditTrail#verify(java.nio.file.Path)} accepts.
 *
 * <p><b>Verifying.</b> {@link #verify()} reads the table and its head in one consistent snapshot and
 * reports the first record that was altered, removed or inserted, in the same {@link AuditTrail.Check}
 * the file trail gives ({@code firstBadLine} is the record's {@code seq}). Unlike the file, the end of
 * the chain is anchored: the head row holds the last record's seq and hash, updated in the appending
 * transaction, so records removed from the end are detected. Someone who can rewrite both the records and
 * the head (a table owner disabling the triggers) can still rewrite history consistently; {@link #head()}
 * gives the value to anchor outside the database (a signed checkpoint, another system), and {@link
 * #verify(Head)} checks that the trail still extends that anchor.
 *
 * <p><b>With the grant store.</b> Given the {@link PostgresGrantStore} of the same database ({@link
 * Builder#grantStore}), a grant row is never committed without its {@code ISSUED} record: the store's
 * insert waits, uncommitted, for the broker's {@code ISSUED} record of that grant, which is appended in
 * the same transaction; if the broker aborts the issuance (signing or the record failed) the insert is
 * rolled back. See {@code IssuanceLink}. The broker must then record into this sink, and an audit
 * failure always refuses the grant, even with {@code auditFailureBlocksIssuance(false)}.
 *
 * <p>Thread-safe; holds no connection between calls (each call borrows one from the {@link DataSource}).
 * Requires the schema at version 2 or later ({@link PostgresSchema#migrate()}).
 */
public final class PostgresAuditSink implements AuditSink {
  private static final int FETCH_SIZE = 1_000;

  private final DataSource dataSource;
  private final Transactions tx;
  private final String schema;
  private final String appendSql;
  private final @Nullable IssuanceLink issuance;

  private PostgresAuditSink(DataSource dataSource, String schema, @Nullable IssuanceLink issuance) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.schema = SchemaName.check(schema);
    this.tx = new Transactions(dataSource, "audit");
    this.appendSql = "SELECT out_seq, out_hash FROM " + SchemaName.quoted(schema) + ".jit_audit_append(?)";
    this.issuance = issuance;
  }

  /** A sink without the schema check of {@link Builder#build()}, for tests of an unreachable database. */
  static PostgresAuditSink unchecked(DataSource dataSource, String schema) {
    return new PostgresAuditSink(dataSource, schema, null);
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Appends one record to the shared chain, in its own transaction.
   *
   * @throws JitException if the record was not committed (the database is unreachable, the schema is
   *     missing, the transaction failed); the cause is the driver's exception
   */
  @Override
  public void record(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    String body = AuditLine.body(event);
    String grantId = event.fields().get(AuditEvent.GRANT_ID);
    if (issuance != null && event.type() == AuditEventType.ISSUED && grantId != null
        && issuance.commitWith(grantId, c -> append(c, event))) {
      return; // committed together with the grant row
    }
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      append(c, body);
    } catch (SQLException e) {
      throw failed(event, e);
    }
  }

  /**
   * Appends one record on {@code c}, inside the caller's transaction (or as its own when {@code c} is in
   * auto-commit mode): the record commits or rolls back with the caller's work.
   */
  Head append(Connection c, AuditEvent event) {
    Objects.requireNonNull(event, "event");
    try {
      return append(c, AuditLine.body(event));
    } catch (SQLException e) {
      throw failed(event, e);
    }
  }

  private Head append(Connection c, String body) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(appendSql)) {
      ps.setString(1, body);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("jit_audit_append returned no row");
        }
        return new Head(rs.getLong(1), rs.getString(2));
      }
    }
  }

  private JitException failed(AuditEvent event, SQLException e) {
    return new JitException("audit: could not record " + event.type() + event.grantId().map(g -> " of grant " + g).orElse("")
        + " in schema \"" + schema + "\" (SQLState " + e.getSQLState() + ")", e);
  }

  /**
   * The end of the chain: the last record's seq and hash ({@code 0} and {@code GENESIS} while empty), to
   * anchor outside the database.
   *
   * @throws JitException if the database fails
   */
  public Head head() {
    return tx.autoCommit("read the head of schema \"" + schema + "\"", c -> {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT seq, hash FROM " + SchemaName.quoted(schema) + ".jit_audit_head")) {
        if (!rs.next()) {
          throw new JitException("audit: the head row of schema \"" + schema + "\" is missing");
        }
        return new Head(rs.getLong(1), rs.getString(2));
      }
    });
  }

  /**
   * Verifies the whole trail against its head, in one snapshot.
   *
   * <p>Record {@code n} (from 1) must have seq {@code n}; its line must start with its seq, end with the
   * previous record's hash ({@code GENESIS} for the first) and hash to its stored hash; the head must
   * name the last record's seq and hash. The first failure is reported at the record where it shows:
   * an altered record whose stored hash was left alone shows at itself; one whose hash was recomputed
   * shows at the next record (or at the head, for the last record); a removed record shows as a gap at
   * the missing seq; records removed from the end show as the head pointing past the last record; a record
   * appended without moving the head shows at that record.
   *
   * @return intact with the record count, or the first bad record's seq ({@code firstBadLine}), the
   *     count of records before it and why
   * @throws JitException if the database fails
   */
  public AuditTrail.Check verify() {
    return verify(null);
  }

  /**
   * Verifies the trail as {@link #verify()} does and also that it still extends an anchor taken earlier
   * with {@link #head()}: the record at the anchor's seq exists and has the anchor's hash.
   *
   * @param anchor a head recorded earlier, outside the database; null to skip that check
   * @throws JitException if the database fails
   */
  public AuditTrail.Check verify(@Nullable Head anchor) {
    return tx.snapshot("verify the trail of schema \"" + schema + "\"", c -> verify(c, anchor));
  }

  private AuditTrail.Check verify(Connection c, @Nullable Head anchor) throws SQLException {
    Head head;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT seq, hash FROM " + SchemaName.quoted(schema) + ".jit_audit_head")) {
      if (!rs.next()) {
        return broken(1, "the head row is missing: the chain's end cannot be checked");
      }
      head = new Head(rs.getLong(1), rs.getString(2));
    }
    long expected = 1;
    String prev = AuditLine.GENESIS;
    try (Statement s = c.createStatement()) {
      s.setFetchSize(FETCH_SIZE);
      try (ResultSet rs = s.executeQuery(
          "SELECT seq, line, hash FROM " + SchemaName.quoted(schema) + ".jit_audit ORDER BY seq")) {
        while (rs.next()) {
          long seq = rs.getLong(1);
          String line = rs.getString(2);
          String hash = rs.getString(3);
          if (seq != expected) {
            return broken(expected, "removed: seq " + expected + (seq == expected + 1 ? "" : " to " + (seq - 1))
                + " missing (seq " + (expected - 1) + " is followed by " + seq + ")");
          }
          if (seq > head.seq()) {
            return broken(seq, "appended past the head: the head names seq " + head.seq()
                + ", so this record was not written by an append");
          }
          if (!line.startsWith(AuditLine.prefix(seq))) {
            return broken(seq, "altered: the line does not start with its seq " + seq);
          }
          if (!line.endsWith(AuditLine.suffix(prev))) {
            return broken(seq, seq == 1
                ? "altered: the first record's prev is not " + AuditLine.GENESIS
                : "altered: its prev does not match the hash of seq " + (seq - 1) + " (that record or this one was changed)");
          }
          if (!AuditLine.hash(line).equals(hash)) {
            return broken(seq, "altered: the line does not match its stored hash");
          }
          if (anchor != null && seq == anchor.seq() && !hash.equals(anchor.hash())) {
            return broken(seq, "altered: the hash differs from the anchor taken at seq " + anchor.seq());
          }
          prev = hash;
          expected++;
        }
      }
    }
    long last = expected - 1;
    if (head.seq() > last) {
      return broken(last + 1, "truncated: the head names seq " + head.seq() + " but the trail ends at seq " + last);
    }
    if (!head.hash().equals(prev)) {
      return broken(last, "altered: the hash of the last record, seq " + last + ", does not match the head");
    }
    if (anchor != null && anchor.seq() > last) {
      return broken(last + 1, "truncated: the anchor names seq " + anchor.seq() + " but the trail ends at seq " + last);
    }
    return new AuditTrail.Check(true, Math.toIntExact(last), 0, "");
  }

  private static AuditTrail.Check broken(long seq, String problem) {
    return new AuditTrail.Check(false, Math.toIntExact(seq - 1), Math.toIntExact(seq), problem);
  }

  /**
   * Writes every record, in seq order, one line each, to {@code out} (which stays open): a file in the
   * format of {@link AuditSink#jsonLines} that {@link AuditTrail#verify(java.nio.file.Path)} checks. Read
   * in one snapshot.
   *
   * @return how many records were written
   * @throws JitException if the database or the stream fails
   */
  public long exportJsonLines(OutputStream out) {
    Objects.requireNonNull(out, "out");
    try {
      return tx.snapshot("export the trail of schema \"" + schema + "\"", c -> {
        try (Statement s = c.createStatement()) {
          s.setFetchSize(FETCH_SIZE);
          long n = 0;
          Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
          try (ResultSet rs = s.executeQuery("SELECT line FROM " + SchemaName.quoted(schema) + ".jit_audit ORDER BY seq")) {
            while (rs.next()) {
              w.write(rs.getString(1));
              w.write('\n');
              n++;
            }
          }
          w.flush();
          return n;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw new JitException("audit: could not write the exported trail", e);
    }
  }

  /** The schema name. */
  String schema() {
    return schema;
  }

  @Override
  public String toString() {
    return "PostgresAuditSink[schema=" + schema + "]";
  }

  /**
   * The end of the chain at some moment.
   *
   * @param seq the last record's sequence number, 0 for an empty trail
   * @param hash the last record's hash, {@code GENESIS} for an empty trail
   */
  public record Head(long seq, String hash) {
    /** Checks the values. */
    public Head {
      if (seq < 0) {
        throw new IllegalArgumentException("seq must be >= 0, got " + seq);
      }
      Objects.requireNonNull(hash, "hash");
      if (hash.isEmpty()) {
        throw new IllegalArgumentException("hash must not be empty");
      }
    }
  }

  /** Builds a {@link PostgresAuditSink}. Not thread-safe. */
  public static final class Builder {
    private @Nullable DataSource dataSource;
    private @Nullable String schema;
    private @Nullable PostgresGrantStore grantStore;

    private Builder() {}

    /**
     * The grant store of the same database and schema, whose inserts then commit only together with
     * their {@code ISSUED} record. Give the broker both this store and this sink. Default: none (the store
     * commits each insert at once, and the record follows in its own transaction).
     */
    public Builder grantStore(PostgresGrantStore grantStore) {
      this.grantStore = Checks.setOnce(this.grantStore, grantStore, "grantStore");
      return this;
    }

    /** The database, usually a connection pool. Required. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Checks.setOnce(this.dataSource, dataSource, "dataSource");
      return this;
    }

    /**
     * The schema holding the jit-access tables; default {@code jit}.
     *
     * @throws IllegalArgumentException if it is not lower-case ASCII letters, digits and underscores,
     *     starting with a letter or underscore, at most 40 characters
     */
    public Builder schema(String schema) {
      this.schema = SchemaName.check(Checks.setOnce(this.schema, schema, "schema"));
      return this;
    }

    /**
     * Builds the sink after checking the schema's version ({@link PostgresSchema#check()}).
     *
     * @throws IllegalStateException if no data source was given
     * @throws IllegalArgumentException if the grant store uses another schema
     * @throws JitException if the database is unreachable or the schema is missing, older or newer than
     *     this library
     */
    public PostgresAuditSink build() {
      if (dataSource == null) {
        throw new IllegalStateException("dataSource is required");
      }
      String name = schema == null ? SchemaName.DEFAULT : schema;
      if (grantStore != null && !grantStore.schema().equals(name)) {
        throw new IllegalArgumentException("the grant store uses schema '" + grantStore.schema() + "', the audit sink '"
            + name + "': a grant and its ISSUED record commit together only in one schema");
      }
      PostgresSchema.of(dataSource, name).check();
      if (grantStore == null) {
        return new PostgresAuditSink(dataSource, name, null);
      }
      PostgresAuditSink sink = new PostgresAuditSink(dataSource, name, grantStore.issuanceLink());
      grantStore.link(sink);
      return sink;
    }
  }
}
