package dev.jitaccess.benchmarks;

import dev.jitaccess.SigningAlgorithm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Issue 17 item 3: throughput of grant and verification at 1 and 2 threads, with the bare-Nimbus floors beside
 * them (the floor's ratio is what this machine gives two threads of independent work at that moment, so a
 * library ratio well below the floor's points at a shared hot spot in the library).
 *
 * <p>How: each benchmark runs in a fresh JVM (a fork) that alternates one-thread and two-thread windows of one
 * second on the same compiled code: first a warm-up of alternating windows, then {@value #PAIRS} measured pairs in
 * the order 1-2, 2-1, 1-2 (so that a drift of the machine's load weighs on both sides alike). A fork's ratio is
 * its two-thread operations per second over its one-thread ones. The forks are repeated in rounds
 * (benchmark after benchmark, then again), and the verdict is on the median of the forks' ratios.
 *
 * <p>Why not a JMH run per thread count: there the one-thread and the two-thread figure come from two JVMs, each
 * with its own JIT compilation, and for a call of half a microsecond (a verified-token cache hit) two forks of
 * the same code differed by up to 30%: a 2-thread ratio moved by 0.1 to 0.25 between two idle runs. Here both
 * sides of a ratio run the same machine code, and the spread between forks is printed with the median.
 * Each operation is the JMH benchmark method itself ({@link GrantThroughputBenchmark}, {@link VerifyBenchmark}),
 * with its own set-up.
 *
 * <pre>java -cp benchmarks.jar dev.jitaccess.benchmarks.Scaling [ALGORITHM] [forks per benchmark] [ablation]</pre>
 */
public final class Scaling {
  /** The target of issue 17: two threads give at least this multiple of one thread. */
  static final double TARGET = 1.8;
  /** Measured pairs of windows (one thread, two threads) per fork. */
  static final int PAIRS = 3;
  /** The length of a window, in milliseconds. */
  static final long WINDOW_MILLIS = 1_000;
  private static final String PAIR = "PAIR ";

  private Scaling() {}

  /** A benchmark of this run: its name in the table, its warm-up and how to make its operation. */
  enum Bench {
    GRANT_FLOOR("GrantThroughputBenchmark.floor", 10, alg -> grant(alg, b -> b::floor)),
    GRANT_REQUEST_AND_CLOSE("GrantThroughputBenchmark.requestAndClose", 10, alg -> grant(alg, b -> b::requestAndClose)),
    VERIFY_FLOOR("VerifyBenchmark.floor", 6, alg -> verify(alg, b -> b::floor)),
    VERIFY_MISS("VerifyBenchmark.brokerVerifierFirst", 6, alg -> verify(alg, b -> b::brokerVerifierFirst)),
    VERIFY_HIT("VerifyBenchmark.brokerVerifier", 6, alg -> verify(alg, b -> b::brokerVerifier)),
    // the verify hit taken apart (VerifyHitAblation): run with the argument "ablation"
    HIT_WITHOUT_OBSERVER("VerifyHitAblation.hit noObserver", 6, alg -> ablation(alg, "noObserver", b -> b::hit)),
    HIT_WITHOUT_AUDIT("VerifyHitAblation.hit noAudit", 6, alg -> ablation(alg, "noAudit", b -> b::hit)),
    HIT_WITHOUT_STORE("VerifyHitAblation.hit noStore", 6, alg -> ablation(alg, "noStore", b -> b::hit)),
    STORE_FIND("VerifyHitAblation.storeFind", 6, alg -> ablation(alg, "broker", b -> b::storeFind)),
    CLOCK("VerifyHitAblation.clockInstant", 6, alg -> ablation(alg, "broker", b -> b::clockInstant));

    /** What a run measures by default: grant and verify with their floors. */
    static final List<Bench> DEFAULT = List.of(GRANT_FLOOR, GRANT_REQUEST_AND_CLOSE, VERIFY_FLOOR, VERIFY_MISS, VERIFY_HIT);
    /** The verify hit whole and taken apart, one part at a time. */
    static final List<Bench> ABLATION = List.of(VERIFY_HIT, HIT_WITHOUT_OBSERVER, HIT_WITHOUT_AUDIT, HIT_WITHOUT_STORE,
        STORE_FIND, CLOCK);

    final String label;
    /** Warm-up, in windows (alternately at one thread and at two). */
    final int warmupWindows;
    private final Opener opener;

    Bench(String label, int warmupWindows, Opener opener) {
      this.label = label;
      this.warmupWindows = warmupWindows;
      this.opener = opener;
    }

    Operation open(SigningAlgorithm alg) throws Exception {
      return opener.open(alg);
    }

    /** What a figure without a target is ({@code (machine)} for a floor, {@code (part)} for a part of the hit), or null. */
    @org.jspecify.annotations.Nullable String reference() {
      if (label.endsWith(".floor")) {
        return "(machine)";
      }
      return ABLATION.contains(this) && this != VERIFY_HIT ? "(part)" : null;
    }

    private static Operation grant(SigningAlgorithm alg, Function<GrantThroughputBenchmark, Supplier<?>> call) {
      GrantThroughputBenchmark b = new GrantThroughputBenchmark();
      b.algorithm = alg;
      b.setUp();
      return new Operation(call.apply(b), b::tearDown);
    }

    private static Operation verify(SigningAlgorithm alg, Function<VerifyBenchmark, Supplier<?>> call)
        throws ParseException {
      VerifyBenchmark b = new VerifyBenchmark();
      b.algorithm = alg;
      b.setUp();
      return new Operation(call.apply(b), b::tearDown);
    }

    private static Operation ablation(SigningAlgorithm alg, String part, Function<VerifyHitAblation, Supplier<?>> call) {
      VerifyHitAblation b = new VerifyHitAblation();
      b.algorithm = alg;
      b.part = part;
      b.setUp();
      return new Operation(call.apply(b), b::tearDown);
    }
  }

  /** Sets a benchmark up and gives its operation. */
  @FunctionalInterface
  interface Opener {
    Operation open(SigningAlgorithm alg) throws Exception;
  }

  /** One benchmark's operation and its tear-down. */
  record Operation(Supplier<?> call, Runnable close) {}

  /**
   * Entry point.
   *
   * @param args optionally the signing algorithm (default ES256), the forks per benchmark (default 3) and
   *     {@code ablation} for the verify hit taken apart ({@link VerifyHitAblation}) instead of grant and verify; or
   *     {@code --fork BENCH ALGORITHM} in a fork
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--fork")) {
      fork(Bench.valueOf(args[1]), SigningAlgorithm.valueOf(args[2]));
      return;
    }
    String alg = args.length > 0 ? args[0] : "ES256";
    int forks = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    if (forks < 1) {
      throw new IllegalArgumentException("forks must be at least 1, got " + forks);
    }
    SigningAlgorithm.valueOf(alg); // a bad name fails here, before any fork
    boolean ablation = args.length > 2 && args[2].equals("ablation");
    if (args.length > 2 && !ablation) {
      throw new IllegalArgumentException("the third argument may only be ablation, got " + args[2]);
    }
    Bench[] benches = (ablation ? Bench.ABLATION : Bench.DEFAULT).toArray(new Bench[0]);
    List<List<ForkResult>> results = new ArrayList<>();
    for (int i = 0; i < benches.length; i++) {
      results.add(new ArrayList<>());
    }
    for (int f = 0; f < forks; f++) {
      for (int i = 0; i < benches.length; i++) {
        ForkResult r = runFork(benches[i], alg);
        results.get(i).add(r);
        System.err.printf(Locale.ROOT, "fork %d %s: %,.0f / %,.0f ops/s, %.2fx, CPU share at 2 threads %.2f%n", f + 1,
            benches[i].label, r.one(), r.two(), r.ratio(), r.cpuShare());
      }
    }
    System.out.println();
    System.out.print(table(alg, benches, results));
  }

  /**
   * The table: per benchmark the median one-thread and two-thread figures, every fork's ratio, the median ratio,
   * the verdict on it, and the least CPU share the two measuring threads had.
   */
  static String table(String alg, Bench[] benches, List<List<ForkResult>> results) {
    StringBuilder sb = new StringBuilder();
    sb.append("| benchmark (").append(alg).append(") | 1 thread ops/s | 2 threads ops/s | 2/1 per fork | 2/1 median")
        .append(" | target | met | least CPU share, 2 threads |\n|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < benches.length; i++) {
      List<ForkResult> forks = results.get(i);
      double median = median(forks.stream().mapToDouble(ForkResult::ratio).toArray());
      StringBuilder each = new StringBuilder();
      for (ForkResult r : forks) {
        each.append(each.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", r.ratio()));
      }
      String reference = benches[i].reference();
      sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %s | %.2f | %s | %s | %.2f |%n", benches[i].label,
          median(forks.stream().mapToDouble(ForkResult::one).toArray()),
          median(forks.stream().mapToDouble(ForkResult::two).toArray()), each, median,
          reference != null ? reference : ">= " + TARGET, reference != null ? "-" : median >= TARGET ? "yes" : "**no**",
          forks.stream().mapToDouble(ForkResult::cpuShare).min().orElse(Double.NaN)));
    }
    return sb.toString();
  }

  /** The median; of an even count, the mean of the two middle values. */
  static double median(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    double[] s = values.clone();
    Arrays.sort(s);
    int m = s.length / 2;
    return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  /** Runs one fork in a fresh JVM; its one-thread and two-thread operations per second over its measured pairs. */
  private static ForkResult runFork(Bench bench, String alg) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xms2g", "-Xmx2g", "-cp", System.getProperty("java.class.path"),
        Scaling.class.getName(), "--fork", bench.name(), alg).redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    List<String> pairs = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith(PAIR)) {
          pairs.add(line.substring(PAIR.length()));
        }
      }
    }
    int exit = p.waitFor();
    if (exit != 0 || pairs.size() != PAIRS) {
      throw new IllegalStateException("fork of " + bench.label + " failed: exit " + exit + ", " + pairs.size() + " pairs");
    }
    return result(pairs);
  }

  /**
   * A fork's figures over its pairs, given as lines {@code "ONE TWO SHARE1 SHARE2"}: the medians of the one-thread
   * and two-thread operations per second, and the least CPU share of a two-thread window.
   */
  static ForkResult result(List<String> pairs) {
    double[] one = new double[pairs.size()];
    double[] two = new double[pairs.size()];
    double share = Double.MAX_VALUE;
    for (int i = 0; i < pairs.size(); i++) {
      String[] f = pairs.get(i).trim().split(" ");
      one[i] = Double.parseDouble(f[0]);
      two[i] = Double.parseDouble(f[1]);
      share = Math.min(share, Double.parseDouble(f[3]));
    }
    return new ForkResult(median(one), median(two), share);
  }

  /**
   * What one fork measured.
   *
   * @param one operations per second at one thread (median of the fork's windows)
   * @param two the same at two threads
   * @param cpuShare the least share of a two-thread window its threads were on a CPU
   */
  record ForkResult(double one, double two, double cpuShare) {
    double ratio() {
      return two / one;
    }
  }

  /** In the fork: set up, warm up in alternating windows, then print {@value #PAIRS} measured pairs. */
  private static void fork(Bench bench, SigningAlgorithm alg) throws Exception {
    Operation op = bench.open(alg);
    try {
      for (int w = 0; w < bench.warmupWindows; w++) {
        window(op.call(), 1 + w % 2);
      }
      for (int i = 0; i < PAIRS; i++) {
        Window one;
        Window two;
        if (i % 2 == 0) {
          one = window(op.call(), 1);
          two = window(op.call(), 2);
        } else {
          two = window(op.call(), 2);
          one = window(op.call(), 1);
        }
        System.out.printf(Locale.ROOT, "%s%.1f %.1f %.3f %.3f%n", PAIR, one.opsPerSecond(), two.opsPerSecond(),
            one.cpuShare(), two.cpuShare());
      }
      System.out.flush();
    } finally {
      op.close().run();
    }
  }

  /**
   * Runs the call on {@code threads} threads for {@link #WINDOW_MILLIS}; the summed operations per second of the
   * threads, each over the time it ran.
   */
  static Window window(Supplier<?> call, int threads) throws InterruptedException {
    Worker[] workers = new Worker[threads];
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      workers[t] = new Worker(call, ready, go);
      workers[t].start();
    }
    ready.await();
    go.countDown();
    Thread.sleep(WINDOW_MILLIS);
    for (Worker w : workers) {
      w.stop = true;
    }
    double total = 0;
    double cpu = 0;
    for (Worker w : workers) {
      w.join();
      if (w.failure != null) {
        throw new IllegalStateException("the benchmark failed", w.failure);
      }
      total += w.ops * 1e9 / w.nanos;
      cpu += (double) w.cpuNanos / w.nanos;
    }
    return new Window(total, cpu / threads);
  }

  /**
   * A measured window.
   *
   * @param opsPerSecond the threads' summed operations per second
   * @param cpuShare the share of the window the measuring threads were on a CPU (1.0: all of it); below 1, other
   *     threads or processes took a part of the machine
   */
  record Window(double opsPerSecond, double cpuShare) {}

  /** One measuring thread: calls until stopped, counting; a failing call ends the window with its exception. */
  private static final class Worker extends Thread {
    private final Supplier<?> call;
    private final CountDownLatch ready;
    private final CountDownLatch go;
    volatile boolean stop;
    long ops;
    long nanos;
    long cpuNanos;
    /** The last result, so that no call's result is unused. */
    Object last;
    RuntimeException failure;

    Worker(Supplier<?> call, CountDownLatch ready, CountDownLatch go) {
      super("scaling-worker");
      this.call = call;
      this.ready = ready;
      this.go = go;
      setDaemon(true);
    }

    @Override
    public void run() {
      ready.countDown();
      try {
        go.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
      long cpuStart = mx.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      long n = 0;
      Object result = null;
      try {
        while (!stop) {
          result = call.get(); // a local: a field written on every call could share a cache line with the other worker
          n++;
        }
      } catch (RuntimeException e) {
        failure = e;
      }
      nanos = System.nanoTime() - start;
      cpuNanos = mx.getCurrentThreadCpuTime() - cpuStart;
      ops = n;
      last = result;
    }
  }
}
