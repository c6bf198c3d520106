package dev.jitaccess.benchmarks;

import dev.jitaccess.SigningAlgorithm;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * A cross-check of the JMH ratios that holds on an oversubscribed machine: the library and its floor
 * run in alternating rounds in one JVM on one thread, and each round is charged the process CPU time it
 * used (all threads: the broker's scheduler and GC included; the JIT compiler threads left out, see
 * {@link #compilerCpuNanos}), not wall time. The ratio of the
 * median CPU time per operation is what other processes cannot skew, as long as this JVM gets some
 * CPU at all. Each row also gives the CPU of the calling thread alone: the difference between the two
 * columns is work on other threads (the broker's scheduler thread, GC), which is where the library's
 * background costs show.
 *
 * <pre>java -cp benchmarks.jar dev.jitaccess.benchmarks.CpuPaired [rounds] [opsPerRound] [grant|verify|cache|svid|policy ...]</pre>
 */
public final class CpuPaired {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  /** CPU time each task gets per round: 0.5 s, 50 ticks of the process CPU clock. */
  static final double ROUND_NANOS = 500_000_000.0;
  /**
   * A round is not over before the process CPU clock has advanced this much (20 of its 10-ms ticks): below
   * that the clock is read too coarsely for a per-op figure.
   */
  static final long MIN_PROCESS_NANOS = 200_000_000L;
  /** A round ends after 20 s of wall time whatever the clocks say, so that a stalled clock cannot hang the run. */
  static final long MAX_ROUND_NANOS = 20_000_000_000L;

  private CpuPaired() {}

  /**
   * Entry point.
   *
   * @param args optionally the number of rounds (default 15), the minimum operations per round (default
   *     300, scaled per benchmark; each round also runs at least 0.5 s of CPU, see {@link #calibrate}), and
   *     the sections to run: any of {@code grant verify cache svid policy} (default all)
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int ops = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    java.util.Set<String> sections = new java.util.HashSet<>();
    for (int i = 2; i < args.length; i++) {
      sections.add(args[i]);
    }
    if (sections.isEmpty()) {
      sections.addAll(List.of("grant", "verify", "cache", "svid", "policy"));
    }
    StringBuilder sb = new StringBuilder();
    sb.append("| benchmark | alg | baseline | baseline CPU µs/op | library CPU µs/op | baseline/library"
            + " | calling thread only, µs/op: baseline / library | target | met |\n")
        .append("|---|---|---|---|---|---|---|---|---|\n");
    for (SigningAlgorithm alg : SigningAlgorithm.values()) {
      if (sections.contains("grant")) {
        GrantThroughputBenchmark g = new GrantThroughputBenchmark();
        g.algorithm = alg;
        g.setUp();
        try {
          Series[] r = measure(rounds, new int[] {ops, ops, ops, ops},
              List.of(g::floor, g::request, g::requestAndClose, g::floorSunEcSvidCheck));
          row(sb, "grant: request", alg.name(), "floor", r[0], r[1], Suite.TARGET);
          row(sb, "grant: request+close", alg.name(), "floor", r[0], r[2], Suite.TARGET);
          row(sb, "grant: request", alg.name(), "floor, SunEC SVID check", r[3], r[1], Suite.TARGET);
        } finally {
          g.tearDown();
        }
      }
      if (sections.contains("verify")) {
        VerifyBenchmark v = new VerifyBenchmark();
        v.algorithm = alg;
        v.setUp();
        try {
          List<Callable<?>> tasks = new ArrayList<>(List.of(v::floor, v::brokerVerifier, v::brokerVerifierFirst,
              v::brokerVerifierUncached, v::standaloneVerifier, v::standaloneVerifierFirst));
          // Spring's decoder on the very same tokens; Nimbus verifies Ed25519 only with Tink
          SpringDecoderBenchmark spring = alg == SigningAlgorithm.EDDSA ? null : SpringDecoderBenchmark.over(v);
          if (spring != null) {
            tasks.add(spring::springFirst);
            tasks.add(spring::springRepeated);
          }
          int ringFloor = tasks.size();
          tasks.add(v::floorFirst);
          int[] minOps = new int[tasks.size()];
          Arrays.fill(minOps, ops * 4);
          Series[] r = measure(rounds, minOps, tasks);
          double hit = alg == SigningAlgorithm.ES256 ? Suite.HIT_TARGET_ES256
              : alg == SigningAlgorithm.RS256 ? Suite.HIT_TARGET_RS256 : Double.NaN;
          row(sb, "verify, repeated: broker.verifier() (cache hit)", alg.name(), "floor", r[0], r[1], hit);
          // a miss against the floor on the same 64 tokens (the verdict); against the one-token floor for reference
          row(sb, "verify, first: broker path (miss)", alg.name(), "floor, same 64 tokens", r[ringFloor], r[2],
              Suite.TARGET);
          row(sb, "verify, first: broker path (miss)", alg.name(), "floor (one token)", r[0], r[2], Double.NaN);
          row(sb, "verify, no cache: broker path", alg.name(), "floor", r[0], r[3], Suite.TARGET);
          row(sb, "verify, repeated: stand-alone (cache hit)", alg.name(), "floor", r[0], r[4], Double.NaN);
          row(sb, "verify, first: stand-alone (miss)", alg.name(), "floor, same 64 tokens", r[ringFloor], r[5],
              Suite.TARGET);
          row(sb, "verify, first: stand-alone (miss)", alg.name(), "floor (one token)", r[0], r[5], Double.NaN);
          row(sb, "verify: floor, same 64 tokens (reference)", alg.name(), "floor (one token)", r[0], r[ringFloor],
              Double.NaN);
          if (spring != null) {
            row(sb, "verify, first: broker path (miss)", alg.name(), "Spring NimbusJwtDecoder", r[6], r[2],
                Suite.SPRING_FIRST_TARGET);
            row(sb, "verify, first: stand-alone (miss)", alg.name(), "Spring NimbusJwtDecoder", r[6], r[5],
                Suite.SPRING_FIRST_TARGET);
            row(sb, "verify, repeated: broker.verifier() (cache hit)", alg.name(), "Spring NimbusJwtDecoder, repeated",
                r[7], r[1], Suite.SPRING_REPEATED_TARGET);
            row(sb, "verify, repeated: stand-alone (cache hit)", alg.name(), "Spring NimbusJwtDecoder, repeated",
                r[7], r[4], Suite.SPRING_REPEATED_TARGET);
            row(sb, "verify: Spring NimbusJwtDecoder (reference)", alg.name(), "floor", r[0], r[6], Double.NaN);
          }
        } finally {
          v.tearDown();
        }
      }
      System.out.print(sb);
      sb.setLength(0);
    }
    if (sections.contains("cache")) {
      // the cache removes the credential check, not the grant's own signature: the gain depends on the
      // broker's signing algorithm, so request+close is measured for each; evaluate does not sign
      for (SigningAlgorithm alg : SigningAlgorithm.values()) {
        RepeatedPresentationBenchmark c = new RepeatedPresentationBenchmark();
        c.algorithm = alg;
        c.setUp();
        try {
          if (alg == SigningAlgorithm.ES256) {
            Series[] r = measure(rounds, new int[] {ops, ops * 2, ops, ops * 40},
                List.of(c::requestUncached, c::requestCached, c::evaluateUncached, c::evaluateCached));
            row(sb, "repeated presentation: request+close", alg.name(), "uncached", r[0], r[1], Suite.CACHE_TARGET);
            row(sb, "repeated presentation: evaluate", "-", "uncached", r[2], r[3], Suite.CACHE_TARGET);
          } else {
            Series[] r = measure(rounds, new int[] {ops, ops * 2}, List.of(c::requestUncached, c::requestCached));
            row(sb, "repeated presentation: request+close", alg.name(), "uncached", r[0], r[1], Suite.CACHE_TARGET);
          }
        } finally {
          c.tearDown();
        }
      }
      System.out.print(sb);
      sb.setLength(0);
    }
    if (sections.contains("svid")) {
      for (String alg : new String[] {"ES256", "RS256"}) {
        SvidValidationBenchmark b = new SvidValidationBenchmark();
        b.algorithm = alg;
        b.setUp();
        int n = alg.equals("ES256") ? ops * 2 : ops * 20;
        Series[] r = measure(rounds, new int[] {n, n, n},
            List.of(b::nimbusSignatureOnly, b::javaSpiffe, b::jitSpiffe));
        row(sb, "JWT-SVID validation: jit-spiffe", alg, "java-spiffe 0.8.17", r[1], r[2], Double.NaN);
        row(sb, "JWT-SVID validation: jit-spiffe", alg, "Nimbus signature only", r[0], r[2], Double.NaN);
      }
      System.out.print(sb);
      sb.setLength(0);
    }
    if (sections.contains("policy")) {
      for (PolicyRules.Shape shape : PolicyRules.Shape.values()) {
        PolicyBenchmark p = new PolicyBenchmark();
        p.rules = 10_000;
        p.shape = shape;
        p.setUp();
        int jit = ops * 1000; // a policy decision is far cheaper than jCasbin's: more ops for the same CPU time
        Series[] r = measure(rounds, new int[] {Math.max(4, ops / 30), jit}, List.of(p::jcasbin, p::jitPolicy));
        row(sb, "policy, 10,000 rules " + shape, "-", "jCasbin", r[0], r[1], 100);
      }
      System.out.print(sb);
      sb.setLength(0);
    }
  }

  /**
   * CPU ns per op of each task, per round: {@code [2t]} is the process CPU of task {@code t}, {@code [2t+1]} the
   * CPU of the calling thread alone (the rest is the broker's scheduler thread, GC and JIT). Within a round
   * the tasks run in an order rotated by the round number, so that no task is always first or always
   * follows the same neighbour (a fixed order biases a task on a loaded machine; BENCHMARKS.md, "How
   * CpuPaired measures", has the figures). The first rounds warm up.
   */
  static Series[] measure(int rounds, int[] minOps, List<Callable<?>> tasks) throws Exception {
    int warm = Math.max(2, rounds / 3);
    int n = tasks.size();
    int[] ops = calibrate(minOps, tasks);
    double[][] out = new double[2 * n][rounds];
    for (int r = -warm; r < rounds; r++) {
      for (int k = 0; k < n; k++) {
        int t = Math.floorMod(k + r, n);
        Callable<?> task = tasks.get(t);
        long j0 = compilerCpuNanos();
        long c0 = OS.getProcessCpuTime();
        long th0 = THREADS.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        long done = 0;
        long th1;
        long c1;
        while (true) {
          run(task, ops[t]);
          done += ops[t];
          th1 = THREADS.getCurrentThreadCpuTime();
          c1 = OS.getProcessCpuTime();
          if ((th1 - th0 >= ROUND_NANOS / 2 && c1 - c0 >= MIN_PROCESS_NANOS) || System.nanoTime() - wall0 > MAX_ROUND_NANOS) {
            break;
          }
          // the calibration ran cold: once warm, the planned ops may take far less than a tick of the process
          // CPU clock, so the round goes on with twice as many (and so does every later round) until that clock
          // has advanced enough to be read
          ops[t] = (int) Math.min(Integer.MAX_VALUE, 2L * ops[t]);
        }
        long j1 = compilerCpuNanos();
        if (r >= 0) {
          long process = (c1 - c0) - (j1 - j0);
          // a clock that did not advance past the compiler's share reads nothing: no figure, not 0 µs/op
          out[2 * t][r] = process > 0 ? process / (double) done : Double.NaN;
          out[2 * t + 1][r] = (th1 - th0) / (double) done;
        }
      }
    }
    Series[] series = new Series[n];
    for (int t = 0; t < n; t++) {
      series[t] = new Series(out[2 * t], out[2 * t + 1]);
    }
    return series;
  }

  /**
   * Operations per round for each task: at least {@code minOps}, and enough for {@link #ROUND_NANOS} of CPU
   * on this thread (estimated from one warm-up run of {@code minOps}), so that the process CPU clock, which
   * Linux reports in 10-ms ticks, is read to about 2% per round whatever the cost of one operation.
   */
  private static int[] calibrate(int[] minOps, List<Callable<?>> tasks) throws Exception {
    int[] ops = new int[tasks.size()];
    for (int t = 0; t < tasks.size(); t++) {
      long th0 = THREADS.getCurrentThreadCpuTime();
      run(tasks.get(t), minOps[t]);
      double perOp = Math.max(1, THREADS.getCurrentThreadCpuTime() - th0) / (double) minOps[t];
      ops[t] = (int) Math.min(Integer.MAX_VALUE, Math.max(minOps[t], (long) Math.ceil(ROUND_NANOS / perOp)));
    }
    return ops;
  }

  /**
   * CPU time of the JIT compiler threads so far (Linux {@code /proc/self/task}, 10-ms ticks; 0 elsewhere).
   * It is left out of each round: compilation is warm-up, and with two code paths alternating in one JVM
   * it keeps recurring and lands in whichever round happens to run, on either side (BENCHMARKS.md, "How
   * CpuPaired measures", has the figures). GC and the broker's own threads stay in.
   */
  static long compilerCpuNanos() {
    return Math.max(0, ProcCpu.nanos(java.nio.file.Path.of("/proc/self/task"), "*",
        name -> name.contains("CompilerThre")));
  }

  private static void run(Callable<?> task, int ops) throws Exception {
    for (int i = 0; i < ops; i++) {
      if (task.call() == null) {
        throw new IllegalStateException("no result");
      }
    }
  }

  /**
   * CPU ns per op of one task in each measured round: the whole process except the JIT compiler threads
   * (the calling thread, the broker's scheduler thread, GC), and the calling thread alone.
   */
  record Series(double[] process, double[] thread) {}

  static void row(StringBuilder sb, String name, String alg, String baseline, Series base, Series lib,
      double target) {
    double f = median(base.process()) / 1000;
    double l = median(lib.process()) / 1000;
    double ratio = f / l;
    if (!(f > 0) || !(l > 0)) {
      // the process CPU clock did not advance in most rounds of one side: say so instead of printing
      // Infinity or 0 (the thread figures still come from the thread's own nanosecond clock)
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | n/a: the process CPU clock did not advance in"
              + " most rounds | %.0f / %.0f | %s | n/a |%n", name, alg, baseline, figure(f), figure(l),
          median(base.thread()) / 1000, median(lib.thread()) / 1000, Double.isNaN(target) ? "-" : ">= " + target));
      return;
    }
    sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %.2f | %.2f | %.0f / %.0f | %s | %s |%n", name, alg,
        baseline, f, l, ratio, median(base.thread()) / 1000, median(lib.thread()) / 1000,
        Double.isNaN(target) ? "-" : ">= " + target,
        Double.isNaN(target) ? "-" : ratio >= target ? "yes" : "**no**"));
  }

  private static String figure(double micros) {
    return micros > 0 ? String.format(Locale.ROOT, "%.2f", micros) : "n/a";
  }

  /** The median of the rounds that have a figure (NaN, a round whose clock did not advance, sorts last); NaN if most have none. */
  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
