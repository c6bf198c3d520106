package dev.jitaccess.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.NodeType;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Safe YAML reading with positions: snakeyaml-engine's Compose API only builds a node tree (never
 * objects); aliases to collections are limited, recursive keys refused, documents capped at 1 MiB. The
 * helpers read the tree against an expected schema and record every problem with line and column
 * instead of stopping at the first.
 */
final class YamlTree {
  /** The largest document accepted, in bytes. */
  static final int MAX_BYTES = 1 << 20;
  /** The most aliases to collections a document may use. */
  static final int MAX_COLLECTION_ALIASES = 10;
  /** The longest scalar accepted, in characters. */
  static final int MAX_SCALAR = 4096;

  final String source;
  final List<Diagnostic> errors = new ArrayList<>();
  final List<Diagnostic> warnings = new ArrayList<>();

  YamlTree(String source) {
    this.source = source;
  }

  /** A key and its value in a mapping. */
  record Entry(Node key, Node value) {}

  /** Reads a file of at most {@link #MAX_BYTES} bytes as strict UTF-8, or records why not and returns null. */
  @Nullable String read(Path file) {
    byte[] bytes;
    try {
      bytes = readBytes(file);
    } catch (IOException e) {
      unreadable(e);
      return null;
    }
    return decode(bytes);
  }

  /** Records that the file could not be read. */
  void unreadable(IOException e) {
    fileError("cannot read file: " + e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  /**
   * Reads at most {@link #MAX_BYTES} + 1 bytes of a file: one more than accepted, so that {@link #decode}
   * can tell a file that is too large.
   */
  static byte[] readBytes(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(MAX_BYTES + 1);
    }
  }

  /** Decodes a document's bytes as strict UTF-8 (at most {@link #MAX_BYTES}), or records why not and returns null. */
  @Nullable String decode(byte[] bytes) {
    if (bytes.length > MAX_BYTES) {
      fileError("document refused: larger than " + MAX_BYTES + " bytes (1 MiB)");
      return null;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      fileError("document refused: not valid UTF-8");
      return null;
    }
  }

  /** Composes one document into a node tree, or records why not and returns null. */
  @Nullable Node compose(String text) {
    if (text.length() > MAX_BYTES || text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      fileError("document refused: larger than " + MAX_BYTES + " bytes (1 MiB)");
      return null;
    }
    String tooDeep = nestingProblem(text);
    if (tooDeep != null) {
      fileError(tooDeep);
      return null;
    }
    LoadSettings settings = LoadSettings.builder()
        .setLabel(source)
        .setAllowDuplicateKeys(true) // reported by the reader, with positions
        .setAllowRecursiveKeys(false)
        .setMaxAliasesForCollections(MAX_COLLECTION_ALIASES)
        .setCodePointLimit(MAX_BYTES)
        .setUseMarks(true)
        .build();
    try {
      Optional<Node> node = new Compose(settings).composeString(text);
      if (node.isEmpty()) {
        fileError("the document is empty");
        return null;
      }
      return node.get();
    } catch (MarkedYamlEngineException e) {
      Optional<Mark> mark = e.getProblemMark().isPresent() ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() == null ? "" : e.getProblem();
      String context = e.getContext() == null ? "" : e.getContext() + ": ";
      errors.add(diagnostic(Diagnostic.Severity.ERROR, mark.orElse(null), "YAML syntax error: " + context + problem));
      return null;
    } catch (StackOverflowError e) {
      // the parser recurses per nesting level; nestingProblem() should have refused such a document first
      fileError("document refused: nested too deeply to parse");
      return null;
    } catch (YamlEngineException e) {
      String msg = String.valueOf(e.getMessage());
      if (msg.contains("aliases")) {
        fileError("document refused: more than " + MAX_COLLECTION_ALIASES
            + " aliases to collections (a YAML alias bomb?)");
      } else if (msg.contains("code points") || msg.contains("exceeds the limit")) {
        fileError("document refused: larger than the code point limit of " + MAX_BYTES);
      } else {
        fileError("YAML error: " + msg);
      }
      return null;
    }
  }

  /** The deepest flow nesting ({@code [} and braces) and indentation a policy document may use. */
  static final int MAX_FLOW_DEPTH = 64;

  static final int MAX_INDENT = 256;

  /**
   * Refuses, before parsing, documents nested deeper than any policy needs: snakeyaml-engine parses
   * recursively, so a small document of thousands of nested brackets would otherwise overflow the stack.
   * Quoted scalars and comments are skipped; brackets in block scalars count, which errs on the side of
   * refusing.
   */
  static @Nullable String nestingProblem(String text) {
    int depth = 0;
    int indent = 0;
    boolean lineStart = true;
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        lineStart = true;
        indent = 0;
        continue;
      }
      if (lineStart && (c == ' ' || c == '\t')) {
        if (++indent > MAX_INDENT) {
          return "document refused: indented more than " + MAX_INDENT + " columns (nested too deeply)";
        }
        continue;
      }
      lineStart = false;
      if (quote != 0) {
        if (c == '\\' && quote == '"') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if ((c == '"' || c == '\'') && startsScalar(text, i)) {
        quote = c;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(text.charAt(i - 1)))) {
        while (i + 1 < text.length() && text.charAt(i + 1) != '\n') {
          i++;
        }
      } else if (c == '[' || c == '{') {
        if (++depth > MAX_FLOW_DEPTH) {
          return "document refused: flow collections nested deeper than " + MAX_FLOW_DEPTH;
        }
      } else if ((c == ']' || c == '}') && depth > 0) {
        depth--;
      }
    }
    return null;
  }

  /** Whether a quote at {@code i} opens a quoted scalar (after an indicator or white space), not text. */
  private static boolean startsScalar(String text, int i) {
    int j = i - 1;
    while (j >= 0 && (text.charAt(j) == ' ' || text.charAt(j) == '\t')) {
      j--;
    }
    if (j < 0 || text.charAt(j) == '\n') {
      return true;
    }
    char p = text.charAt(j);
    return p == ':' || p == '-' || p == '[' || p == '{' || p == ',' || p == '?';
  }

  // ---------------------------------------------------------------------------------------------

  void fileError(String message) {
    errors.add(new Diagnostic(Diagnostic.Severity.ERROR, source, 0, 0, message));
  }

  void error(Node node, String message) {
    errors.add(diagnostic(Diagnostic.Severity.ERROR, node.getStartMark().orElse(null), message));
  }

  void warning(Node node, String message) {
    warnings.add(diagnostic(Diagnostic.Severity.WARNING, node.getStartMark().orElse(null), message));
  }

  private Diagnostic diagnostic(Diagnostic.Severity severity, @Nullable Mark mark, String message) {
    int line = mark == null ? 0 : mark.getLine() + 1;
    int column = mark == null ? 0 : mark.getColumn() + 1;
    return new Diagnostic(severity, source, line, column, message);
  }

  static int[] position(Node node) {
    return node.getStartMark().map(m -> new int[] {m.getLine() + 1, m.getColumn() + 1}).orElse(new int[] {0, 0});
  }

  /**
   * The entries of a mapping with the allowed keys; unknown, duplicate and non-string keys are
   * recorded. Returns null (after recording) when the node is not a mapping.
   */
  @Nullable Map<String, Entry> mapping(Node node, String what, @Nullable Set<String> allowed) {
    if (!(node instanceof MappingNode mappingNode) || !Tag.MAP.equals(node.getTag())) {
      error(node, what + ": expected a mapping, got " + kind(node));
      return null;
    }
    Map<String, Entry> out = new LinkedHashMap<>();
    for (NodeTuple t : mappingNode.getValue()) {
      Node k = t.getKeyNode();
      if (!(k instanceof ScalarNode scalarNode) || !Tag.STR.equals(k.getTag())) {
        error(k, what + ": expected a string key, got " + kind(k));
        continue;
      }
      String key = scalarNode.getValue();
      if (allowed != null && !allowed.contains(key)) {
        error(k, what + ": unknown key '" + key + "'" + Suggestions.didYouMean(key, allowed) + ", expected one of "
            + new TreeSet<>(allowed));
        continue;
      }
      if (out.containsKey(key)) {
        int[] first = position(out.get(key).key());
        error(k, what + ": duplicate key '" + key + "' (first at line " + first[0] + ")");
        continue;
      }
      out.put(key, new Entry(k, t.getValueNode()));
    }
    return out;
  }

  /** The items of a sequence, or null (after recording). */
  @Nullable List<Node> sequence(Node node, String what) {
    if (!(node instanceof SequenceNode sequenceNode) || !Tag.SEQ.equals(node.getTag())) {
      error(node, what + ": expected a list, got " + kind(node));
      return null;
    }
    return sequenceNode.getValue();
  }

  /** A non-empty string scalar (numbers and booleans are taken as written), or null (after recording). */
  @Nullable String string(Node node, String what) {
    if (!(node instanceof ScalarNode scalarNode)) {
      error(node, what + ": expected a string, got " + kind(node));
      return null;
    }
    Tag tag = node.getTag();
    if (!(Tag.STR.equals(tag) || Tag.INT.equals(tag) || Tag.FLOAT.equals(tag) || Tag.BOOL.equals(tag))) {
      error(node, what + ": expected a string, got " + kind(node));
      return null;
    }
    String v = scalarNode.getValue();
    if (v.isBlank()) {
      error(node, what + ": expected a non-empty string");
      return null;
    }
    if (v.length() > MAX_SCALAR) {
      error(node, what + ": longer than " + MAX_SCALAR + " characters");
      return null;
    }
    return v;
  }

  /** One string or a non-empty list of strings, or null (after recording). */
  @Nullable List<String> strings(Node node, String what) {
    if (node instanceof ScalarNode) {
      String s = string(node, what);
      return s == null ? null : List.of(s);
    }
    if (!(node instanceof SequenceNode sequenceNode) || !Tag.SEQ.equals(node.getTag())) {
      error(node, what + ": expected a string or a list of strings, got " + kind(node));
      return null;
    }
    List<Node> items = sequenceNode.getValue();
    if (items.isEmpty()) {
      error(node, what + ": expected at least one value, got an empty list");
      return null;
    }
    List<String> out = new ArrayList<>();
    boolean ok = true;
    for (Node n : items) {
      String s = string(n, what);
      if (s == null) {
        ok = false;
      } else {
        out.add(s);
      }
    }
    return ok ? out : null;
  }

  /** A boolean scalar ({@code true}/{@code false}), or null (after recording). */
  @Nullable Boolean bool(Node node, String what) {
    if (node instanceof ScalarNode scalarNode && Tag.BOOL.equals(node.getTag())) {
      return Boolean.parseBoolean(scalarNode.getValue());
    }
    error(node, what + ": expected true or false, got " + kind(node));
    return null;
  }

  /** A number scalar, or null (after recording). */
  @Nullable Double number(Node node, String what) {
    if (node instanceof ScalarNode scalarNode && (Tag.INT.equals(node.getTag()) || Tag.FLOAT.equals(node.getTag()))) {
      try {
        double d = Double.parseDouble(scalarNode.getValue());
        if (Double.isFinite(d)) {
          return d;
        }
      } catch (NumberFormatException e) {
        // fall through to the error
      }
    }
    error(node, what + ": expected a number, got " + kind(node));
    return null;
  }

  /** An integer scalar in a range, or null (after recording). */
  @Nullable Integer integer(Node node, String what, int min, int max) {
    if (node instanceof ScalarNode scalarNode && Tag.INT.equals(node.getTag())) {
      try {
        long v = Long.parseLong(scalarNode.getValue());
        if (v >= min && v <= max) {
          return (int) v;
        }
        error(node, what + ": expected an integer from " + min + " to " + max + ", got " + v);
        return null;
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    error(node, what + ": expected an integer from " + min + " to " + max + ", got " + kind(node));
    return null;
  }

  /** A positive duration, or null (after recording). */
  @Nullable Duration duration(Node node, String what) {
    String s = string(node, what);
    if (s == null) {
      return null;
    }
    try {
      return Durations.parse(s);
    } catch (IllegalArgumentException e) {
      error(node, what + ": " + e.getMessage());
      return null;
    }
  }

  /** An instant: {@code 2025-01-01T00:00:00Z}, with an offset, or a date (midnight UTC); or null. */
  @Nullable Instant instant(Node node, String what) {
    String s = string(node, what);
    if (s == null) {
      return null;
    }
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      error(node, what + ": bad date '" + s
          + "', expected an ISO-8601 date-time with offset such as 2025-01-01T00:00:00Z, or a date such as 2025-01-01");
      return null;
    }
  }

  static String kind(Node node) {
    if (node == null) {
      return "nothing";
    }
    if (node.getNodeType() == NodeType.MAPPING) {
      return "a mapping";
    }
    if (node.getNodeType() == NodeType.SEQUENCE) {
      return "a list";
    }
    if (node instanceof ScalarNode scalarNode) {
      Tag t = node.getTag();
      String v = scalarNode.getValue();
      String shown = v.length() > 40 ? v.substring(0, 40) + "..." : v;
      if (Tag.NULL.equals(t)) {
        return "null";
      }
      if (Tag.BOOL.equals(t)) {
        return "the boolean " + shown;
      }
      if (Tag.INT.equals(t) || Tag.FLOAT.equals(t)) {
        return "the number " + shown;
      }
      if (Tag.STR.equals(t)) {
        return "the string '" + shown + "'";
      }
      return "a value with unsupported tag " + t.getValue();
    }
    return "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
