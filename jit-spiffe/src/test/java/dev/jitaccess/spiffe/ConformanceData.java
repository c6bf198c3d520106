package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the SPIFFE conformance corpus from this module's test classpath ({@code
 * src/test/resources/spiffe-conformance/}, copied byte for byte with its {@code SHA256SUMS}; provenance in
 * {@code PROVENANCE.md} there). A missing corpus fails the test: it never skips.
 */
final class ConformanceData {
  static final String RESOURCE = "/spiffe-conformance";
  private static final Pattern DISPUTED =
      Pattern.compile("DISPUTED\\(go-spiffe=(valid|invalid)(?::([^,)]*))?,");
  private static Path dir;

  private ConformanceData() {}

  /** The corpus directory on the test classpath. */
  static synchronized Path dir() {
    if (dir == null) {
      URL checklist = ConformanceData.class.getResource(RESOURCE + "/CHECKLIST.md");
      if (checklist == null || !"file".equals(checklist.getProtocol())) {
        fail("conformance corpus " + RESOURCE + " not on the test classpath (" + checklist
            + "): the tests need it and do not skip");
      }
      try {
        dir = Path.of(checklist.toURI()).getParent();
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    return dir;
  }

  /** A file of the corpus. */
  static Path file(String relative) {
    Path p = dir().resolve(relative);
    if (!Files.isRegularFile(p)) {
      fail("conformance file missing: " + p);
    }
    return p;
  }

  static byte[] bytes(String relative) {
    try {
      return Files.readAllBytes(file(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Decodes the corpus escaping: {@code \\uXXXX} for anything outside 0x21..0x7E and for backslash. */
  static String unescape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        if (i + 6 > s.length() || s.charAt(i + 1) != 'u') {
          throw new IllegalArgumentException("bad escape at " + i + " in " + s);
        }
        out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** A data line of a TSV: raw (escaped) fields plus its 1-based line number. */
  static final class Row {
    final int line;
    final String[] fields;

    Row(int line, String[] fields) {
      this.line = line;
      this.fields = fields;
    }

    String raw(int i) {
      return i < fields.length ? fields[i] : "";
    }

    String get(int i) {
      return unescape(raw(i));
    }

    boolean disputed() {
      return String.join("\t", fields).contains("DISPUTED(");
    }

    /** go-spiffe's side of a DISPUTED row: "valid" or "invalid". */
    String goVerdict() {
      Matcher m = DISPUTED.matcher(String.join("\t", fields));
      if (!m.find()) {
        throw new IllegalStateException("no go-spiffe verdict on line " + line);
      }
      return m.group(1);
    }

    @Override
    public String toString() {
      return "line " + line + ": " + Arrays.toString(fields);
    }
  }

  /** Every non-comment line of a TSV (an empty first field is kept: it is the empty-string input). */
  static List<Row> tsv(String name) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file(name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.startsWith("#") || l.isEmpty()) {
        continue;
      }
      rows.add(new Row(i + 1, l.split("\t", -1)));
    }
    return rows;
  }
}
