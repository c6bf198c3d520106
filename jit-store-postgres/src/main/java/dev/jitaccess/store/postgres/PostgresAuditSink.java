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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * An append-only, hash-chained audit trail in PostgreSQL, shared by every replica: 16 chains (schema
 * version 8), so that concurrent appends do not wait for each other's commit.
 *
 * <p><b>Writing.</b> {@link #record} appends one record in one transaction through the schema's {@code
 * jit_audit_append} function. Each chain has its own head row ({@code jit_audit_head}), its own gap-free
 * sequence numbers from 1 and its own hash chain. An append prefers the chain chosen by the event's grant id
 * (by its {@link String#hashCode()}, stable across JVMs; events without a grant id by their content), so a
 * grant's records normally land in one chain and read in order there; if another transaction holds that
 * chain's head at that moment, the append takes the next chain nobody holds ({@code FOR UPDATE SKIP
 * LOCKED}) rather than wait for that transaction's commit, and waits only when every chain is held. The
 * append locks the head row, gives the record the next seq of its chain, chains it to that chain's previous
 * record's hash, inserts it and moves the head onto it: record and head commit together or not at all.
 * Why 16 chains and not one: a commit waits for its WAL flush (milliseconds on a disk), and a grant commits
 * with its {@code ISSUED} record, so one shared head row lets only one grant commit per flush across all
 * replicas; with a free chain per concurrent append, commits overlap and PostgreSQL flushes them together.
 * {@code record} returns only after the commit, and throws {@link JitException} (with the driver's
 * exception as cause) if the record was not committed, so the broker refuses what it could not audit.
 * Triggers refuse {@code UPDATE}, {@code DELETE} and {@code TRUNCATE} of records and allow a head to move
 * only forward, within its chain, onto an existing record. {@link Builder#chains(int)} narrows the chains
 * this sink appends to (1 gives one strictly ordered chain, as before version 8).
 *
 * <p><b>Format.</b> Each record is one line of the JSON-lines format of {@link AuditSink#jsonLines}
 * (written in pure ASCII, other characters escaped), and its hash is the base64url SHA-256 of that line:
 * {@link #exportJsonLines(int, OutputStream)} writes one chain as a file that {@link
 * AuditTrail#verify(java.nio.file.Path)} accepts. Across chains, a record's {@code at} and the column
 * {@code recorded_at} (the server's time) order the records; the grant id collects a grant's history.
 *
 * <p><b>Verifying.</b> {@link #verify()} reads every chain and every head in one consistent snapshot and
 * reports the first record that was altered, removed or inserted, chain by chain, in the same {@link
 * AuditTrail.Check} the file trail gives ({@code firstBadLine} is the record's {@code seq} in its chain,
 * which the problem names). Unlike the file, the end of each chain is anchored: its head row holds the
 * last record's seq and hash, updated in the appending transaction, so records removed from the end of any
 * chain are detected. Someone who can rewrite both the records and the heads (a table owner disabling the
 * triggers) can still rewrite history consistently; {@link #head()} gives the value to anchor outside the
 * database (every chain's head), and {@link #verify(Heads)} checks that every chain still extends it.
 *
 * <p><b>With the grant store.</b> Given the {@link PostgresGrantStore} of the same database ({@link
 * Builder#grantStore}), a grant row is never committed without its {@code ISSUED} record: the store's
 * insert waits, uncommitted, for the broker's {@code ISSUED} record of that grant, which is appended in
 * the same transaction; if the broker aborts the issuance (signing or the record failed) the insert is
 * rolled back. See {@code IssuanceLink}. The broker must then record into this sink, and an audit
 * failure always refuses the grant, even with {@code auditFailureBlocksIssuance(false)}.
 *
 * <p>Thread-safe; holds no connection between calls (each call borrows one from the {@link DataSource}).
 * Requires the schema at version 8 ({@link PostgresSchema#migrate()}).
 */
public final class PostgresAuditSink implements AuditSink {
  /** How many chains the schema has (version 8), numbered from 0. */
  public static final int CHAINS = 16;

  private static final int FETCH_SIZE = 1_000;

  private final DataSource dataSource;
  private final Transactions tx;
  private final String schema;
  private final String appendSql;
  private final @Nullable IssuanceLink issuance;
  private final int chains;

  private PostgresAuditSink(DataSource dataSource, String schema, @Nullable IssuanceLink issuance, int chains) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.schema = SchemaName.check(schema);
    this.tx = new Transactions(dataSource, "audit");
    this.appendSql = "SELECT out_chain, out_seq, out_hash FROM " + SchemaName.quoted(schema) + ".jit_audit_append(?, ?, ?)";
    this.issuance = issuance;
    this.chains = chains;
  }

  /** A sink without the schema check of {@link Builder#build()}, for tests of an unreachable database. */
  static PostgresAuditSink unchecked(DataSource dataSource, String schema) {
    return new PostgresAuditSink(dataSource, schema, null, CHAINS);
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Appends one record to one of the shared chains, in its own transaction.
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
      append(c, body, grantId);
    } catch (SQLException e) {
      throw failed(event, e);
    }
  }

  /**
   * Appends one record on {@code c}, inside the caller's transaction (or as its own when {@code c} is in
   * auto-commit mode): the record commits or rolls back with the caller's work.
   */
  void append(Connection c, AuditEvent event) {
    Objects.requireNonNull(event, "event");
    try {
      append(c, AuditLine.body(event), event.fields().get(AuditEvent.GRANT_ID));
    } catch (SQLException e) {
      throw failed(event, e);
    }
  }

  private void append(Connection c, String body, @Nullable String grantId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(appendSql)) {
      ps.setString(1, body);
      ps.setInt(2, preferredChain(grantId != null ? grantId : body, chains));
      ps.setInt(3, chains);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("jit_audit_append returned no row");
        }
      }
    }
  }

  /**
   * The chain an append prefers, out of {@code chains}: by the grant id (or, without one, the record's
   * body), so that a grant's records go to one chain. {@link String#hashCode()} is specified, so every
   * replica and version chooses alike.
   */
  static int preferredChain(String key, int chains) {
    return Math.floorMod(key.hashCode(), chains);
  }

  private JitException failed(AuditEvent event, SQLException e) {
    return new JitException("audit: could not record " + event.type() + event.grantId().map(g -> " of grant " + g).orElse("")
        + " in schema \"" + schema + "\" (SQLState " + e.getSQLState() + ")", e);
  }

  /**
   * The end of every chain: each chain's last record's seq and hash ({@code 0} and {@code GENESIS} while
   * empty), read in one snapshot, to anchor outside the database.
   *
   * @throws JitException if the database fails or a head row is missing
   */
  public Heads head() {
    return tx.snapshot("read the heads of schema \"" + schema + "\"", c -> {
      @Nullable Head[] heads = heads(c);
      List<Head> all = new ArrayList<>(CHAINS);
      for (int chain = 0; chain < CHAINS; chain++) {
        Head head = heads[chain];
        if (head == null) {
          throw new JitException("audit: the head row of chain " + chain + " in schema \"" + schema + "\" is missing");
        }
        all.add(head);
      }
      return new Heads(all);
    });
  }

  private @Nullable Head[] heads(Connection c) throws SQLException {
    @Nullable Head[] heads = new Head[CHAINS];
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT chain, seq, hash FROM " + SchemaName.quoted(schema) + ".jit_audit_head")) {
      while (rs.next()) {
        int chain = rs.getInt(1);
        if (chain >= 0 && chain < CHAINS) {
          heads[chain] = new Head(rs.getLong(2), rs.getString(3));
        }
      }
    }
    return heads;
  }

  /**
   * Verifies every chain against its head, in one snapshot.
   *
   * <p>In each chain, record {@code n} (from 1) must have seq {@code n}; its line must start with its seq,
   * end with the previous record's hash ({@code GENESIS} for the first) and hash to its stored hash; the
   * chain's head must name its last record's seq and hash. The first failure (chains in order) is
   * reported at the record where it shows, and the problem names the chain: an altered record whose stored
   * hash was left alone shows at itself; one whose hash was recomputed shows at the next record (or at the
   * head, for the last record); a removed record shows as a gap at the missing seq; records removed from
   * the end show as the head pointing past the last record; a record appended without moving the head
   * shows at that record; a missing head row shows at seq 1 of its chain.
   *
   * @return intact with the record count of all chains, or the first bad record's seq in its chain ({@code
   *     firstBadLine}), the count of records checked before it and why
   * @throws JitException if the database fails
   */
  public AuditTrail.Check verify() {
    return verify(null);
  }

  /**
   * Verifies the trail as {@link #verify()} does and also that every chain still extends an anchor taken
   * earlier with {@link #head()}: in each chain, the record at the anchor's seq exists and has the anchor's
   * hash.
   *
   * @param anchor the heads recorded earlier, outside the database; null to skip that check
   * @throws JitException if the database fails
   */
  public AuditTrail.Check verify(@Nullable Heads anchor) {
    return tx.snapshot("verify the trail of schema \"" + schema + "\"", c -> verify(c, anchor));
  }

  private AuditTrail.Check verify(Connection c, @Nullable Heads anchor) throws SQLException {
    @Nullable Head[] heads = heads(c);
    long passed = 0;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT seq, line, hash FROM " + SchemaName.quoted(schema) + ".jit_audit WHERE chain = ? ORDER BY seq")) {
      ps.setFetchSize(FETCH_SIZE);
      for (int chain = 0; chain < CHAINS; chain++) {
        Head head = heads[chain];
        if (head == null) {
          return broken(passed, 1, "the head row is missing: the chain's end cannot be checked, in chain " + chain);
        }
        AuditChainCheck check = new AuditChainCheck(chain, head, anchor == null ? null : anchor.chains().get(chain));
        @Nullable String problem = null;
        ps.setInt(1, chain);
        try (ResultSet rs = ps.executeQuery()) {
          while (problem == null && rs.next()) {
            problem = check.next(rs.getLong(1), rs.getString(2), rs.getString(3));
          }
        }
        if (problem == null) {
          problem = check.end();
        }
        if (problem != null) {
          return broken(passed, check.badSeq(), problem);
        }
        passed += check.passed();
      }
    }
    return new AuditTrail.Check(true, Math.toIntExact(passed), 0, "");
  }

  private static AuditTrail.Check broken(long passedBefore, long seq, String problem) {
    long bad = Math.max(1, seq);
    return new AuditTrail.Check(false, Math.toIntExact(passedBefore + bad - 1), Math.toIntExact(bad), problem);
  }

  /**
   * Writes every record of one chain, in seq order, one line each, to {@code out} (which stays open): a
   * file in the format of {@link AuditSink#jsonLines} that {@link AuditTrail#verify(java.nio.file.Path)}
   * checks. Read in one snapshot.
   *
   * @param chain the chain, 0 to {@link #CHAINS} - 1
   * @return how many records were written
   * @throws IllegalArgumentException if there is no such chain
   * @throws JitException if the database or the stream fails
   */
  public long exportJsonLines(int chain, OutputStream out) {
    Checks.range(chain, 0, CHAINS - 1, "chain");
    Objects.requireNonNull(out, "out");
    try {
      return tx.snapshot("export the trail of schema \"" + schema + "\"", c -> {
        try (PreparedStatement s = c.prepareStatement(
            "SELECT line FROM " + SchemaName.quoted(schema) + ".jit_audit WHERE chain = ? ORDER BY seq")) {
          s.setFetchSize(FETCH_SIZE);
          s.setInt(1, chain);
          long n = 0;
          Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
          try (ResultSet rs = s.executeQuery()) {
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
   * The ends of all chains at one moment ({@link #head()}): what to anchor outside the database. Kept
   * whole, it lets {@link #verify(Heads)} detect a later truncation or rewrite of any chain.
   *
   * @param chains the head of chain {@code i} at index {@code i}, {@link #CHAINS} of them
   */
  public record Heads(List<Head> chains) {
    /** Checks and copies the list. */
    public Heads {
      chains = List.copyOf(Objects.requireNonNull(chains, "chains"));
      Checks.range(chains.size(), CHAINS, CHAINS, "the number of chains");
    }

    /** How many records all chains held together. */
    public long records() {
      return chains.stream().mapToLong(Head::seq).sum();
    }
  }

  /**
   * The end of one chain at some moment.
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
    private @Nullable Integer chains;

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

    /**
     * How many chains this sink appends to, chains 0 to {@code chains - 1}; default {@link #CHAINS} (16).
     * More chains let more appends commit at once; 1 keeps one strictly ordered chain (appends then wait
     * for each other's commit). Verification always covers every chain, whatever the value.
     *
     * @throws IllegalArgumentException if it is not 1 to {@link #CHAINS}
     */
    public Builder chains(int chains) {
      this.chains = Checks.setOnce(this.chains, Checks.range(chains, 1, CHAINS, "chains"), "chains");
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
      int n = chains == null ? CHAINS : chains;
      if (grantStore == null) {
        return new PostgresAuditSink(dataSource, name, null, n);
      }
      PostgresAuditSink sink = new PostgresAuditSink(dataSource, name, grantStore.issuanceLink(), n);
      grantStore.link(sink);
      return sink;
    }
  }
}
