package dev.jitaccess.store.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A manual clock several processes share: the instant (epoch milliseconds) lives in an 8-byte file that
 * every process maps into memory; the test advances it, every replica process reads it. So time crosses
 * process boundaries without any process sleeping.
 */
final class FileClock extends Clock {
  private final MappedByteBuffer millis;

  private FileClock(MappedByteBuffer millis) {
    this.millis = millis;
  }

  /** Opens (creating it at {@code start} if new) the clock file. */
  static FileClock open(Path file, Instant start) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      boolean fresh = ch.size() < 8;
      FileClock c = new FileClock(ch.map(FileChannel.MapMode.READ_WRITE, 0, 8));
      if (fresh) {
        c.millis.putLong(0, start.toEpochMilli());
      }
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens an existing clock file. */
  static FileClock open(Path file) {
    return open(file, Instant.EPOCH);
  }

  /** Moves every process's time forward. */
  synchronized void advance(Duration d) {
    millis.putLong(0, millis.getLong(0) + d.toMillis());
    millis.force();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.getLong(0));
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a FileClock is UTC only");
  }
}
