package dev.jitaccess.store.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The replica tests' race: actions submitted to a pool, held at one latch and released together, their
 * results collected in submission order (each within 60 seconds; a failure is rethrown).
 */
final class Race {
  private Race() {}

  /** {@code action(0) .. action(n - 1)} on {@code threads} threads. */
  static <T> List<T> times(int threads, int n, IntFunction<T> action) throws Exception {
    List<Callable<T>> actions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      actions.add(() -> action.apply(k));
    }
    return all(threads, actions);
  }

  /** Each of {@code actions} on its own thread. */
  @SafeVarargs
  static <T> List<T> each(Callable<T>... actions) throws Exception {
    List<Callable<T>> list = new ArrayList<>();
    for (Callable<T> a : actions) {
      list.add(a);
    }
    return all(actions.length, list);
  }

  private static <T> List<T> all(int threads, List<Callable<T>> actions) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<T>> fs = new ArrayList<>();
      for (Callable<T> a : actions) {
        fs.add(pool.submit(() -> {
          go.await();
          return a.call();
        }));
      }
      go.countDown();
      List<T> out = new ArrayList<>();
      for (Future<T> f : fs) {
        out.add(f.get(60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
