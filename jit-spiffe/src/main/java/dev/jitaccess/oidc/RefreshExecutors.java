package dev.jitaccess.oidc;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Executors for background JWKS refreshes, which Nimbus needs as an {@link ExecutorService}. */
final class RefreshExecutors {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private RefreshExecutors() {}

  /**
   * The default: at most one daemon thread, started on demand and ended after a minute idle, so an
   * unclosed verifier neither keeps the JVM alive nor holds a thread.
   */
  static ExecutorService defaultExecutor() {
    ThreadPoolExecutor executor = new ThreadPoolExecutor(
        0, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
          Thread thread = new Thread(task, "jit-oidc-jwks-refresh-" + THREADS.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    return executor;
  }

  /** Adapts a caller's executor; closing the verifier stops using it but never shuts it down. */
  static ExecutorService adapt(Executor executor) {
    return new Adapter(executor);
  }

  private static final class Adapter extends AbstractExecutorService {
    private final Executor executor;
    private volatile boolean shutdown;

    Adapter(Executor executor) {
      this.executor = executor;
    }

    @Override
    public void execute(Runnable command) {
      if (shutdown) {
        throw new RejectedExecutionException("the OIDC verifier is closed");
      }
      executor.execute(command);
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return shutdown;
    }
  }
}
