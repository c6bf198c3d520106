package dev.jitaccess.store.postgres;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The one rule for the PostgreSQL schema name that jit-access tables live in. The name is written into
 * SQL text and into NOTIFY channel names (at most 63 bytes), so it is restricted to lower-case ASCII
 * letters, digits and underscores, starting with a letter or underscore, at most 40 characters.
 */
final class SchemaName {
  /** The schema used when none is configured. */
  static final String DEFAULT = "jit";

  private static final Pattern VALID = Pattern.compile("[a-z_][a-z0-9_]{0,39}");

  private SchemaName() {}

  /**
   * Checks a schema name.
   *
   * @return the name
   * @throws NullPointerException if it is null
   * @throws IllegalArgumentException if it does not match {@code [a-z_][a-z0-9_]{0,39}}
   */
  static String check(String schema) {
    Objects.requireNonNull(schema, "schema");
    if (!VALID.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "schema must match [a-z_][a-z0-9_]{0,39} (lower-case ASCII letters, digits, underscores), got \""
              + printable(schema) + "\"");
    }
    return schema;
  }

  /** The quoted identifier, for SQL text. */
  static String quoted(String schema) {
    return '"' + check(schema) + '"';
  }

  /** The NOTIFY channel on which grant changes in this schema are announced. */
  static String grantChannel(String schema) {
    return "jit_grant_change_" + check(schema);
  }

  /** A bounded excerpt with control characters replaced, for error messages. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    if (s.length() > 64) {
      b.append("...");
    }
    return b.toString();
  }
}
