package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.internal.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 item 4: a watched policy file is reloaded once per change, after a debounce on the injected
 * clock; atomic renames, editors' replacements and ConfigMap symlink swaps are seen; a bad or missing file
 * is reported with its diagnostics and the last good policy stays; close() stops it.
 *
 * <p>{@link DebounceTest} drives the watcher without its event thread ({@code changed()} stands for an
 * event), so the debounce edges are exact. {@link RealEventsTest} uses the real WatchService: it waits for
 * event batches on a semaphore (no sleeps) and advances the manual clock past the debounce after each.
 */
class PolicyFileWatcherTest {
  static final Duration DEBOUNCE = Duration.ofMillis(500);
  static final long EVENT_TIMEOUT_SECONDS = 60;

  static String policyYaml(String ruleId) {
    return "version: 2\nmaxTtl: 1h\nrules:\n  - id: " + ruleId + "\n    owner: o\n    effect: allow\n";
  }

  static final String BAD_EFFECT = "version: 2\nmaxTtl: 1h\nrules:\n  - id: r\n    owner: o\n    effect: permit\n";

  abstract static class Fixture {
    @TempDir Path dir;
    Path file;
    final ManualClock clock = ManualClock.at("2025-03-04T09:00:00Z");
    final List<LoadResult> results = new CopyOnWriteArrayList<>();
    RulePolicy policy;
    PolicyFileWatcher watcher;

    void loadPolicy() throws IOException {
      file = dir.resolve("policy.yaml");
      Files.writeString(file, policyYaml("first"));
      policy = RulePolicy.builder().load(file).build();
    }

    PolicyFileWatcher.Builder builder() {
      return PolicyFileWatcher.builder(policy, file).clock(clock).scheduler(clock).debounce(DEBOUNCE)
          .listener(results::add);
    }

    String ruleIds() {
      return policy.policy().rules().stream().map(Rule::id).toList().toString();
    }

    @AfterEach
    void stop() {
      if (watcher != null) {
        watcher.close();
      }
    }
  }

  @Nested
  class DebounceTest extends Fixture {
    @BeforeEach
    void start() throws IOException {
      loadPolicy();
      watcher = builder().withoutWatchThread().build();
    }

    @Test
    void oneChangeIsReloadedExactlyAtTheEndOfTheDebounceAndOnlyOnce() throws IOException {
      Files.writeString(file, policyYaml("second"));
      watcher.changed();
      clock.advance(DEBOUNCE.minusNanos(1));
      assertThat(results).isEmpty();
      assertThat(ruleIds()).isEqualTo("[first]");
      clock.advance(Duration.ofNanos(1));
      assertThat(results).hasSize(1).first().isInstanceOf(LoadResult.Loaded.class);
      assertThat(ruleIds()).isEqualTo("[second]");
      // more events of the same write, or a touch, find the same bytes: no second reload
      watcher.changed();
      watcher.changed();
      clock.advance(DEBOUNCE);
      assertThat(results).hasSize(1);
      assertThat(clock.pendingTasks()).isZero();
    }

    @Test
    void eventsWithinTheIntervalPostponeTheReloadIntoOne() throws IOException {
      Instant t0 = clock.instant();
      Files.writeString(file, policyYaml("second"));
      watcher.changed();
      clock.advance(Duration.ofMillis(300));
      Files.writeString(file, policyYaml("third"));
      watcher.changed();
      clock.advanceTo(t0.plus(DEBOUNCE));
      assertThat(results).as("the directory was not quiet for the whole interval").isEmpty();
      clock.advanceTo(t0.plus(Duration.ofMillis(300)).plus(DEBOUNCE).minusNanos(1));
      assertThat(results).isEmpty();
      clock.advance(Duration.ofNanos(1));
      assertThat(results).hasSize(1);
      assertThat(ruleIds()).isEqualTo("[third]");
    }

    @Test
    void anEventWithoutAChangeOfContentReloadsNothing() throws IOException {
      Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
      watcher.changed();
      clock.advance(DEBOUNCE);
      assertThat(results).isEmpty();
    }

    @Test
    void aBadFileIsReportedWithFileLineColumnAndTheLastGoodPolicyStays() throws IOException {
      String version = policy.version();
      Files.writeString(file, BAD_EFFECT);
      watcher.changed();
      clock.advance(DEBOUNCE);
      assertThat(results).hasSize(1);
      LoadResult.Invalid invalid = (LoadResult.Invalid) results.get(0);
      assertThat(invalid.errors()).extracting(Diagnostic::toString)
          .anySatisfy(s -> assertThat(s).startsWith("policy.yaml:6:13: error:").contains("permit"));
      assertThat(policy.version()).isEqualTo(version);
      assertThat(ruleIds()).isEqualTo("[first]");
      // the same bad bytes again are not reported again; a fixed file is loaded
      watcher.changed();
      clock.advance(DEBOUNCE);
      assertThat(results).hasSize(1);
      Files.writeString(file, policyYaml("fixed"));
      watcher.changed();
      clock.advance(DEBOUNCE);
      assertThat(results).hasSize(2).last().isInstanceOf(LoadResult.Loaded.class);
      assertThat(ruleIds()).isEqualTo("[fixed]");
    }

    @Test
    void aDeletedFileIsReportedOnceTheLastGoodPolicyStaysAndItsReturnIsLoaded() throws IOException {
      Files.delete(file);
      watcher.changed();
      clock.advance(DEBOUNCE);
      assertThat(results).hasSize(1);
      LoadResult.Invalid missing = (LoadResult.Invalid) results.get(0);
      assertThat(missing.errors()).extracting(Diagnostic::toString)
          .singleElement().satisfies(s -> assertThat(s).startsWith("policy.yaml: error: cannot read file: "
              + "NoSuchFileException"));
      assertThat(ruleIds()).isEqualTo("[first]");
      watcher.changed();
      clock.advance(DEBOUNCE);
      assertThat(results).as("still missing: not reported again").hasSize(1);
      Files.writeString(file, policyYaml("recreated"));
      watcher.changed();
      clock.advance(DEBOUNCE);
      assertThat(results).hasSize(2).last().isInstanceOf(LoadResult.Loaded.class);
      assertThat(ruleIds()).isEqualTo("[recreated]");
    }

    @Test
    void aFileTooLargeIsRefused() throws IOException {
      Files.write(file, new byte[YamlTree.MAX_BYTES + 1]);
      watcher.changed();
      clock.advance(DEBOUNCE);
      assertThat(((LoadResult.Invalid) results.get(0)).errors()).extracting(Diagnostic::message)
          .containsExactly("document refused: larger than 1048576 bytes (1 MiB)");
      assertThat(ruleIds()).isEqualTo("[first]");
    }

    @Test
    void aThrowingListenerNeitherStopsTheReloadNorTheOtherListeners() throws IOException {
      watcher.close();
      watcher = PolicyFileWatcher.builder(policy, file).clock(clock).scheduler(clock).debounce(DEBOUNCE)
          .listener(r -> {
            throw new IllegalStateException("listener bug");
          }).listener(results::add).withoutWatchThread().build();
      Files.writeString(file, policyYaml("second"));
      watcher.changed();
      clock.advance(DEBOUNCE);
      assertThat(results).hasSize(1);
      assertThat(ruleIds()).isEqualTo("[second]");
    }

    @Test
    void closeCancelsAPendingReloadAndIgnoresLaterEvents() throws IOException {
      Files.writeString(file, policyYaml("second"));
      watcher.changed();
      assertThat(clock.pendingTasks()).isOne();
      watcher.close();
      watcher.close();
      assertThat(clock.pendingTasks()).isZero();
      clock.advance(DEBOUNCE);
      watcher.changed();
      clock.advance(DEBOUNCE);
      assertThat(results).isEmpty();
      assertThat(ruleIds()).isEqualTo("[first]");
    }

    @Test
    void aZeroDebounceReloadsAtTheNextTick() throws IOException {
      watcher.close();
      watcher = PolicyFileWatcher.builder(policy, file).clock(clock).scheduler(clock).debounce(Duration.ZERO)
          .listener(results::add).withoutWatchThread().build();
      Files.writeString(file, policyYaml("second"));
      watcher.changed();
      clock.runDueTasks();
      assertThat(results).hasSize(1);
    }
  }

  /** What the watcher does when it starts: the file is read once, so no change before it is lost. */
  @Nested
  class StartTest extends Fixture {
    @BeforeEach
    void load() throws IOException {
      loadPolicy();
    }

    @Test
    void aFileThatStillHoldsThePolicyInForceReportsNothing() {
      watcher = builder().withoutWatchThread().build();
      assertThat(results).isEmpty();
      assertThat(clock.pendingTasks()).isZero();
    }

    @Test
    void aFileChangedBeforeTheWatcherStartedIsLoadedAtOnce() throws IOException {
      Files.writeString(file, policyYaml("meanwhile"));
      watcher = builder().withoutWatchThread().build();
      assertThat(results).hasSize(1).first().isInstanceOf(LoadResult.Loaded.class);
      assertThat(ruleIds()).isEqualTo("[meanwhile]");
    }

    @Test
    void aMissingFileIsReportedAtOnceAndTheWatcherWaitsForIt() throws IOException {
      Files.delete(file);
      watcher = builder().withoutWatchThread().build();
      assertThat(results).singleElement().isInstanceOf(LoadResult.Invalid.class);
      Files.writeString(file, policyYaml("created"));
      watcher.changed();
      clock.advance(DEBOUNCE);
      assertThat(ruleIds()).isEqualTo("[created]");
    }

    @Test
    void anInvalidFileIsReportedAtOnceAndThePolicyGivenStays() throws IOException {
      Files.writeString(file, BAD_EFFECT);
      watcher = builder().withoutWatchThread().build();
      assertThat(results).singleElement().isInstanceOf(LoadResult.Invalid.class);
      assertThat(ruleIds()).isEqualTo("[first]");
    }

    @Test
    void builderIsStrict() {
      assertThatThrownBy(() -> PolicyFileWatcher.builder(null, file)).isInstanceOf(NullPointerException.class)
          .hasMessage("policy");
      assertThatThrownBy(() -> PolicyFileWatcher.builder(policy, null)).isInstanceOf(NullPointerException.class)
          .hasMessage("file");
      assertThatThrownBy(() -> PolicyFileWatcher.builder(policy, file).debounce(null))
          .isInstanceOf(NullPointerException.class).hasMessage("debounce");
      assertThatThrownBy(() -> PolicyFileWatcher.builder(policy, file).listener(null))
          .isInstanceOf(NullPointerException.class).hasMessage("listener");
      assertThatThrownBy(() -> PolicyFileWatcher.builder(policy, file).debounce(Duration.ofMillis(-1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.001S");
      assertThatThrownBy(() -> PolicyFileWatcher.builder(policy, file).debounce(Duration.ofMinutes(1).plusNanos(1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1M0.000000001S");
      assertThatThrownBy(() -> PolicyFileWatcher.builder(policy, file).debounce(DEBOUNCE).debounce(DEBOUNCE))
          .isInstanceOf(IllegalStateException.class).hasMessage("debounce was already set");
      assertThatThrownBy(() -> PolicyFileWatcher.builder(policy, file).clock(clock).clock(clock))
          .isInstanceOf(IllegalStateException.class).hasMessage("clock was already set");
      assertThatThrownBy(() -> PolicyFileWatcher.builder(policy, file).scheduler(clock).scheduler(clock))
          .isInstanceOf(IllegalStateException.class).hasMessage("scheduler was already set");
      Path nowhere = dir.resolve("missing/policy.yaml");
      assertThatThrownBy(() -> PolicyFileWatcher.builder(policy, nowhere).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist")
          .hasMessageContaining(nowhere.toString());
    }
  }

  /** The real WatchService of the platform: the events of real writes, renames and symlink swaps. */
  @Nested
  class RealEventsTest extends Fixture {
    final Semaphore eventBatches = new Semaphore(0);

    PolicyFileWatcher watch(Path watched) {
      return PolicyFileWatcher.builder(policy, watched).clock(clock).scheduler(clock).debounce(DEBOUNCE)
          .listener(results::add).onEvents(eventBatches::release).build();
    }

    private void awaitEvents() throws InterruptedException {
      assertThat(eventBatches.tryAcquire(EVENT_TIMEOUT_SECONDS, TimeUnit.SECONDS))
          .as("a file-system event within %s s", EVENT_TIMEOUT_SECONDS).isTrue();
    }

    /** Waits for event batches, letting the debounce interval pass after each, until a reload came. */
    private void awaitReloads(int count) throws InterruptedException {
      while (results.size() < count) {
        awaitEvents();
        clock.advance(DEBOUNCE);
      }
      clock.advance(DEBOUNCE); // late events of the same change find the same bytes
      assertThat(results).hasSize(count);
    }

    @Test
    void oneWriteGivesExactlyOneReload() throws Exception {
      loadPolicy();
      watcher = watch(file);
      Files.writeString(file, policyYaml("second"));
      awaitReloads(1);
      assertThat(results.get(0)).isInstanceOf(LoadResult.Loaded.class);
      assertThat(ruleIds()).isEqualTo("[second]");
      Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
      awaitEvents();
      clock.advance(DEBOUNCE);
      assertThat(results).as("a touch is no change").hasSize(1);
    }

    @Test
    void anAtomicRenameIntoPlaceIsOneReload() throws Exception {
      loadPolicy();
      watcher = watch(file);
      Path tmp = dir.resolve(".policy.yaml.tmp");
      Files.writeString(tmp, policyYaml("renamed"));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      awaitReloads(1);
      assertThat(ruleIds()).isEqualTo("[renamed]");
    }

    @Test
    void anEditorsDeleteAndRecreateIsOneReload() throws Exception {
      loadPolicy();
      watcher = watch(file);
      Files.delete(file);
      Files.write(file, policyYaml("edited").getBytes(StandardCharsets.UTF_8));
      awaitReloads(1);
      assertThat(results.get(0)).isInstanceOf(LoadResult.Loaded.class);
      assertThat(ruleIds()).isEqualTo("[edited]");
    }

    @Test
    void aDeletedFileIsReportedAndItsRecreationLoaded() throws Exception {
      loadPolicy();
      watcher = watch(file);
      Files.delete(file);
      awaitReloads(1);
      assertThat(results.get(0)).isInstanceOf(LoadResult.Invalid.class);
      assertThat(ruleIds()).isEqualTo("[first]");
      Files.writeString(file, policyYaml("recreated"));
      awaitReloads(2);
      assertThat(results.get(1)).isInstanceOf(LoadResult.Loaded.class);
      assertThat(ruleIds()).isEqualTo("[recreated]");
    }

    @Test
    void aBadFileIsReportedWithDiagnosticsAndTheLastGoodPolicyStays() throws Exception {
      loadPolicy();
      watcher = watch(file);
      Files.writeString(file, BAD_EFFECT);
      awaitReloads(1);
      assertThat(((LoadResult.Invalid) results.get(0)).errors()).extracting(Diagnostic::toString)
          .anySatisfy(s -> assertThat(s).startsWith("policy.yaml:6:13: error:"));
      assertThat(ruleIds()).isEqualTo("[first]");
    }

    /** A Kubernetes ConfigMap volume: policy.yaml -> ..data/policy.yaml, ..data -> ..v1, swapped by rename. */
    @Test
    void aConfigMapSymlinkSwapIsOneReload() throws Exception {
      Path v1 = Files.createDirectory(dir.resolve("..v1"));
      Files.writeString(v1.resolve("policy.yaml"), policyYaml("first"));
      Files.createSymbolicLink(dir.resolve("..data"), Path.of("..v1"));
      file = Files.createSymbolicLink(dir.resolve("policy.yaml"), Path.of("..data/policy.yaml"));
      policy = RulePolicy.builder().load(file).build();
      watcher = watch(file);
      Path v2 = Files.createDirectory(dir.resolve("..v2"));
      Files.writeString(v2.resolve("policy.yaml"), policyYaml("swapped"));
      Path tmpLink = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..v2"));
      Files.move(tmpLink, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      Files.delete(v1.resolve("policy.yaml"));
      Files.delete(v1);
      awaitReloads(1);
      assertThat(ruleIds()).isEqualTo("[swapped]");
    }

    /** A symlink to a file elsewhere: a write in place there happens in the target's directory. */
    @Test
    void aWriteInPlaceToASymlinksTargetIsSeen() throws Exception {
      Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
      Path target = elsewhere.resolve("real-policy.yaml");
      Files.writeString(target, policyYaml("first"));
      Path links = Files.createDirectory(dir.resolve("links"));
      file = Files.createSymbolicLink(links.resolve("policy.yaml"), target);
      policy = RulePolicy.builder().load(file).build();
      watcher = watch(file);
      Files.writeString(target, policyYaml("target"));
      awaitReloads(1);
      assertThat(ruleIds()).isEqualTo("[target]");
    }

    @Test
    void closeStopsWatching() throws Exception {
      loadPolicy();
      watcher = watch(file);
      watcher.close();
      Files.writeString(file, policyYaml("after-close"));
      watcher.changed();
      clock.advance(DEBOUNCE);
      assertThat(eventBatches.availablePermits()).as("no event is read after close").isZero();
      assertThat(clock.pendingTasks()).isZero();
      assertThat(results).isEmpty();
      assertThat(ruleIds()).isEqualTo("[first]");
    }
  }
}
