package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.policy.PolicyFileWatcher;
import dev.jitaccess.spi.Scheduler;
import dev.jitaccess.testkit.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's hot reload, with the real WatchService: a refused file is reported with file:line:column
 * and the last good policy stays; a fixed file is reloaded. The scheduler hands each debounced check to
 * the test, which runs it once the manual clock has passed the debounce interval (no sleeps).
 */
class PolicyHotReloadTest {
  static final String GOOD = "version: 2\nmaxTtl: 1h\nrules:\n  - id: %s\n    owner: o\n    effect: allow\n";

  @TempDir Path dir;
  final ManualClock clock = ManualClock.at("2025-03-04T09:00:00Z");
  final BlockingQueue<Runnable> checks = new LinkedBlockingQueue<>();
  final Scheduler handOver = (task, at) -> {
    checks.add(task);
    return () -> {};
  };
  final List<String> log = new CopyOnWriteArrayList<>();

  /** Runs the debounced checks of one change until the log grows. */
  void awaitReport(int entries) throws InterruptedException {
    while (log.size() < entries) {
      Runnable check = checks.poll(60, TimeUnit.SECONDS);
      assertThat(check).as("a file-system event within 60 s").isNotNull();
      clock.advance(Duration.ofMillis(PolicyFileWatcher.DEFAULT_DEBOUNCE_MILLIS));
      check.run();
    }
  }

  @Test
  void aRefusedFileIsReportedWithItsPositionAndAFixedOneIsReloaded() throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, GOOD.formatted("first"));
    try (PolicyFileWatcher watcher = PolicyHotReload.watch(file, clock, handOver, log::add)) {
      String first = watcher.policy().version();
      Files.writeString(file, GOOD.formatted("second").replace("effect: allow", "effect: alow"));
      awaitReport(1);
      assertThat(log.get(0)).startsWith("policy refused, the last good one stays: policy.yaml:6:13: error:")
          .contains("alow");
      assertThat(watcher.policy().version()).isEqualTo(first);

      Files.writeString(file, GOOD.formatted("second"));
      awaitReport(2);
      assertThat(watcher.policy().version()).isNotEqualTo(first);
      assertThat(log.get(log.size() - 1)).isEqualTo("policy reloaded: version " + watcher.policy().version());
    }
  }
}
