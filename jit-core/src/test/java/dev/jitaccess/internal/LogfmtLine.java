package dev.jitaccess.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a rendered audit line back, independently of the sink's writer: {@code key=value} pairs separated
 * by one space (a value bare up to the next space, or in double quotes with backslash escapes; the bare
 * word {@code null} is a null value), then the message, the rest of the line after the first word that is
 * not a pair. Keys are decoded ({@code %XXXX} is one UTF-16 code unit, a lone {@code %} the empty key). A key seen twice is an error.
 *
 * @param fields the pairs in order
 * @param message the text after them
 */
record LogfmtLine(Map<String, String> fields, String message) {

  static LogfmtLine parse(String line) {
    Map<String, String> fields = new LinkedHashMap<>();
    int pos = 0;
    while (true) {
      int space = line.indexOf(' ', pos);
      int eq = line.indexOf('=', pos);
      if (eq < 0 || (space >= 0 && space < eq)) {
        return new LogfmtLine(Collections.unmodifiableMap(fields), line.substring(pos));
      }
      String key = percentDecode(line.substring(pos, eq));
      int start = eq + 1;
      int end;
      if (start < line.length() && line.charAt(start) == '"') {
        end = start + 1;
        while (line.charAt(end) != '"') {
          end += line.charAt(end) == '\\' ? 2 : 1;
        }
        end++;
      } else {
        end = line.indexOf(' ', start);
        if (end < 0) {
          end = line.length();
        }
      }
      String value = UntrustedText.unescape(line.substring(start, end));
      if (fields.containsKey(key)) {
        throw new IllegalArgumentException("key " + key + " twice in " + line);
      }
      fields.put(key, value);
      if (end == line.length()) {
        return new LogfmtLine(Collections.unmodifiableMap(fields), "");
      }
      if (line.charAt(end) != ' ') {
        throw new IllegalArgumentException("no space after the value at " + end + " in " + line);
      }
      pos = end + 1;
    }
  }

  private static String percentDecode(String key) {
    if (key.equals("%")) {
      return "";
    }
    StringBuilder out = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '%') {
        out.append((char) Integer.parseInt(key.substring(i + 1, i + 5), 16));
        i += 4;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
