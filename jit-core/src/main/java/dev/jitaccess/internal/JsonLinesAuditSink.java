package dev.jitaccess.internal;

import dev.jitaccess.AuditTrail;
import dev.jitaccess.JitException;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Hash-chained JSON-lines audit file: one record per line,
 * {@code {"seq":n,"type":"ISSUED","at":"2026-…Z","fields":{…},"prev":"…"}}, where {@code seq} counts
 * from 1 and {@code prev} is the base64url SHA-256 of the previous line's exact bytes (line end
 * excluded), or {@code GENESIS} on the first line. See {@link AuditJson} for the exact format.
 *
 * <h2>Writing</h2>
 * {@link #record} is synchronized: sequence numbers strictly increase and each line is written whole,
 * with one {@code write} to a {@link FileChannel} (no user-space buffer), so a record is in the
 * operating system once {@code record} returns and survives a crash of the JVM. {@link #open(Path,
 * boolean)} with {@code sync} true also forces each line to the device (survives power loss, costs a
 * disk flush per event); the default does not. A failed write is cut back off the file and thrown, so
 * the chain stays intact; if even that fails the sink refuses every later record (fail closed). The
 * sink holds an exclusive {@link FileLock} until {@link #close()}, so a second writer (in this JVM or
 * another) cannot fork the chain; once closed, the file can be opened again (in this JVM too), and the
 * new sink continues the chain. A record whose line would exceed {@link #MAX_LINE_BYTES} is refused.
 *
 * <h2>Reopening</h2>
 * Opening an existing file reads only its last line to continue {@code seq} and {@code prev}: the whole
 * chain is not verified on open (that costs a full read; call {@link #verify} for it). A file whose last
 * line is incomplete (no line end, as after a crash mid-write or a truncation), unparsable or too long is
 * refused rather than repaired, since repairing would mean deleting evidence.
 *
 * <h2>What verification can and cannot see</h2>
 * See {@link #verify}. A hash chain without a key detects edits by someone who does not rewrite every
 * later line; it cannot detect a change to the last record, records removed from the end of the file
 * or records appended by someone who can write the file. Anchoring {@link #lastHash()} elsewhere
 * (another system, a signed checkpoint) closes those gaps.
 */
public final class JsonLinesAuditSink implements AuditSink {
  /** The longest line, in bytes, that is written or read. */
  public static final int MAX_LINE_BYTES = 1 << 20;

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final boolean sync;
  private long size;
  private long lastSeq;
  private String lastHash;
  private boolean failed;
  private boolean closed;

  private JsonLinesAuditSink(Path file, FileChannel channel, FileLock lock, boolean sync, Tail tail) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
    this.sync = sync;
    this.size = tail.size;
    this.lastSeq = tail.seq;
    this.lastHash = tail.hash;
  }

  /**
   * Opens or creates the file and continues its chain; lines are not forced to the device.
   *
   * @throws JitException if the file cannot be opened, is locked by another writer, or its last line
   *     is incomplete or not a record
   */
  public static JsonLinesAuditSink open(Path file) {
    return open(file, false);
  }

  /**
   * Opens or creates the file and continues its chain.
   *
   * @param file the audit file
   * @param sync whether each line is forced to the storage device before {@link #record} returns
   * @throws JitException if the file cannot be opened, is locked by another writer, or its last line
   *     is incomplete or not a record
   */
  public static JsonLinesAuditSink open(Path file, boolean sync) {
    Objects.requireNonNull(file, "file");
    FileChannel channel;
    try {
      channel =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new JitException("cannot open audit file " + file, e);
    }
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new JitException("audit file " + file + " is already open for writing");
      }
      Tail tail = readTail(file, channel);
      return new JsonLinesAuditSink(file, channel, lock, sync, tail);
    } catch (IOException | RuntimeException e) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof JitException jitException) {
        throw jitException;
      }
      throw new JitException("cannot open audit file " + file, e);
    }
  }

  /**
   * Appends one record.
   *
   * @throws JitException if it was not written (nothing of it stays in the file)
   * @throws IllegalStateException if the sink was closed
   */
  @Override
  public synchronized void record(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    if (closed) {
      throw new IllegalStateException("audit file " + file + " is closed");
    }
    if (failed) {
      throw new JitException("audit file " + file + " is unusable after a failed write; see earlier error");
    }
    long seq = lastSeq + 1;
    byte[] line = AuditJson.format(seq, event, lastHash).getBytes(StandardCharsets.UTF_8);
    if (line.length > MAX_LINE_BYTES) {
      throw new JitException(
          "audit record " + seq + " is " + line.length + " bytes, over the limit of " + MAX_LINE_BYTES);
    }
    ByteBuffer buffer = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer, size + buffer.position());
      }
      if (sync) {
        channel.force(false);
      }
    } catch (IOException e) {
      try {
        channel.truncate(size);
      } catch (IOException | RuntimeException cutFailed) {
        failed = true;
        e.addSuppressed(cutFailed);
      }
      throw new JitException("cannot write audit record " + seq + " to " + file, e);
    }
    size += line.length + 1;
    lastSeq = seq;
    lastHash = AuditJson.hash(line, line.length);
  }

  /** Refuses a closed sink, or one that a failed write made unusable. */
  @Override
  public synchronized void requireDelivering() {
    if (closed) {
      throw new IllegalStateException("audit file " + file + " is closed; open it again with AuditSink.jsonLines");
    }
    if (failed) {
      throw new IllegalStateException("audit file " + file + " is unusable after a failed write");
    }
  }

  /** Whether each line is forced to the storage device before {@link #record} returns. */
  boolean forcesEachLine() {
    return sync;
  }

  /** The sequence number of the last record (0 for an empty trail). */
  public synchronized long lastSeq() {
    return lastSeq;
  }

  /** The chain hash of the last record ({@code GENESIS} for an empty trail), to anchor elsewhere. */
  public synchronized String lastHash() {
    return lastHash;
  }

  /** Releases the lock and closes the file; later records throw. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new JitException("cannot close audit file " + file, e);
    }
  }

  @Override
  public String toString() {
    return "JsonLinesAuditSink[" + file + "]";
  }

  /** Where the chain continues: file size, last seq, last hash. */
  private static final class Tail {
    final long size;
    final long seq;
    final String hash;

    Tail(long size, long seq, String hash) {
      this.size = size;
      this.seq = seq;
      this.hash = hash;
    }
  }

  private static Tail readTail(Path file, FileChannel channel) throws IOException {
    long size = channel.size();
    if (size == 0) {
      return new Tail(0, 0, AuditJson.GENESIS);
    }
    ByteBuffer last = ByteBuffer.allocate(1);
    channel.read(last, size - 1);
    if (last.get(0) != '\n') {
      throw new JitException(
          "audit file " + file + " ends with an incomplete line; run AuditTrail.verify and repair it by hand");
    }
    // the last line ends at index end; find the line end before it, looking back at most one line
    long end = size - 1;
    long floor = Math.max(0, end - MAX_LINE_BYTES - 1);
    long start = -1;
    ByteBuffer chunk = ByteBuffer.allocate(8192);
    for (long pos = end; pos > floor && start < 0; ) {
      int n = (int) Math.min(chunk.capacity(), pos - floor);
      chunk.clear().limit(n);
      readFully(channel, chunk, pos - n);
      for (int i = n - 1; i >= 0; i--) {
        if (chunk.get(i) == '\n') {
          start = pos - n + i + 1;
          break;
        }
      }
      pos -= n;
    }
    if (start < 0 && floor == 0) {
      start = 0;
    }
    if (start < 0 || end - start > MAX_LINE_BYTES) {
      throw new JitException("audit file " + file + " ends with a line over " + MAX_LINE_BYTES + " bytes");
    }
    int length = (int) (end - start);
    ByteBuffer lineBuffer = ByteBuffer.allocate(length);
    readFully(channel, lineBuffer, start);
    byte[] line = lineBuffer.array();
    AuditJson.Line parsed;
    try {
      parsed = AuditJson.parse(line, line.length);
    } catch (AuditJson.MalformedLineException e) {
      throw new JitException("audit file " + file + " ends with a line that is not a record: " + e.getMessage());
    }
    return new Tail(size, parsed.seq(), AuditJson.hash(line, line.length));
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        throw new IOException("file shrank while reading");
      }
    }
  }

  /**
   * Verifies a trail and reports its first broken line.
   *
   * <p>Each line must be a record ({@link AuditJson}); line 1 must have {@code seq} 1 and {@code prev}
   * {@code GENESIS}, and every later line {@code seq} one more than the line before and {@code prev} the
   * SHA-256 of the line before. The first line {@code i} where that fails is where the damage shows, but
   * not always where it is: a line whose content changed still chains to its predecessor and only
   * breaks the {@code prev} of its successor. So one line further is read, and, assuming a single
   * edit, the earliest line that explains the inconsistency is reported:
   *
   * <ul>
   *   <li><b>reordered</b>: line {@code i}'s {@code seq} is ahead and line {@code i+1} has the one
   *       expected (two lines swapped), or {@code seq} goes backwards: line {@code i}.
   *   <li><b>inserted</b>: line {@code i+1} chains to line {@code i-1}, skipping line {@code i}: line
   *       {@code i}. If a carefully forged line {@code i-1} chains correctly, line {@code i} goes back to
   *       line {@code i-2}: line {@code i-1}.
   *   <li><b>altered</b>: line {@code i}'s {@code seq} is right but its {@code prev} does not match line
   *       {@code i-1}. If line {@code i+1} chains to line {@code i}, line {@code i} is intact and line
   *       {@code i-1} changed: line {@code i-1}. If line {@code i} is the last line, the two cannot be
   *       told apart and the earlier, {@code i-1}, is reported. Otherwise line {@code i} itself changed
   *       (its {@code prev}): line {@code i}. A changed {@code seq} shows at its own line.
   *   <li><b>removed</b>: {@code seq} jumps forward and line {@code i+1} continues from the jump: line
   *       {@code i} (a removed first line shows as line 1 not starting at 1). If line {@code i+1} does
   *       not continue, lines were removed or moved: line {@code i}.
   *   <li><b>broken</b>: a line that is not a record (truncated, not JSON, not UTF-8, longer than {@link
   *       #MAX_LINE_BYTES}, missing its line end at the end of the file): that line.
   * </ul>
   *
   * <p>Without a key or an external anchor ({@link #lastHash()}) a hash chain cannot show a change to
   * the last line, lines removed from the end, lines appended, or a rewrite of every line from some
   * point on. An empty file is intact with 0 records. The file is read once, streaming, holding at most
   * one line (of at most {@link #MAX_LINE_BYTES}) in memory. When the trail is broken, {@code records}
   * counts the lines before the reported one.
   *
   * @throws JitException if the file cannot be read
   */
  public static AuditTrail.Check verify(Path file) {
    Objects.requireNonNull(file, "file");
    try (InputStream in = Files.newInputStream(file)) {
      return AuditFileCheck.verify(in);
    } catch (IOException e) {
      throw new JitException("cannot read audit file " + file, e);
    }
  }
}
