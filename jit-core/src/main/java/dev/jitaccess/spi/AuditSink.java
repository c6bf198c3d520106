package dev.jitaccess.spi;

import dev.jitaccess.internal.DiscardingAuditSink;
import dev.jitaccess.internal.JsonLinesAuditSink;
import dev.jitaccess.internal.Slf4jAuditSink;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Receives every audit event. Must be thread-safe. By default a sink that throws blocks issuance (fail
 * closed); the broker builder can make audit failures non-fatal.
 *
 * <p><b>Lifecycle.</b> A sink may hold resources (the JSON-lines sink holds its file and an exclusive
 * lock), so it is {@link AutoCloseable}; {@link #close()} is a no-op by default. Whoever creates a sink
 * closes it: the broker closes the sink it created itself (the default {@link #slf4j()} sink), and a sink
 * given to the broker's builder stays the caller's, to close after the broker (try-with-resources, or the
 * framework's shutdown hook). After {@code close()} the same file can be opened again in the same JVM.
 *
 * <p><b>Delivery.</b> The broker calls {@link #requireDelivering()} when it is built, so a sink that would
 * silently drop every record (SLF4J with no provider) stops the broker from starting instead. Dropping
 * audit on purpose takes the explicit {@link #discardEveryRecord()}.
 */
@FunctionalInterface
public interface AuditSink extends AutoCloseable {

  /** Records one event; throwing signals the event was not recorded. */
  void record(AuditEvent event);

  /**
   * Checks that records given to this sink reach somewhere; the broker calls it from {@code build()}.
   * The default checks nothing.
   *
   * @throws IllegalStateException naming the fix, if every record would be dropped (for {@link #slf4j()}:
   *     no SLF4J provider on the class path, or INFO disabled for logger {@code dev.jitaccess.audit}), or
   *     the sink is closed
   */
  default void requireDelivering() {}

  /** Releases what the sink holds; later records throw. Idempotent. The default does nothing. */
  @Override
  default void close() {}

  /**
   * The default sink: SLF4J logger {@code dev.jitaccess.audit} at INFO, with key-value pairs, every value
   * escaped so that one line parses back to exactly its fields. Needs an SLF4J provider (Logback, Log4j 2,
   * slf4j-simple, ...): without one SLF4J drops every line, and {@link #requireDelivering()} refuses.
   */
  static AuditSink slf4j() {
    return new Slf4jAuditSink();
  }

  /**
   * A tamper-evident file: one JSON object per line, each carrying the SHA-256 of the previous line, so
   * {@link dev.jitaccess.AuditTrail#verify(Path)} finds the first altered, removed or reordered record.
   * Appends to an existing trail, continuing its chain. Each line is handed to the operating system before
   * {@link #record} returns ({@link Durability#OPERATING_SYSTEM}). Holds the file exclusively until
   * {@link #close()}.
   *
   * @throws dev.jitaccess.JitException if the file cannot be opened, is open for writing elsewhere (a sink
   *     not closed, in this JVM or another), or its last line is incomplete or not a record
   */
  static AuditSink jsonLines(Path file) {
    return jsonLines(file, Durability.OPERATING_SYSTEM);
  }

  /**
   * {@link #jsonLines(Path)} with a choice of how far each line is written before {@link #record} returns.
   *
   * @param durability {@link Durability#DEVICE} forces each line to the storage device (an fsync per
   *     event)
   * @throws dev.jitaccess.JitException as {@link #jsonLines(Path)}
   */
  static AuditSink jsonLines(Path file, Durability durability) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(durability, "durability");
    return JsonLinesAuditSink.open(file, durability == Durability.DEVICE);
  }

  /**
   * A sink that drops every record: no audit trail at all. Only for tests and demos that do not look at
   * audit; a broker built with it issues grants that nobody can ever account for.
   */
  static AuditSink discardEveryRecord() {
    return DiscardingAuditSink.INSTANCE;
  }

  /** How far {@link #jsonLines(Path, Durability)} writes each line before {@code record} returns. */
  enum Durability {
    /** Handed to the operating system: survives a crash of the JVM, not a power loss. The default. */
    OPERATING_SYSTEM,
    /** Forced to the storage device: survives a power loss; costs a device flush per record. */
    DEVICE
  }
}
