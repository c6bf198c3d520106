package dev.jitaccess.examples;

import dev.jitaccess.policy.LoadResult;
import dev.jitaccess.policy.PolicyFileWatcher;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spi.Scheduler;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * The README's hot reload: a policy loaded from a YAML file and kept current by a
 * {@link PolicyFileWatcher}, with no {@code WatchService} loop of one's own. The region between the
 * {@code README:hot-reload} markers is copied into README.md.
 */
public final class PolicyHotReload {
  private PolicyHotReload() {}

  /**
   * Loads the policy file and watches it until the returned watcher is closed.
   *
   * @param file the YAML policy file
   * @param clock the clock the debounce interval is measured on ({@code Clock.systemUTC()} in production)
   * @param scheduler where reloads run ({@code Scheduler.threaded(clock, name)} in production, or omit it)
   * @param log where each reload and each refused file is reported
   * @throws dev.jitaccess.policy.InvalidPolicyException listing every error if the file is not a valid policy
   */
  public static PolicyFileWatcher watch(Path file, Clock clock, Scheduler scheduler, Consumer<String> log) {
    // README:hot-reload:start
    RulePolicy policy = RulePolicy.builder().load(file).build(); // a bad file fails here, with every error
    PolicyFileWatcher watcher = PolicyFileWatcher.builder(policy, file)
        .listener(result -> {
          if (result instanceof LoadResult.Invalid invalid) {
            invalid.errors().forEach(error -> log.accept("policy refused, the last good one stays: " + error));
          } else {
            log.accept("policy reloaded: version " + policy.version());
          }
        })
        .clock(clock).scheduler(scheduler) // optional: by default the system clock and a daemon thread
        .build();
    // GrantBroker.builder().policy(watcher.policy())...; watcher.close() when the service stops
    // README:hot-reload:end
    return watcher;
  }
}
