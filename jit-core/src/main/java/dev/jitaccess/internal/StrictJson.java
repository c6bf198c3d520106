package dev.jitaccess.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The project's one strict JSON (RFC 8259) reader, used for JOSE headers and claims ({@link CompactJws})
 * and for SPIFFE bundle documents. Unlike the lenient readers it rejects duplicate member names at every
 * level (a claim must not read one way here and another way in another parser; Trust-Domain-and-Bundle
 * §6.3 asks consumers to reject duplicate trust-domain keys), trailing content, numbers longer than 400
 * characters, and nesting deeper than 64.
 *
 * <p>Objects become unmodifiable maps in document order, arrays unmodifiable lists, numbers {@link Long}
 * when integral and in range, otherwise {@link BigDecimal}/{@link BigInteger}; {@code null} becomes Java
 * null. Lone UTF-16 surrogates written as unicode escapes are kept as they are.
 */
public final class StrictJson {
  static final int MAX_DEPTH = 64;

  /** Thrown for malformed JSON; the message gives the offset, never the content. */
  public static final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int offset;
    private final String reason;

    JsonException(int offset, String reason) {
      super("malformed JSON at offset " + offset + ": " + reason);
      this.offset = offset;
      this.reason = reason;
    }

    /** Where in the text the reader stopped. */
    int offset() {
      return offset;
    }

    /** What was wrong, without the offset. */
    String reason() {
      return reason;
    }
  }

  private final String s;
  private int pos;

  private StrictJson(String s) {
    this.s = s;
  }

  /**
   * Parses one JSON text.
   *
   * @param json the text, already decoded from its bytes
   * @return the value: a map, a list, a string, a number, a boolean or null
   * @throws JsonException if the text is not exactly one strict JSON value
   */
  public static @Nullable Object parse(String json) throws JsonException {
    StrictJson p = new StrictJson(json);
    p.ws();
    Object v = p.value(0);
    p.ws();
    if (p.pos != p.s.length()) {
      throw p.error("trailing content");
    }
    return v;
  }

  private JsonException error(String what) {
    return new JsonException(pos, what);
  }

  /**
   * Reads the one JSON string that starts at {@code start} (its opening quote) into {@code out}: the
   * project's one string decoder, shared with the audit line reader ({@code AuditJson}).
   *
   * @return the offset just past the closing quote
   * @throws JsonException if no well-formed string starts there
   */
  static int readString(String text, int start, StringBuilder out) throws JsonException {
    StrictJson reader = new StrictJson(text);
    reader.pos = start;
    if (start >= text.length() || text.charAt(start) != '"') {
      throw reader.error("expected '\"'");
    }
    out.append(reader.string());
    return reader.pos;
  }

  private void ws() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        pos++;
      } else {
        return;
      }
    }
  }

  private @Nullable Object value(int depth) throws JsonException {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
    if (pos >= s.length()) {
      throw error("unexpected end");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{' -> {
        return object(depth);
      }
      case '[' -> {
        return array(depth);
      }
      case '"' -> {
        return string();
      }
      case 't' -> {
        literal("true");
        return true;
      }
      case 'f' -> {
        literal("false");
        return false;
      }
      case 'n' -> {
        literal("null");
        return null;
      }
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character");
      }
    }
  }

  private void literal(String word) throws JsonException {
    if (!s.startsWith(word, pos)) {
      throw error("bad literal");
    }
    pos += word.length();
  }

  private Map<String, Object> object(int depth) throws JsonException {
    pos++; // {
    Map<String, Object> map = new LinkedHashMap<>();
    ws();
    if (pos < s.length() && s.charAt(pos) == '}') {
      pos++;
      return Collections.unmodifiableMap(map);
    }
    while (true) {
      ws();
      if (pos >= s.length() || s.charAt(pos) != '"') {
        throw error("expected a member name");
      }
      String key = string();
      ws();
      expect(':');
      ws();
      Object v = value(depth + 1);
      if (map.containsKey(key)) {
        throw error("duplicate member name");
      }
      map.put(key, v);
      ws();
      if (pos < s.length() && s.charAt(pos) == ',') {
        pos++;
        continue;
      }
      expect('}');
      return Collections.unmodifiableMap(map);
    }
  }

  private List<Object> array(int depth) throws JsonException {
    pos++; // [
    List<Object> list = new ArrayList<>();
    ws();
    if (pos < s.length() && s.charAt(pos) == ']') {
      pos++;
      return Collections.unmodifiableList(list);
    }
    while (true) {
      ws();
      list.add(value(depth + 1));
      ws();
      if (pos < s.length() && s.charAt(pos) == ',') {
        pos++;
        continue;
      }
      expect(']');
      return Collections.unmodifiableList(list);
    }
  }

  private void expect(char c) throws JsonException {
    if (pos >= s.length() || s.charAt(pos) != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private String string() throws JsonException {
    pos++; // opening quote
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw error("control character in string");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (pos >= s.length()) {
        throw error("unterminated escape");
      }
      char e = s.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          if (pos + 4 > s.length()) {
            throw error("short unicode escape");
          }
          int v = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos + i), 16);
            if (d < 0) {
              throw error("bad unicode escape");
            }
            v = v * 16 + d;
          }
          pos += 4;
          out.append((char) v);
        }
        default -> throw error("bad escape");
      }
    }
  }

  private Object number() throws JsonException {
    int start = pos;
    if (s.charAt(pos) == '-') {
      pos++;
    }
    if (pos >= s.length()) {
      throw error("bad number");
    }
    if (s.charAt(pos) == '0') {
      pos++;
    } else if (s.charAt(pos) >= '1' && s.charAt(pos) <= '9') {
      digits();
    } else {
      throw error("bad number");
    }
    boolean integral = true;
    if (pos < s.length() && s.charAt(pos) == '.') {
      integral = false;
      pos++;
      if (digits() == 0) {
        throw error("bad fraction");
      }
    }
    if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
      integral = false;
      pos++;
      if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
        pos++;
      }
      if (digits() == 0) {
        throw error("bad exponent");
      }
    }
    String text = s.substring(start, pos);
    if (text.length() > 400) {
      throw error("number too long");
    }
    if (integral) {
      BigInteger big = new BigInteger(text);
      return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException e) {
      // an exponent beyond int range (1e9999999990) is valid JSON but no number anyone means
      throw error("number out of range");
    }
  }

  private int digits() {
    int n = 0;
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
      n++;
    }
    return n;
  }
}
