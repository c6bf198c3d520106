package dev.jitaccess.internal;

import dev.jitaccess.AuditTrail;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The check of a hash-chained JSON-lines audit file, read once, streaming, with one line of look-ahead:
 * where the chain breaks and what most likely broke it. The rules and what a chain can and cannot show
 * are documented on {@link JsonLinesAuditSink#verify(java.nio.file.Path)}, its public entry point; the
 * writing side is {@link JsonLinesAuditSink}.
 */
final class AuditFileCheck {
  private AuditFileCheck() {}

  /** Verifies the lines of {@code in} as {@link JsonLinesAuditSink#verify(java.nio.file.Path)} documents. */
  static AuditTrail.Check verify(InputStream in) throws IOException {
    return verify(new Lines(in));
  }

  private static AuditTrail.Check verify(Lines lines) throws IOException {
    Entry before = null; // line i-2
    Entry previous = null; // line i-1
    Entry current;
    while ((current = lines.next()) != null) {
      int i = current.number;
      if (current.problem != null) {
        return broken(i, current.problem);
      }
      long expectedSeq = previous == null ? 1 : previous.line().seq() + 1;
      String expectedPrev = previous == null ? AuditJson.GENESIS : previous.hash();
      long seq = current.line().seq();
      boolean chains = current.line().prev().equals(expectedPrev);
      if (seq != expectedSeq || !chains) {
        Entry next = lines.peek();
        AuditJson.Line nextLine = next != null && next.problem == null ? next.line() : null;
        if (seq > expectedSeq && nextLine != null && nextLine.seq() == expectedSeq) {
          return broken(
              i,
              "reordered: seq " + seq + " where " + expectedSeq + " was expected, and " + expectedSeq
                  + " follows");
        }
        if (nextLine != null && nextLine.seq() == expectedSeq && nextLine.prev().equals(expectedPrev)) {
          return broken(i, "inserted: line " + (i + 1) + " chains to the line before this one");
        }
        if (seq == expectedSeq) {
          // the link from line i-1 to line i is broken
          if (previous == null) {
            return broken(i, "altered: the first record's prev is not " + AuditJson.GENESIS);
          }
          if (next == null) {
            return broken(
                i - 1,
                "altered: its SHA-256 does not match the prev of line " + i + ", the last line (or line "
                    + i + " itself was altered)");
          }
          if (nextLine != null && nextLine.prev().equals(current.hash())) {
            return broken(i - 1, "altered: its SHA-256 does not match the prev of line " + i);
          }
          return broken(i, "altered: its prev does not match the SHA-256 of line " + (i - 1));
        }
        if (chains) {
          return broken(i, "altered: seq " + seq + " where " + expectedSeq + " was expected");
        }
        if (seq > expectedSeq) {
          boolean continues =
              next == null || (nextLine != null && nextLine.seq() == seq + 1 && nextLine.prev().equals(current.hash()));
          return broken(
              i,
              (continues ? "removed: " + (seq - expectedSeq) + " record(s) missing before this line"
                      : "removed or reordered")
                  + " (seq " + (expectedSeq - 1) + " is followed by " + seq + ")");
        }
        // seq went backwards: either line i-1 was inserted (line i chains to line i-2) or lines moved
        long seqBefore = before == null ? 1 : before.line().seq() + 1;
        String prevBefore = before == null ? AuditJson.GENESIS : before.hash();
        if (seq == seqBefore && current.line().prev().equals(prevBefore)) {
          return broken(i - 1, "inserted: line " + i + " chains to the line before this one");
        }
        return broken(i, "reordered: seq " + seq + " comes after seq " + (expectedSeq - 1));
      }
      before = previous;
      previous = current;
    }
    return new AuditTrail.Check(true, previous == null ? 0 : previous.number, 0, "");
  }

  private static AuditTrail.Check broken(int line, String problem) {
    return new AuditTrail.Check(false, line - 1, line, problem);
  }

  /** One line read for verification: parsed with its hash, or what is wrong with it. */
  private static final class Entry {
    final int number;
    private final AuditJson.@Nullable Line line;
    private final @Nullable String hash;
    final @Nullable String problem;

    Entry(int number, AuditJson.@Nullable Line line, @Nullable String hash, @Nullable String problem) {
      this.number = number;
      this.line = line;
      this.hash = hash;
      this.problem = problem;
    }

    /** The parsed record; only for an entry without a problem. */
    AuditJson.Line line() {
      return Objects.requireNonNull(line, "a broken entry has no record");
    }

    /** The hash of the line; only for an entry without a problem. */
    String hash() {
      return Objects.requireNonNull(hash, "a broken entry has no hash");
    }
  }

  /** Reads lines (the caller closes the stream) of at most {@link JsonLinesAuditSink#MAX_LINE_BYTES}, with one line of look-ahead. */
  private static final class Lines {
    private final InputStream in;
    private final byte[] buffer = new byte[64 * 1024];
    private int bufferPos;
    private int bufferEnd;
    private byte[] line = new byte[1024];
    private int number;
    private @Nullable Entry peeked;

    Lines(InputStream in) {
      this.in = in;
    }

    @Nullable Entry peek() throws IOException {
      if (peeked == null) {
        peeked = read();
      }
      return peeked;
    }

    @Nullable Entry next() throws IOException {
      Entry e = peek();
      peeked = null;
      return e;
    }

    private @Nullable Entry read() throws IOException {
      int length = 0;
      boolean tooLong = false;
      boolean any = false;
      while (true) {
        if (bufferPos == bufferEnd) {
          bufferEnd = in.read(buffer);
          bufferPos = 0;
          if (bufferEnd <= 0) {
            bufferEnd = 0;
            if (!any) {
              return null;
            }
            number++;
            return new Entry(number, null, null, "broken: the last line has no line end (truncated?)");
          }
        }
        any = true;
        byte b = buffer[bufferPos++];
        if (b == '\n') {
          break;
        }
        if (tooLong) {
          continue;
        }
        if (length == JsonLinesAuditSink.MAX_LINE_BYTES) {
          tooLong = true;
          continue;
        }
        if (length == line.length) {
          line = Arrays.copyOf(line, Math.min(JsonLinesAuditSink.MAX_LINE_BYTES, line.length * 2));
        }
        line[length++] = b;
      }
      number++;
      if (tooLong) {
        return new Entry(number, null, null, "broken: line longer than " + JsonLinesAuditSink.MAX_LINE_BYTES + " bytes");
      }
      try {
        AuditJson.Line parsed = AuditJson.parse(line, length);
        return new Entry(number, parsed, AuditJson.hash(line, length), null);
      } catch (AuditJson.MalformedLineException e) {
        return new Entry(number, null, null, "broken: " + e.getMessage());
      }
    }
  }
}
