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
 * used (all threads: the broker's scheduler, GC and JIT included), not wall time. The ratio of the
 * median CPU time per operation is what other processes cannot skew, as long as this JVM gets some
 * CPU at all.
 *
 * <pre>java -cp benchmarks.jar dev.jitaccess.benchmarks.CpuPaired [rounds] [opsPerRound]</pre>
 */
public final class CpuPaired {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private CpuPaired() {}

  /**
   * Entry point.
   *
   * @param args optionally the number of rounds (default 15) and of operations per round (default 300)
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int ops = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    StringBuilder sb = new StringBuilder();
    sb.append("| benchmark | alg | floor CPU µs/op | library CPU µs/op | floor/library | met (>= ")
        .append(Suite.TARGET).append(") |\n|---|---|---|---|---|---|\n");
    for (SigningAlgorithm alg : SigningAlgorithm.values()) {
      GrantThroughputBenchmark g = new GrantThroughputBenchmark();
      g.algorithm = alg;
      g.setUp();
      try {
        double[][] r = measure(rounds, ops, List.of(g::floor, g::request, g::requestAndClose));
        row(sb, "grant: request", alg, r[0], r[1]);
        row(sb, "grant: request+close", alg, r[0], r[2]);
      } finally {
        g.tearDown();
      }
      VerifyBenchmark v = new VerifyBenchmark();
      v.algorithm = alg;
      v.setUp();
      try {
        double[][] r = measure(rounds, ops * 4, List.of(v::floor, v::brokerVerifier, v::standaloneVerifier));
        row(sb, "verify: broker.verifier()", alg, r[0], r[1]);
        row(sb, "verify: stand-alone", alg, r[0], r[2]);
      } finally {
        v.tearDown();
      }
      System.out.print(sb);
      sb.setLength(0);
    }
  }

  /** CPU ns per op of each task, per round; tasks alternate within each round; the first rounds warm up. */
  static double[][] measure(int rounds, int ops, List<Callable<?>> tasks) throws Exception {
    int warm = Math.max(2, rounds / 3);
    List<double[]> out = new ArrayList<>();
    for (int t = 0; t < tasks.size(); t++) {
      out.add(new double[rounds]);
    }
    for (int r = -warm; r < rounds; r++) {
      for (int t = 0; t < tasks.size(); t++) {
        Callable<?> task = tasks.get(t);
        long c0 = OS.getProcessCpuTime();
        for (int i = 0; i < ops; i++) {
          if (task.call() == null) {
            throw new IllegalStateException("no result");
          }
        }
        long c1 = OS.getProcessCpuTime();
        if (r >= 0) {
          out.get(t)[r] = (c1 - c0) / (double) ops;
        }
      }
    }
    return out.toArray(new double[0][]);
  }

  private static void row(StringBuilder sb, String name, SigningAlgorithm alg, double[] floor, double[] lib) {
    double f = median(floor) / 1000;
    double l = median(lib) / 1000;
    double ratio = f / l;
    sb.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.2f | %s |%n", name, alg, f, l, ratio,
        ratio >= Suite.TARGET ? "yes" : "**no**"));
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
