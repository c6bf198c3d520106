package dev.jitaccess.benchmarks.lifecycle;

import dev.jitaccess.Credential;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.SigningAlgorithm;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.benchmarks.Brokers;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import javax.management.ObjectName;

/**
 * Issue 7, item 6: lifecycle at scale, on one broker with a real clock and its own scheduler thread.
 *
 * <ol>
 *   <li><b>Heap per live grant.</b> After 2,000 warm-up grants: full GC, heap used (MemoryMXBean); issue
 *       {@code --grants} grants of one hour (one task each, spread over {@code --identities}
 *       identities), drop the returned {@code Grant} objects, full GC again; the difference divided by
 *       the count is what the broker keeps per live grant (store record, indexes, timer entries).
 *       {@code --histogram} prints the top of a class histogram of the JVM at that point.
 *   <li><b>Expiry-callback lateness.</b> With those grants still live, grants of 1 second are issued at
 *       {@code --rate} per second for {@code --lateness-seconds}; a broker listener records, for each
 *       {@code onExpired}, the clock's time minus the grant's {@code expiresAt}.
 *   <li><b>Bulk revocation.</b> {@code --revoke-rounds} times: one task receives {@code --revoke-grants}
 *       grants, then {@code revokeTask} is timed (System.nanoTime) on the calling thread.
 * </ol>
 *
 * <p>The identity verifier here is a lookup of precomputed identities: the credential check costs the
 * same for every grant and leaves nothing behind, so it is left out to make a million grants quick to
 * issue. Grants are signed with EdDSA, the fastest signer; the algorithm does not change what is kept.
 * Run with {@code -Xmx4g}.
 */
public final class LifecycleScale {

  /**
   * What to run.
   *
   * @param grants live grants for the heap figure
   * @param identities identities they are spread over
   * @param threads threads issuing them
   * @param latenessSeconds how long short grants are issued for the lateness figure
   * @param rate short grants issued per second
   * @param revokeGrants grants held by the task that is revoked
   * @param revokeRounds how many times that is measured
   * @param histogram whether to print a class histogram at the heap measurement
   */
  public record Config(int grants, int identities, int threads, int latenessSeconds, int rate, int revokeGrants,
      int revokeRounds, boolean histogram) {}

  /**
   * What was measured.
   *
   * @param grants the live grants of the heap figure
   * @param bytesPerGrant retained heap per live grant
   * @param issueRate grants issued per second while filling the broker
   * @param latenessMillis sorted lateness samples, in milliseconds
   * @param expectedLateness how many short grants were issued
   * @param revokeMillis the time of each revokeTask, in milliseconds, in run order
   * @param revokeCpuMillis the CPU time of the calling thread in each revokeTask, in milliseconds
   * @param revokeGcMillis the garbage collectors' time (pauses) within each revokeTask, in milliseconds
   * @param revokeBytes the heap the calling thread allocated in each revokeTask, in bytes
   * @param revoked how many grants each revokeTask ended
   * @param histogram the top of the class histogram, or empty
   */
  public record Figures(int grants, double bytesPerGrant, double issueRate, double[] latenessMillis,
      int expectedLateness, double[] revokeMillis, double[] revokeCpuMillis, double[] revokeGcMillis, long[] revokeBytes, int[] revoked,
      String histogram) {

    /** The {@code p}-th percentile (0 to 100) of the lateness, by nearest rank. */
    public double latenessPercentile(double p) {
      if (latenessMillis.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(p / 100.0 * latenessMillis.length);
      return latenessMillis[Math.max(0, Math.min(latenessMillis.length - 1, rank - 1))];
    }
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final Duration LONG_TTL = Duration.ofHours(1);
  private static final Duration SHORT_TTL = Duration.ofSeconds(1);
  private static final String SHORT_TASK = "short-";

  private LifecycleScale() {}

  /**
   * Entry point; prints the figures as Markdown and writes them to {@code --out} (default
   * {@code target/benchmark-results/lifecycle.md}).
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--histogram")) {
        a.put("histogram", "true");
      } else if (args[i].startsWith("--") && i + 1 < args.length) {
        a.put(args[i].substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Config c = new Config(
        Integer.parseInt(a.getOrDefault("grants", "1000000")),
        Integer.parseInt(a.getOrDefault("identities", "1000")),
        Integer.parseInt(a.getOrDefault("threads", "2")),
        Integer.parseInt(a.getOrDefault("lateness-seconds", "20")),
        Integer.parseInt(a.getOrDefault("rate", "500")),
        Integer.parseInt(a.getOrDefault("revoke-grants", "10000")),
        Integer.parseInt(a.getOrDefault("revoke-rounds", "5")),
        Boolean.parseBoolean(a.getOrDefault("histogram", "false")));
    Figures f = run(c, System.out::println);
    String report = report(c, f);
    System.out.println();
    System.out.println(report);
    Path out = Path.of(a.getOrDefault("out", "target/benchmark-results/lifecycle.md"));
    try {
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, report);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the three measurements; {@code log} receives progress lines. */
  public static Figures run(Config c, java.util.function.Consumer<String> log) throws Exception {
    Clock clock = Clock.systemUTC();
    Map<String, WorkloadIdentity> identities = new HashMap<>();
    IntFunction<Credential> credential = i -> Credential.jwtSvid("spiffe://example.org/workload-" + i);
    for (int i = -c.revokeRounds() - 1; i < c.identities(); i++) {
      String id = "spiffe://example.org/workload-" + i;
      identities.put(id, WorkloadIdentity.builder(id, "spiffe://example.org").kind("jwt-svid").build());
    }
    IdentityVerifier lookup = new IdentityVerifier() {
      @Override
      public boolean supports(Credential cred) {
        return cred instanceof Credential.Token;
      }

      @Override
      public IdentityResult verify(Credential cred) {
        WorkloadIdentity w = identities.get(((Credential.Token) cred).value());
        return w == null ? IdentityResult.rejected("unknown workload") : IdentityResult.verified(w);
      }
    };
    double[] lateness = new double[Math.max(1, c.latenessSeconds() * c.rate() * 2)];
    AtomicInteger samples = new AtomicInteger();
    GrantListener recorder = new GrantListener() {
      @Override
      public void onExpired(GrantInfo grant) {
        if (grant.taskId().startsWith(SHORT_TASK)) {
          Instant now = clock.instant();
          int i = samples.getAndIncrement();
          if (i < lateness.length) {
            lateness[i] = Duration.between(grant.expiresAt(), now).toNanos() / 1e6;
          }
        }
      }
    };
    ExecutorService pool = Executors.newFixedThreadPool(c.threads());
    try (GrantBroker broker = Brokers.builder(SigningAlgorithm.EDDSA, lookup).listener(recorder).build()) {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

      // 1. heap per live grant
      issue(broker, pool, c.threads(), 2_000, i -> credential.apply(i % c.identities()), i -> "warm-" + i, LONG_TTL);
      long before = usedAfterGc(memory);
      long t0 = System.nanoTime();
      issue(broker, pool, c.threads(), c.grants(), i -> credential.apply(i % c.identities()), i -> "task-" + i, LONG_TTL);
      double issueRate = c.grants() / ((System.nanoTime() - t0) / 1e9);
      long after = usedAfterGc(memory);
      double perGrant = (after - before) / (double) c.grants();
      log.accept(String.format(Locale.ROOT, "heap: %d grants issued at %.0f/s; used %d -> %d bytes: %.0f B/grant",
          c.grants(), issueRate, before, after, perGrant));
      String histogram = c.histogram() ? histogram(30) : "";
      if (!histogram.isEmpty()) {
        log.accept(histogram);
      }

      // 2. expiry-callback lateness while grants expire continuously
      int expected = c.latenessSeconds() * c.rate();
      long period = 1_000_000_000L / Math.max(1, c.rate());
      long start = System.nanoTime();
      Credential shortCredential = credential.apply(-1);
      for (int i = 0; i < expected; i++) {
        long wait = start + i * period - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        broker.request(Brokers.request(shortCredential, SHORT_TASK + i, SHORT_TTL));
      }
      long deadline = System.nanoTime() + SHORT_TTL.toNanos() + TimeUnit.SECONDS.toNanos(10);
      while (samples.get() < expected && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
      double[] sorted = Arrays.copyOf(lateness, Math.min(samples.get(), lateness.length));
      Arrays.sort(sorted);
      log.accept("lateness: " + sorted.length + " of " + expected + " expiries observed");

      // 3. revoking one task holding many grants
      double[] revokeMillis = new double[c.revokeRounds()];
      double[] revokeCpuMillis = new double[c.revokeRounds()];
      double[] revokeGcMillis = new double[c.revokeRounds()];
      long[] revokeBytes = new long[c.revokeRounds()];
      int[] revoked = new int[c.revokeRounds()];
      for (int r = 0; r < c.revokeRounds(); r++) {
        String task = "bulk-" + r;
        Credential bulk = credential.apply(-2 - r);
        issue(broker, pool, c.threads(), c.revokeGrants(), i -> bulk, i -> task, LONG_TTL);
        // a round is the revokeTask call alone, timed from a cold start of its code: nothing warms it up
        long gc0 = gcMillis();
        long bytes0 = THREADS.getCurrentThreadAllocatedBytes();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long s = System.nanoTime();
        revoked[r] = broker.revokeTask(task);
        revokeMillis[r] = (System.nanoTime() - s) / 1e6;
        revokeCpuMillis[r] = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e6;
        revokeBytes[r] = THREADS.getCurrentThreadAllocatedBytes() - bytes0;
        revokeGcMillis[r] = gcMillis() - gc0;
        log.accept(String.format(Locale.ROOT, "revokeTask round %d: %d grants in %.2f ms (%.2f ms CPU of the calling thread,"
            + " %,d B allocated = %,.0f B per grant, %.0f ms of GC pauses in the window, load average %.2f)", r, revoked[r],
            revokeMillis[r], revokeCpuMillis[r], revokeBytes[r], revokeBytes[r] / (double) Math.max(1, revoked[r]),
            revokeGcMillis[r], ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
      }
      return new Figures(c.grants(), perGrant, issueRate, sorted, expected, revokeMillis, revokeCpuMillis, revokeGcMillis, revokeBytes, revoked,
          histogram);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Issues {@code n} grants on {@code threads} threads and drops them. */
  private static void issue(GrantBroker broker, ExecutorService pool, int threads, int n,
      IntFunction<Credential> credential, IntFunction<String> task, Duration ttl) throws Exception {
    List<Future<?>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int from = (int) ((long) n * t / threads);
      int to = (int) ((long) n * (t + 1) / threads);
      parts.add(pool.submit(() -> {
        for (int i = from; i < to; i++) {
          broker.request(Brokers.request(credential.apply(i), task.apply(i), ttl));
        }
      }));
    }
    for (Future<?> f : parts) {
      f.get();
    }
  }

  /** Heap used after full collections, repeated until it settles. */
  static long usedAfterGc(MemoryMXBean memory) {
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 6; i++) {
      memory.gc();
      long used = memory.getHeapMemoryUsage().getUsed();
      if (Math.abs(last - used) < 256 * 1024) {
        return used;
      }
      last = used;
    }
    return last;
  }

  /** The top of {@code GC.class_histogram} of this JVM, through the DiagnosticCommand MBean. */
  static String histogram(int lines) {
    try {
      String all = (String) ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      String[] rows = all.split("\n");
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < Math.min(lines + 2, rows.length); i++) {
        sb.append(rows[i]).append('\n');
      }
      sb.append(rows[rows.length - 1]).append('\n');
      return sb.toString();
    } catch (javax.management.JMException e) {
      return "class histogram unavailable: " + e.getClass().getSimpleName() + "\n";
    }
  }

  /** The figures as Markdown, each against its target. */
  static String report(Config c, Figures f) {
    double projected = f.bytesPerGrant() * 1_000_000 / (1024.0 * 1024.0);
    double p50 = f.latenessPercentile(50);
    double p99 = f.latenessPercentile(99);
    double max = f.latenessMillis().length == 0 ? Double.NaN : f.latenessMillis()[f.latenessMillis().length - 1];
    double[] revokeSorted = f.revokeMillis().clone();
    Arrays.sort(revokeSorted);
    double revokeMedian = revokeSorted.length == 0 ? Double.NaN : revokeSorted[revokeSorted.length / 2];
    double revokeMax = revokeSorted.length == 0 ? Double.NaN : revokeSorted[revokeSorted.length - 1];
    StringBuilder sb = new StringBuilder();
    sb.append("### Lifecycle at scale\n\n");
    sb.append(String.format(Locale.ROOT,
        "%,d live grants (one task each, %,d identities, EdDSA, issued at %,.0f grants/s on %d threads); "
            + "lateness: 1-s grants at %d/s for %d s; revokeTask: %,d grants, %d rounds.%n%n",
        f.grants(), c.identities(), f.issueRate(), c.threads(), c.rate(), c.latenessSeconds(), c.revokeGrants(),
        c.revokeRounds()));
    sb.append("| figure | measured | target | met |\n|---|---|---|---|\n");
    sb.append(String.format(Locale.ROOT, "| retained heap per live grant | %,.0f B | | |%n", f.bytesPerGrant()));
    sb.append(String.format(Locale.ROOT, "| heap for 1,000,000 live grants%s | %,.0f MiB | <= 1,024 MiB | %s |%n",
        f.grants() == 1_000_000 ? "" : " (projected from " + String.format(Locale.ROOT, "%,d", f.grants()) + ")",
        projected, projected <= 1024 ? "yes" : "**no**"));
    sb.append(String.format(Locale.ROOT, "| expiry-callback lateness p50 | %.2f ms | | |%n", p50));
    sb.append(String.format(Locale.ROOT, "| expiry-callback lateness p99 (max %.2f ms; %,d of %,d expiries seen) | %.2f ms"
        + " | <= 100 ms | %s |%n", max, f.latenessMillis().length, f.expectedLateness(), p99,
        p99 <= 100 && f.latenessMillis().length == f.expectedLateness() ? "yes" : "**no**"));
    sb.append(String.format(Locale.ROOT, "| revokeTask of %,d grants, median of %d (each: %s) | %.1f ms | <= 50 ms | %s |%n",
        c.revokeGrants(), revokeSorted.length, rounds(f.revokeMillis()), revokeMedian,
        revokeMedian <= 50 ? "yes" : "**no**"));
    sb.append(String.format(Locale.ROOT, "| revokeTask worst round | %.1f ms | <= 50 ms | %s |%n", revokeMax,
        revokeMax <= 50 ? "yes" : "**no**"));
    sb.append(String.format(Locale.ROOT, "| revokeTask CPU time of the calling thread (each: %s) | median %.1f ms"
        + " | <= 50 ms | %s |%n", rounds(f.revokeCpuMillis()), median(f.revokeCpuMillis()),
        median(f.revokeCpuMillis()) <= 50 ? "yes" : "**no**"));
    sb.append(String.format(Locale.ROOT, "| revokeTask: GC pauses within the round (each: %s) | median %.0f ms | - | - |%n",
        rounds(f.revokeGcMillis()), median(f.revokeGcMillis())));
    double[] perGrant = new double[f.revokeBytes().length];
    for (int i = 0; i < perGrant.length; i++) {
      perGrant[i] = f.revokeBytes()[i] / (double) Math.max(1, f.revoked()[i]);
    }
    sb.append(String.format(Locale.ROOT, "| revokeTask: heap allocated by the calling thread per grant (each: %s) | median"
        + " %.0f B | - | - |%n", rounds(perGrant), median(perGrant)));
    if (!f.histogram().isEmpty()) {
      sb.append("\nClass histogram at the heap measurement (top):\n\n```\n").append(f.histogram()).append("```\n");
    }
    return sb.toString();
  }

  private static double median(double[] xs) {
    if (xs.length == 0) {
      return Double.NaN;
    }
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** The collectors' accumulated time so far (for G1's young and mixed collections: their pauses), ms. */
  private static long gcMillis() {
    long total = 0;
    for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  private static String rounds(double[] millis) {
    StringBuilder sb = new StringBuilder();
    for (double m : millis) {
      sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", m));
    }
    return sb.toString();
  }
}
