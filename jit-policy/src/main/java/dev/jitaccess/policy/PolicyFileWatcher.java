package dev.jitaccess.policy;

import dev.jitaccess.internal.Arguments;
import dev.jitaccess.spi.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a YAML policy file and reloads a {@link RulePolicy} when its content changes, so an
 * application needs no {@code WatchService} loop of its own. Made by {@link #builder(RulePolicy, Path)};
 * {@link #close()} stops it.
 *
 * <ul>
 *   <li>It watches the file's <em>directory</em>, so a file replaced by an atomic rename (the safe way to
 *       publish a policy), an editor's write-to-temp-then-rename or delete-and-recreate, and a Kubernetes
 *       ConfigMap's swap of its {@code ..data} symlink are seen, not only writes in place. When the file is
 *       a symlink, the directory of its target is watched as well.
 *   <li>Changes are debounced: the file is read once the directory has been quiet for the debounce
 *       interval (default {@value #DEFAULT_DEBOUNCE_MILLIS} ms) by the injected clock, and reloaded only
 *       when its bytes differ from the bytes read last, so one {@code Files.writeString} gives exactly one
 *       reload however many events the operating system reports.
 *   <li>A file that is missing, unreadable or invalid is rejected: the last good policy stays in force
 *       (as with {@link RulePolicy#reload(Path)}) and the listener gets the {@link LoadResult.Invalid}
 *       with every diagnostic ({@code file:line:column}). A missing file is reported once, until it
 *       reappears. A valid file is swapped in and the listener gets the {@link LoadResult.Loaded}. A
 *       listener that throws is logged and ignored.
 * </ul>
 *
 * <p>When watching starts, the file is read once: if it no longer holds the policy in force (it changed
 * after the policy was loaded, or is missing or invalid), it is loaded or reported at once, so no change
 * between loading the policy and starting the watcher is lost. Events are read by one daemon thread;
 * reloads and listener calls run on the {@link Scheduler} (one at a time). Thread-safe.
 */
public final class PolicyFileWatcher implements AutoCloseable {
  /** The default debounce interval, in milliseconds. */
  public static final long DEFAULT_DEBOUNCE_MILLIS = 500;

  /** The longest debounce interval accepted. */
  private static final Duration MAX_DEBOUNCE = Duration.ofMinutes(1);
  /** How long {@link #close()} waits for the watcher thread to end. */
  private static final long JOIN_MILLIS = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(PolicyFileWatcher.class);

  private final RulePolicy policy;
  private final Path file;
  private final String sourceName;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Scheduler.@Nullable Threaded ownScheduler;
  private final Duration debounce;
  private final List<Consumer<LoadResult>> listeners;
  private final WatchService watchService;
  /** Watched directories (real paths) by key; confined to the building thread, then the watcher thread. */
  private final Map<WatchKey, Path> keys = new HashMap<>();
  private final Thread thread;
  /** Called on the watcher thread after each batch of events was taken in (tests wait on it). */
  private final @Nullable Runnable onEvents;
  /** Held while the file is read and reloaded; {@link #close()} takes it to wait for a reload in progress. */
  private final ReentrantLock reloading = new ReentrantLock();
  private final Object lock = new Object();

  // guarded by lock
  private @Nullable Instant lastEvent;
  private Scheduler.@Nullable Cancellable pending;
  private boolean closed;
  // guarded by reloading
  private byte @Nullable [] lastDigest;

  private PolicyFileWatcher(Builder b, Path file, WatchService watchService) {
    this.policy = b.policy;
    this.file = file;
    this.sourceName = String.valueOf(file.getFileName());
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.debounce = b.debounce != null ? b.debounce : Duration.ofMillis(DEFAULT_DEBOUNCE_MILLIS);
    this.listeners = List.copyOf(b.listeners);
    this.onEvents = b.onEvents;
    this.watchService = watchService;
    this.ownScheduler = b.scheduler == null ? Scheduler.threaded(clock, "jit-policy-reload") : null;
    this.scheduler = ownScheduler != null ? ownScheduler : Objects.requireNonNull(b.scheduler, "scheduler");
    this.thread = new Thread(this::watch, "jit-policy-watcher " + sourceName);
    this.thread.setDaemon(true);
  }

  /**
   * Starts a builder.
   *
   * @param policy the policy to reload, usually loaded from the same file
   *     ({@code RulePolicy.builder().load(file).build()})
   * @param file the YAML policy file to watch; its directory must exist, the file need not
   * @throws NullPointerException naming the argument if one is null
   */
  public static Builder builder(RulePolicy policy, Path file) {
    return new Builder(policy, file);
  }

  /** The watched file (absolute, normalised). */
  public Path file() {
    return file;
  }

  /** The policy this watcher reloads. */
  public RulePolicy policy() {
    return policy;
  }

  /** Registers the file's directory, and its target's directory when the file is a symlink. */
  private void registerDirectories() throws IOException {
    Path dir = file.getParent();
    if (dir != null) {
      register(dir.toRealPath());
    }
    registerTargetDirectory();
  }

  private void registerTargetDirectory() {
    Path target;
    try {
      target = file.toRealPath().getParent();
    } catch (IOException e) {
      return; // missing or a dangling link: the directory of the file itself sees it come back
    }
    if (target != null && !keys.containsValue(target)) {
      try {
        register(target);
      } catch (IOException e) {
        LOG.warn("cannot watch {}, the directory of the policy file's target; changes made there in place "
            + "are not seen", target, e);
      }
    }
  }

  private void register(Path dir) throws IOException {
    WatchKey key = dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
        StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
    keys.put(key, dir);
  }

  /** The watcher thread: every event in a watched directory is a possible change; the content decides. */
  private void watch() {
    try {
      while (true) {
        WatchKey key = watchService.take();
        key.pollEvents();
        if (!key.reset()) {
          keys.remove(key); // its directory is gone
        }
        changed();
        registerTargetDirectory();
        if (keys.isEmpty()) {
          LOG.error("the directory of policy file {} is gone: no longer watching it; the policy in force "
              + "(version {}) stays", file, policy.version());
          return;
        }
        if (onEvents != null) {
          onEvents.run();
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // closed
    } catch (RuntimeException e) {
      LOG.error("policy file watcher for {} stopped; the policy in force (version {}) stays", file,
          policy.version(), e);
    }
  }

  /** Records a change and makes sure a debounced check is scheduled. */
  void changed() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      Instant now = clock.instant();
      lastEvent = now;
      if (pending == null) {
        pending = scheduler.schedule(this::check, now.plus(debounce));
      }
    }
  }

  /** Runs on the scheduler: reads the file once the directory has been quiet for the debounce interval. */
  private void check() {
    synchronized (lock) {
      pending = null;
      Instant last = lastEvent;
      if (closed || last == null) {
        return;
      }
      Instant quietAt = last.plus(debounce);
      if (clock.instant().isBefore(quietAt)) {
        pending = scheduler.schedule(this::check, quietAt);
        return;
      }
      lastEvent = null;
    }
    sync(false);
  }

  /**
   * Reads the file and reloads the policy when its bytes changed since the last read (or, when
   * {@code initial}, when it does not hold the policy in force).
   */
  private void sync(boolean initial) {
    reloading.lock();
    try {
      if (isClosed()) {
        return;
      }
      byte[] bytes = null;
      IOException failure = null;
      try {
        bytes = YamlTree.readBytes(file);
      } catch (IOException e) {
        failure = e;
      }
      byte[] digest = bytes == null ? null : sha256(bytes);
      if (!initial && Arrays.equals(digest, lastDigest)) {
        return; // the same bytes as read last, or still missing (reported once)
      }
      lastDigest = digest;
      LoadResult result = bytes != null ? YamlPolicyReader.load(sourceName, bytes)
          : YamlPolicyReader.unreadable(sourceName, failure != null ? failure : new IOException("no content"));
      if (initial && result instanceof LoadResult.Loaded loaded
          && loaded.policy().version().equals(policy.version())) {
        return; // the file holds the policy in force
      }
      LoadResult outcome = policy.reload(result);
      for (Consumer<LoadResult> l : listeners) {
        try {
          l.accept(outcome);
        } catch (RuntimeException e) {
          LOG.warn("policy file watcher listener failed for {}; ignored", sourceName, e);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("policy reload from {} failed; the policy in force (version {}) stays", sourceName,
          policy.version(), e);
    } finally {
      reloading.unlock();
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Stops watching: a pending reload is cancelled, a reload in progress on another thread is waited for,
   * and no listener is called once this returns (except by a reload on the calling thread itself).
   * Idempotent.
   */
  @Override
  public void close() {
    Scheduler.Cancellable p;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      p = pending;
      pending = null;
    }
    if (p != null) {
      p.cancel();
    }
    try {
      watchService.close();
    } catch (IOException e) {
      LOG.warn("closing the watch service of policy file {} failed", sourceName, e);
    }
    reloading.lock(); // waits for a reload in progress
    try {
      LOG.debug("policy file watcher for {} closed", sourceName);
    } finally {
      reloading.unlock();
    }
    if (Thread.currentThread() != thread) {
      try {
        thread.join(JOIN_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (ownScheduler != null) {
      ownScheduler.close();
    }
  }

  @Override
  public String toString() {
    return "PolicyFileWatcher[" + file + ", debounce=" + debounce + "]";
  }

  /** Builds a {@link PolicyFileWatcher}. Not thread-safe. */
  public static final class Builder {
    private final RulePolicy policy;
    private final Path file;
    private @Nullable Clock clock;
    private @Nullable Scheduler scheduler;
    private @Nullable Duration debounce;
    private final List<Consumer<LoadResult>> listeners = new ArrayList<>();
    private @Nullable Runnable onEvents;
    private boolean startThread = true;

    private Builder(RulePolicy policy, Path file) {
      this.policy = Arguments.requireNonNull(policy, "policy");
      this.file = Arguments.requireNonNull(file, "file");
    }

    /**
     * The clock the debounce interval is measured on. Default: the system clock (UTC).
     *
     * @throws IllegalStateException if set twice
     */
    public Builder clock(Clock clock) {
      Arguments.requireNonNull(clock, "clock");
      Arguments.requireUnset(this.clock, "clock");
      this.clock = clock;
      return this;
    }

    /**
     * Where debounced reloads and listener calls run. Default: a daemon thread on the clock, stopped by
     * {@link #close()}. A scheduler given here is not stopped by the watcher.
     *
     * @throws IllegalStateException if set twice
     */
    public Builder scheduler(Scheduler scheduler) {
      Arguments.requireNonNull(scheduler, "scheduler");
      Arguments.requireUnset(this.scheduler, "scheduler");
      this.scheduler = scheduler;
      return this;
    }

    /**
     * How long the directory must be quiet before the file is read, from 0 to 1 minute. Default
     * {@value PolicyFileWatcher#DEFAULT_DEBOUNCE_MILLIS} ms.
     *
     * @throws IllegalArgumentException if negative or above 1 minute
     * @throws IllegalStateException if set twice
     */
    public Builder debounce(Duration debounce) {
      Arguments.requireInRange(debounce, Duration.ZERO, MAX_DEBOUNCE, "debounce");
      Arguments.requireUnset(this.debounce, "debounce");
      this.debounce = debounce;
      return this;
    }

    /**
     * Called after each reload with its result: {@link LoadResult.Loaded} when the new file is in force,
     * {@link LoadResult.Invalid} with every diagnostic when it was rejected and the last good policy
     * stays. May be called several times to add listeners.
     */
    public Builder listener(Consumer<LoadResult> listener) {
      listeners.add(Arguments.requireNonNull(listener, "listener"));
      return this;
    }

    /** Called on the watcher thread after each batch of file-system events (tests wait on it). */
    Builder onEvents(Runnable hook) {
      this.onEvents = Arguments.requireNonNull(hook, "onEvents");
      return this;
    }

    /**
     * Registers the directories but starts no thread reading their events, so that a test drives the
     * debounce through {@link PolicyFileWatcher#changed()} alone, without racing late events.
     */
    Builder withoutWatchThread() {
      this.startThread = false;
      return this;
    }

    /**
     * Starts watching; reads the file once (see the class description).
     *
     * @throws IllegalArgumentException if the file's directory does not exist
     * @throws UncheckedIOException if the directory cannot be watched
     */
    public PolicyFileWatcher build() {
      Path f = file.toAbsolutePath().normalize();
      Path dir = f.getParent();
      Arguments.requireArgument(dir != null && Files.isDirectory(dir),
          "the directory of the policy file does not exist: " + f);
      WatchService ws;
      try {
        ws = f.getFileSystem().newWatchService();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot watch " + dir, e);
      }
      PolicyFileWatcher w = new PolicyFileWatcher(this, f, ws);
      try {
        w.registerDirectories();
      } catch (IOException | RuntimeException e) {
        w.close();
        if (e instanceof IOException io) {
          throw new UncheckedIOException("cannot watch " + dir, io);
        }
        throw (RuntimeException) e;
      }
      if (startThread) {
        w.thread.start();
      }
      w.sync(true);
      return w;
    }
  }
}
