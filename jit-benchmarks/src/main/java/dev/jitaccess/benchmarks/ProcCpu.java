package dev.jitaccess.benchmarks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * CPU time of processes or threads from Linux's {@code /proc}: the one reader of {@code stat} files the
 * benchmarks share ({@link CpuPaired}'s compiler threads, {@link ReplicaBench}'s local server).
 */
final class ProcCpu {
  /** One tick of {@code utime} and {@code stime}: USER_HZ is 100 on Linux. */
  private static final long TICK_NANOS = 10_000_000L;

  private ProcCpu() {}

  /**
   * The user and system CPU time, in ns, of the entries of {@code dir} matching {@code glob} whose name (the
   * {@code comm} in their {@code stat}) passes {@code name}; -1 where {@code dir} cannot be read. An entry that
   * ends between listing and reading is left out, with its time.
   */
  static long nanos(Path dir, String glob, Predicate<String> name) {
    long ticks = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, glob)) {
      for (Path entry : entries) {
        try {
          String stat = Files.readString(entry.resolve("stat"));
          int close = stat.lastIndexOf(')');
          if (!name.test(stat.substring(stat.indexOf('(') + 1, close))) {
            continue;
          }
          String[] f = stat.substring(close + 2).split(" ");
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
        } catch (IOException | RuntimeException e) {
          // ended between listing and reading: it no longer runs
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return ticks * TICK_NANOS;
  }
}
