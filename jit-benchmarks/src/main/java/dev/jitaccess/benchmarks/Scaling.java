package dev.jitaccess.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Issue 17 item 3: throughput of grant and verification at 1 and 2 threads (JMH, one fork each), with the
 * bare-Nimbus floors beside them: the floor's 2-thread/1-thread ratio is what this machine gives two
 * threads of independent work at that moment (other processes take their share), so a library ratio well
 * below the floor's points at a shared hot spot in the library, one at the floor's does not. Warm-up is
 * 5 x 2 s: with 2 x 1 s, a grant benchmark was still warming in its third measured iteration (490, 839,
 * 1,295 ops/s), so the 2-thread run, which compiles while it measures, read low.
 *
 * <pre>java -cp benchmarks.jar dev.jitaccess.benchmarks.Scaling [ALGORITHM] [measurement seconds]</pre>
 */
public final class Scaling {
  /** The target of issue 17: two threads give at least this multiple of one thread. */
  static final double TARGET = 1.8;

  private Scaling() {}

  /**
   * Entry point.
   *
   * @param args optionally the signing algorithm (default ES256) and the seconds of each of the three
   *     measurement iterations (default 2)
   */
  public static void main(String[] args) throws RunnerException {
    String alg = args.length > 0 ? args[0] : "ES256";
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    List<String> benchmarks = List.of(
        "GrantThroughputBenchmark.floor", "GrantThroughputBenchmark.requestAndClose",
        "VerifyBenchmark.floor", "VerifyBenchmark.brokerVerifierFirst", "VerifyBenchmark.brokerVerifier");
    Map<String, double[]> ops = new LinkedHashMap<>();
    for (String b : benchmarks) {
      ops.put(b, new double[2]);
    }
    for (int threads = 1; threads <= 2; threads++) {
      List<String> patterns = new ArrayList<>();
      for (String b : benchmarks) {
        patterns.add("\\." + b.replace(".", "\\.") + "$");
      }
      OptionsBuilder o = new OptionsBuilder();
      patterns.forEach(o::include);
      o.param("algorithm", alg).forks(1).threads(threads)
          .warmupIterations(5).warmupTime(TimeValue.seconds(2))
          .measurementIterations(3).measurementTime(TimeValue.seconds(seconds))
          .jvmArgs("-Xms2g", "-Xmx2g").shouldFailOnError(true);
      for (RunResult r : new Runner(o.build()).run()) {
        String label = r.getParams().getBenchmark();
        String name = label.substring(label.lastIndexOf('.', label.lastIndexOf('.') - 1) + 1);
        ops.get(name)[threads - 1] = r.getPrimaryResult().getScore();
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append("| benchmark (").append(alg).append(") | 1 thread ops/s | 2 threads ops/s | 2/1 | target | met |\n");
    sb.append("|---|---|---|---|---|---|\n");
    for (Map.Entry<String, double[]> e : ops.entrySet()) {
      double[] v = e.getValue();
      double ratio = v[1] / v[0];
      boolean floor = e.getKey().endsWith(".floor");
      sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f | %s | %s |%n", e.getKey(), v[0], v[1], ratio,
          floor ? "(machine)" : ">= " + TARGET, floor ? "-" : ratio >= TARGET ? "yes" : "**no**"));
    }
    System.out.println();
    System.out.print(sb);
  }
}
