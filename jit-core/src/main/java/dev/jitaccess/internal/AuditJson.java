package dev.jitaccess.internal;

import dev.jitaccess.spi.AuditEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The line format of {@link JsonLinesAuditSink}: writes one record as a JSON object and reads it back
 * with a small strict parser that accepts exactly that shape.
 *
 * <p>A line is {@code {"seq":n,"type":"T","at":"ISO-8601","fields":{"k":"v",...},"prev":"h"}}, UTF-8,
 * no whitespace. Strings escape {@code "}, {@code \}, every character below U+0020 and unpaired
 * surrogates (so any Java string round-trips exactly); other characters, non-ASCII included, are
 * written as UTF-8. The parser takes the five members in any order, each exactly once, and field values
 * that are strings or {@code null}; anything else is a malformed line.
 */
final class AuditJson {
  /** The {@code prev} of the first record. */
  static final String GENESIS = "GENESIS";

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private AuditJson() {}

  /** One parsed line. */
  record Line(long seq, String type, Instant at, Map<String, String> fields, String prev) {}

  /** A line that is not a well-formed record; the message says where and why. */
  static final class MalformedLineException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedLineException(String message) {
      super(message);
    }
  }

  /** Formats one record (without the line end). */
  static String format(long seq, AuditEvent event, String prev) {
    StringBuilder out = new StringBuilder(256);
    out.append("{\"seq\":").append(seq).append(",\"type\":");
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
      if (field.getValue() == null) {
        out.append("null");
      } else {
        string(out, field.getValue());
      }
    }
    out.append("},\"prev\":");
    string(out, prev);
    return out.append('}').toString();
  }

  /** Appends {@code value} as a JSON string literal. */
  static void string(StringBuilder out, String value) {
    out.append('"');
    int n = value.length();
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            unicodeEscape(out, c);
          } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
            out.append(c).append(value.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            unicodeEscape(out, c); // unpaired: UTF-8 cannot carry it, the escape can
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void unicodeEscape(StringBuilder out, char c) {
    out.append('\\').append('u');
    out.append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
  }

  /** The chain hash of a line: SHA-256 of its exact bytes (line end excluded), base64url, no padding. */
  static String hash(byte[] line, int length) {
    return Sha256.base64url(line, length);
  }

  /** Parses one line's bytes (line end excluded). */
  static Line parse(byte[] bytes, int length) throws MalformedLineException {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, 0, length))
              .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedLineException("not valid UTF-8");
    }
    return new Parser(text).line();
  }

  /** A recursive-descent parser for exactly the record shape. */
  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    Line line() throws MalformedLineException {
      if (s.isEmpty()) {
        throw new MalformedLineException("empty line");
      }
      Long seq = null;
      String type = null;
      Instant at = null;
      Map<String, String> fields = null;
      String prev = null;
      expect('{');
      boolean first = true;
      while (true) {
        if (!first || peek() != '}') {
          if (!first) {
            expect(',');
          }
          String member = string();
          expect(':');
          switch (member) {
            case "seq" -> seq = once(seq, member, seq());
            case "type" -> type = once(type, member, nonEmptyString(member));
            case "at" -> at = once(at, member, instant());
            case "fields" -> fields = once(fields, member, fields());
            case "prev" -> prev = once(prev, member, nonEmptyString(member));
            default -> throw error("unknown member");
          }
        }
        first = false;
        if (peek() == '}') {
          pos++;
          break;
        }
      }
      if (pos != s.length()) {
        throw error("text after the record");
      }
      if (seq == null || type == null || at == null || fields == null || prev == null) {
        throw new MalformedLineException("a member is missing: needs seq, type, at, fields and prev");
      }
      return new Line(seq, type, at, fields, prev);
    }

    private <T> T once(@Nullable T current, String member, T value) throws MalformedLineException {
      if (current != null) {
        throw error("member \"" + member + "\" appears twice");
      }
      return value;
    }

    private long seq() throws MalformedLineException {
      int start = pos;
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
      }
      String digits = s.substring(start, pos);
      if (digits.isEmpty() || (digits.length() > 1 && digits.charAt(0) == '0') || digits.length() > 18) {
        pos = start;
        throw error("seq must be a positive integer");
      }
      long value = Long.parseLong(digits);
      if (value < 1) {
        pos = start;
        throw error("seq must be a positive integer");
      }
      return value;
    }

    private String nonEmptyString(String member) throws MalformedLineException {
      String value = string();
      if (value.isEmpty()) {
        throw error("\"" + member + "\" is empty");
      }
      return value;
    }

    private Instant instant() throws MalformedLineException {
      int start = pos;
      String text = string();
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        pos = start;
        throw error("\"at\" is not an ISO-8601 instant");
      }
    }

    private Map<String, String> fields() throws MalformedLineException {
      Map<String, String> fields = new LinkedHashMap<>();
      expect('{');
      if (peek() == '}') {
        pos++;
        return fields;
      }
      while (true) {
        String key = string();
        if (fields.containsKey(key)) {
          throw error("a field name appears twice");
        }
        expect(':');
        String value;
        if (s.startsWith("null", pos)) {
          pos += 4;
          value = null;
        } else {
          value = string();
        }
        fields.put(key, value);
        char c = peek();
        pos++;
        if (c == '}') {
          return Collections.unmodifiableMap(fields);
        }
        if (c != ',') {
          pos--;
          throw error("expected ',' or '}'");
        }
      }
    }

    private String string() throws MalformedLineException {
      StringBuilder out = new StringBuilder();
      try {
        pos = StrictJson.readString(s, pos, out);
      } catch (StrictJson.JsonException e) {
        pos = e.offset();
        throw error(e.reason());
      }
      return out.toString();
    }

    private char peek() throws MalformedLineException {
      if (pos >= s.length()) {
        throw error("unexpected end of line");
      }
      return s.charAt(pos);
    }

    private void expect(char c) throws MalformedLineException {
      if (pos >= s.length()) {
        throw error("unexpected end of line, expected '" + c + "'");
      }
      if (s.charAt(pos) != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    private MalformedLineException error(String what) {
      return new MalformedLineException("not valid JSON: " + what + " at column " + (pos + 1));
    }
  }
}
