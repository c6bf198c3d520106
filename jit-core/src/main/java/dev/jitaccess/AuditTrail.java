package dev.jitaccess;

import dev.jitaccess.internal.JsonLinesAuditSink;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Checks a tamper-evident audit file written by {@link dev.jitaccess.spi.AuditSink#jsonLines(Path)}.
 */
public final class AuditTrail {
  private AuditTrail() {}

  /**
   * Reads the whole file and reports the first record that was altered, removed, inserted or reordered.
   *
   * @param file the JSON-lines audit file
   * @return {@link Check#intact()} true with the record count, or the first broken line and why
   */
  public static Check verify(Path file) {
    Objects.requireNonNull(file, "file");
    return JsonLinesAuditSink.verify(file);
  }

  /**
   * The result of {@link #verify(Path)}.
   *
   * @param intact whether every record chains to the one before it
   * @param records how many records were read
   * @param firstBadLine the 1-based line of the first broken record, or 0 when intact
   * @param problem what is wrong with it, or empty when intact
   */
  public record Check(boolean intact, int records, int firstBadLine, String problem) {
    /** Checks the values. */
    public Check {
      Objects.requireNonNull(problem, "problem");
    }
  }
}
