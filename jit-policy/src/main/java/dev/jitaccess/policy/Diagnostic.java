package dev.jitaccess.policy;

import java.util.Objects;

/**
 * A problem found while loading a policy or a policy test table: where it is and what was expected.
 *
 * @param severity error (the document is refused) or warning (loaded, but probably not what you meant)
 * @param source the file or source name
 * @param line the 1-based line, 0 when the problem has no position (a policy built in Java)
 * @param column the 1-based column, 0 when unknown
 * @param message what is wrong and what was expected
 */
public record Diagnostic(Severity severity, String source, int line, int column, String message) {

  /** How bad a problem is. */
  public enum Severity {
    /** The document is refused. */
    ERROR,
    /** The document is loaded, but a rule can never take effect or is hidden by a deny. */
    WARNING
  }

  /** Checks the values. */
  public Diagnostic {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(message, "message");
    if (line < 0 || column < 0) {
      throw new IllegalArgumentException("line and column must be >= 0, got " + line + ":" + column);
    }
  }

  /** {@code file:line:column: error: message}, the form compilers use. */
  @Override
  public String toString() {
    String where = line == 0 ? source : source + ":" + line + ":" + column;
    return where + ": " + severity.name().toLowerCase(java.util.Locale.ROOT) + ": " + message;
  }
}
