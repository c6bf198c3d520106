package dev.jitaccess.oauth;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A strict {@code application/x-www-form-urlencoded} parser for {@link HttpRequest}: only
 * printable ASCII, every {@code %} followed by two hex digits, the decoded bytes valid UTF-8, at most
 * {@value #MAX_PARAMETERS} parameters. Parameters without a value are dropped, as RFC 6749 section 3.2
 * asks. Never throws for bad input: the problem is returned, never the offending text.
 */
final class FormParser {
  /** The most parameters a form may carry. */
  static final int MAX_PARAMETERS = 64;
  /** The longest parameter name. */
  static final int MAX_NAME_LENGTH = 128;

  /**
   * A parsed form.
   *
   * @param parameters the values of each parameter, in order, unmodifiable
   * @param bytes the size of the form in UTF-8 bytes (or a lower bound once over the limit)
   * @param problem why the form could not be read, or null
   */
  record Parsed(Map<String, List<String>> parameters, int bytes, @Nullable String problem) {}

  private FormParser() {}

  static Parsed parse(String body, int hardLimit) {
    if (body.length() > hardLimit) {
      return new Parsed(Map.of(), body.length(), "the form is larger than " + hardLimit + " bytes");
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    int count = 0;
    int start = 0;
    while (start <= body.length()) {
      int end = body.indexOf('&', start);
      if (end < 0) {
        end = body.length();
      }
      if (end > start) {
        String pair = body.substring(start, end);
        int eq = pair.indexOf('=');
        String rawName = eq < 0 ? pair : pair.substring(0, eq);
        String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
        String name = decode(rawName);
        String value = decode(rawValue);
        if (name == null || value == null) {
          return new Parsed(Map.of(), body.length(), "the form is not valid application/x-www-form-urlencoded UTF-8");
        }
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
          return new Parsed(Map.of(), body.length(), "the form has a parameter with an empty or overlong name");
        }
        if (++count > MAX_PARAMETERS) {
          return new Parsed(Map.of(), body.length(), "the form has more than " + MAX_PARAMETERS + " parameters");
        }
        if (!value.isEmpty()) {
          out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
      }
      start = end + 1;
    }
    return new Parsed(freeze(out), body.getBytes(StandardCharsets.UTF_8).length, null);
  }

  /** Checks and copies parameters a framework already decoded. */
  static Parsed of(Map<String, List<String>> parameters, int hardLimit) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    long bytes = 0;
    int count = 0;
    for (Map.Entry<String, List<String>> e : parameters.entrySet()) {
      String name = e.getKey();
      if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
        return new Parsed(Map.of(), 0, "the form has a parameter with an empty or overlong name");
      }
      for (String value : e.getValue()) {
        bytes += name.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length + 2L;
        if (bytes > hardLimit) {
          return new Parsed(Map.of(), hardLimit + 1, "the form is larger than " + hardLimit + " bytes");
        }
        if (++count > MAX_PARAMETERS) {
          return new Parsed(Map.of(), (int) bytes, "the form has more than " + MAX_PARAMETERS + " parameters");
        }
        if (!value.isEmpty()) {
          out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
      }
    }
    return new Parsed(freeze(out), (int) bytes, null);
  }

  private static Map<String, List<String>> freeze(Map<String, List<String>> m) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    m.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(copy);
  }

  /** Decodes one name or value; null when it is not valid. */
  private static @Nullable String decode(String raw) {
    ByteBuffer bytes = ByteBuffer.allocate(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '+') {
        bytes.put((byte) ' ');
      } else if (c == '%') {
        if (i + 2 >= raw.length()) {
          return null;
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0 || raw.charAt(i + 1) > 0x7f || raw.charAt(i + 2) > 0x7f) {
          return null;
        }
        bytes.put((byte) (hi << 4 | lo));
        i += 2;
      } else if (c > 0x20 && c < 0x7f) {
        bytes.put((byte) c);
      } else {
        return null;
      }
    }
    bytes.flip();
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer chars = decoder.decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
