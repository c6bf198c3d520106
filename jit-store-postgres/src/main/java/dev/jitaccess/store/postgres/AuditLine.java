package dev.jitaccess.store.postgres;

import dev.jitaccess.spi.AuditEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * The record format of {@link PostgresAuditSink}: one line of the JSON-lines audit format of
 * {@code AuditSink.jsonLines} ({@code {"seq":n,"type":"T","at":"ISO-8601","fields":{...},"prev":"h"}}),
 * written in pure ASCII: every character outside printable ASCII is a {@code \}{@code uXXXX} escape, so
 * the line is the same byte string in every database encoding and PostgreSQL's {@code text} (which
 * cannot hold U+0000) stores any field value. The chain hash is the base64url SHA-256 (no padding) of
 * the line's bytes, as in the file format, so the exported table is a file that {@code
 * AuditTrail.verify(Path)} accepts.
 *
 * <p>The line is assembled from three parts: {@code {"seq":n,} then the {@linkplain #body body} (type,
 * time, fields) then {@code ,"prev":"h"}}. Verification checks the parts it needs (seq, prev) by exact
 * prefix and suffix, and the hash covers everything.
 */
final class AuditLine {
  /** The {@code prev} of the first record. */
  static final String GENESIS = "GENESIS";

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private AuditLine() {}

  /** The middle of a record: {@code "type":"T","at":"…","fields":{…}}. */
  static String body(AuditEvent event) {
    StringBuilder out = new StringBuilder(256);
    out.append("\"type\":");
    string(out, event.type().name());
    out.append(",\"at\":");
    string(out, event.at().toString());
    out.append(",\"fields\":{");
    boolean first = true;
    for (Map.Entry<String, String> field : event.fields().entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(out, Objects.requireNonNull(field.getKey(), "audit field name"));
      out.append(':');
      String value = field.getValue();
      if (value == null) {
        out.append("null");
      } else {
        string(out, value);
      }
    }
    return out.append('}').toString();
  }

  /** The start of record {@code seq}, up to the body. */
  static String prefix(long seq) {
    return "{\"seq\":" + seq + ",";
  }

  /** The end of a record whose predecessor hashes to {@code prev}. */
  static String suffix(String prev) {
    return ",\"prev\":\"" + prev + "\"}";
  }

  /** The whole record. */
  static String line(long seq, String body, String prev) {
    return prefix(seq) + body + suffix(prev);
  }

  /** The chain hash of a line: base64url SHA-256 of its (ASCII) bytes. */
  static String hash(String line) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return BASE64URL.encodeToString(digest.digest(line.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Appends {@code value} as a JSON string literal in printable ASCII. */
  static void string(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            out.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
