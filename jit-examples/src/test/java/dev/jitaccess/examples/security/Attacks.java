package dev.jitaccess.examples.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The running count of attack cases tried, per entry point. Every test class adds to it and writes the
 * tally to {@code target/security/attack-count.txt} (and prints it) when it finishes, so SECURITY.md can
 * quote "N attacks tried". Controls (well-formed inputs that prove a fixture works) are not counted.
 */
final class Attacks {
  private static final Map<String, AtomicInteger> COUNTS = new ConcurrentHashMap<>();

  private Attacks() {}

  /** Counts one attack case against {@code entryPoint}. */
  static void tried(String entryPoint) {
    COUNTS.computeIfAbsent(entryPoint, k -> new AtomicInteger()).incrementAndGet();
  }

  static int total() {
    return COUNTS.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Writes and prints the tally so far. */
  static synchronized void report() {
    Map<String, Integer> sorted = new TreeMap<>();
    COUNTS.forEach((k, v) -> sorted.put(k, v.get()));
    StringBuilder text = new StringBuilder();
    sorted.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    text.append("total=").append(total()).append('\n');
    try {
      Path dir = Path.of("target", "security");
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("attack-count.txt"), text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println("[attack suite] attacks tried so far: " + total() + " " + sorted);
  }
}
