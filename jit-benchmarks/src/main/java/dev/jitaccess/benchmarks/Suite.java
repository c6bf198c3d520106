package dev.jitaccess.benchmarks;

import dev.jitaccess.SigningAlgorithm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH part of the suite (items 1 to 5 of issue 7: grant throughput at 1 and 2 threads,
 * repeated presentation, resource-side verification, policy decisions against jCasbin, JWT-SVID
 * validation against java-spiffe) and prints each library figure next to its baseline, with the ratio
 * and the target.
 *
 * <pre>
 * java -cp benchmarks.jar dev.jitaccess.benchmarks.Suite quick|full [--prof gc|stack] [--out DIR]
 * </pre>
 *
 * <p>quick: 1 thread only, 1 fork, 1 x 1 s warm-up, 1 x 1 s measurement per benchmark (no error
 * bars), policy at 10 and 10,000 rules, grant {@code request} (left to expire) left out (about 3 minutes); full: 1 and 2 threads (grant throughput), 2 forks, 5 x 1 s warm-up,
 * 5 x 1 s measurement, policy also at 1,000 rules (about 25 minutes). The JSON of every JMH run and the figures table
 * ({@code figures.md}) go to the output directory (default {@code target/benchmark-results}).
 */
public final class Suite {
  /** The ratio to the floor every library figure must reach. */
  public static final double TARGET = 0.9;
  /** Cached repeated presentation must reach this multiple of the uncached throughput. */
  public static final double CACHE_TARGET = 2.5;
  /** Issue 17: a repeated ES256 token (verified-token cache hit, store check included) against the bare signature. */
  public static final double HIT_TARGET_ES256 = 50;
  /** Issue 17: the same for RS256, whose signature check is five times cheaper. */
  public static final double HIT_TARGET_RS256 = 20;
  /** Issue 17: first presentation, {@code GrantVerifier} against Spring Security's {@code NimbusJwtDecoder}. */
  public static final double SPRING_FIRST_TARGET = 1.0;
  /** Issue 17: repeated presentation against Spring Security's {@code NimbusJwtDecoder}. */
  public static final double SPRING_REPEATED_TARGET = 50;

  private Suite() {}

  /**
   * Entry point.
   *
   * @param args {@code quick} or {@code full}, then optionally {@code --prof NAME} and {@code --out DIR}
   */
  public static void main(String[] args) throws RunnerException {
    boolean full = false;
    List<String> profilers = new ArrayList<>();
    Path out = Path.of("target", "benchmark-results");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "quick":
          full = false;
          break;
        case "full":
          full = true;
          break;
        case "--prof":
          profilers.add(args[++i]);
          break;
        case "--out":
          out = Path.of(args[++i]);
          break;
        default:
          throw new IllegalArgumentException("usage: Suite quick|full [--prof gc|stack] [--out DIR]; got " + args[i]);
      }
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, RunResult> results = new HashMap<>();
    for (int threads : full ? new int[] {1, 2} : new int[] {1}) {
      List<String> includes = new ArrayList<>(List.of(full
          ? "\\.GrantThroughputBenchmark\\."
          // quick: the grant left to expire (request) is measured in full mode and by CpuPaired only
          : "\\.GrantThroughputBenchmark\\.(floor|floorSunEcSvidCheck|requestAndClose)$",
          "\\.JdkEcdsaFloorBenchmark\\.grantFloor$"));
      if (threads == 1) {
        includes.add("\\.VerifyBenchmark\\.");
        includes.add("\\.SpringDecoderBenchmark\\.");
        includes.add("\\.JdkEcdsaFloorBenchmark\\.verifyFloor$");
        includes.add("\\.RepeatedPresentationBenchmark\\.");
        includes.add("\\.SvidValidationBenchmark\\.");
        includes.add("\\.PolicyCompileBenchmark\\.");
        includes.add("\\.PolicyBenchmark\\.");
      }
      ChainedOptionsBuilder o = new OptionsBuilder()
          .forks(full ? 2 : 1)
          .warmupIterations(full ? 5 : 1)
          .warmupTime(TimeValue.seconds(1))
          .measurementIterations(full ? 5 : 1)
          .measurementTime(TimeValue.seconds(1))
          .threads(threads)
          .jvmArgs("-Xms2g", "-Xmx2g")
          .shouldFailOnError(true)
          .resultFormat(ResultFormatType.JSON)
          .result(out.resolve("jmh-t" + threads + ".json").toString());
      if (!full) {
        o.param("rules", "10", "10000"); // 1,000 rules in full mode only
      }
      includes.forEach(o::include);
      profilers.forEach(o::addProfiler);
      for (RunResult r : new Runner(o.build()).run()) {
        results.put(key(method(r), params(r), threads), r);
      }
    }
    String table = table(results);
    System.out.println();
    System.out.println(table);
    try {
      Files.writeString(out.resolve("figures.md"), table);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String method(RunResult r) {
    String b = r.getParams().getBenchmark();
    String cls = b.substring(0, b.lastIndexOf('.'));
    return cls.substring(cls.lastIndexOf('.') + 1) + "." + b.substring(b.lastIndexOf('.') + 1);
  }

  private static String key(String method, String params, int threads) {
    return method + "/" + params + "/" + threads;
  }

  /** The benchmark's parameter values in a fixed order ("ES256", "10000/INDEXED"), or "null". */
  private static String params(RunResult r) {
    List<String> values = new ArrayList<>();
    for (String name : new String[] {"algorithm", "rules", "shape"}) {
      String v = r.getParams().getParam(name);
      if (v != null) {
        values.add(v);
      }
    }
    return values.isEmpty() ? "null" : String.join("/", values);
  }

  /** The figures as Markdown: ops/s with the 99.9% error, µs per op per thread, ratios to the floor. */
  static String table(Map<String, RunResult> results) {
    StringBuilder sb = new StringBuilder();
    sb.append("### Grant throughput: `broker.request()` vs the floor (higher is better; target ratio >= ")
        .append(TARGET).append(")\n\n");
    sb.append("| alg | threads | floor ops/s | request ops/s | ratio | request+close ops/s | ratio | met |"
        + " floor with SunEC SVID check ops/s | request / it |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (int threads : new int[] {1, 2}) {
      for (SigningAlgorithm alg : SigningAlgorithm.values()) {
        RunResult floor = results.get(key("GrantThroughputBenchmark.floor", alg.name(), threads));
        RunResult req = results.get(key("GrantThroughputBenchmark.request", alg.name(), threads));
        RunResult close = results.get(key("GrantThroughputBenchmark.requestAndClose", alg.name(), threads));
        if (floor == null || close == null) {
          continue;
        }
        double r1 = req == null ? Double.POSITIVE_INFINITY : ratio(req, floor);
        double r2 = ratio(close, floor);
        sb.append("| ").append(alg).append(" | ").append(threads)
            .append(" | ").append(ops(floor, threads))
            .append(" | ").append(req == null ? "(full mode)" : ops(req, threads))
            .append(" | ").append(req == null ? "" : ratioText(req, floor))
            .append(" | ").append(ops(close, threads)).append(" | ").append(ratioText(close, floor))
            .append(" | ").append(Math.min(r1, r2) >= TARGET ? "yes" : "**no**").append(" | ");
        RunResult sunEc = results.get(key("GrantThroughputBenchmark.floorSunEcSvidCheck", alg.name(), threads));
        if (sunEc != null) {
          sb.append(ops(sunEc, threads)).append(" | ").append(ratioText(req == null ? close : req, sunEc));
        } else {
          sb.append(" | ");
        }
        sb.append(" |\n");
      }
      RunResult jdk = results.get(key("JdkEcdsaFloorBenchmark.grantFloor", null, threads));
      RunResult req = results.get(key("GrantThroughputBenchmark.requestAndClose", "ES256", threads));
      if (jdk != null && req != null) {
        sb.append("| ES256 floor on SunEC (reference) | ").append(threads).append(" | ").append(ops(jdk, threads))
            .append(" | library ES256 request+close / SunEC floor | ").append(ratioText(req, jdk))
            .append(" | | | n/a | | |\n");
      }
    }
    sb.append("\n### Resource-side verification: `GrantVerifier.verify` vs bare Nimbus (1 thread; first presentation"
        + " target ratio >= ").append(TARGET).append(")\n\n");
    sb.append("| alg | floor ops/s | first, broker path ops/s | ratio | first, stand-alone ops/s | ratio | met |\n");
    sb.append("|---|---|---|---|---|---|---|\n");
    for (SigningAlgorithm alg : SigningAlgorithm.values()) {
      RunResult floor = results.get(key("VerifyBenchmark.floor", alg.name(), 1));
      RunResult broker = results.get(key("VerifyBenchmark.brokerVerifierFirst", alg.name(), 1));
      RunResult alone = results.get(key("VerifyBenchmark.standaloneVerifierFirst", alg.name(), 1));
      if (floor == null || broker == null || alone == null) {
        continue;
      }
      sb.append("| ").append(alg).append(" | ").append(ops(floor, 1))
          .append(" | ").append(ops(broker, 1)).append(" | ").append(ratioText(broker, floor))
          .append(" | ").append(ops(alone, 1)).append(" | ").append(ratioText(alone, floor))
          .append(" | ").append(Math.min(ratio(broker, floor), ratio(alone, floor)) >= TARGET ? "yes" : "**no**")
          .append(" |\n");
    }
    sb.append("\n### Issue 17: repeated presentation (verified-token cache hit) and Spring Security's NimbusJwtDecoder"
        + " (1 thread)\n\n");
    sb.append("| alg | broker.verifier() repeated ops/s | / floor | target | Spring first ops/s | first broker path / Spring"
        + " | Spring repeated ops/s | repeated broker.verifier() / Spring | met |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|\n");
    for (SigningAlgorithm alg : SigningAlgorithm.values()) {
      RunResult floor = results.get(key("VerifyBenchmark.floor", alg.name(), 1));
      RunResult hit = results.get(key("VerifyBenchmark.brokerVerifier", alg.name(), 1));
      RunResult first = results.get(key("VerifyBenchmark.brokerVerifierFirst", alg.name(), 1));
      RunResult springFirst = results.get(key("SpringDecoderBenchmark.springFirst", alg.name(), 1));
      RunResult springRepeated = results.get(key("SpringDecoderBenchmark.springRepeated", alg.name(), 1));
      if (floor == null || hit == null || first == null) {
        continue;
      }
      double target = alg == SigningAlgorithm.ES256 ? HIT_TARGET_ES256 : alg == SigningAlgorithm.RS256 ? HIT_TARGET_RS256 : 0;
      boolean met = ratio(hit, floor) >= target;
      sb.append("| ").append(alg).append(" | ").append(ops(hit, 1)).append(" | ").append(ratioText(hit, floor))
          .append(" | ").append(target == 0 ? "-" : ">= " + target);
      if (springFirst != null && springRepeated != null) {
        met = met && ratio(first, springFirst) >= SPRING_FIRST_TARGET && ratio(hit, springRepeated) >= SPRING_REPEATED_TARGET;
        sb.append(" | ").append(ops(springFirst, 1)).append(" | ").append(ratioText(first, springFirst))
            .append(" | ").append(ops(springRepeated, 1)).append(" | ").append(ratioText(hit, springRepeated));
      } else {
        sb.append(" | n/a (Nimbus needs Tink for Ed25519) | | | ");
      }
      sb.append(" | ").append(met ? "yes" : "**no**").append(" |\n");
    }
    RunResult jdk = results.get(key("JdkEcdsaFloorBenchmark.verifyFloor", null, 1));
    RunResult es = results.get(key("VerifyBenchmark.brokerVerifier", "ES256", 1));
    if (jdk != null && es != null) {
      sb.append("| ES256 floor on SunEC (reference) | ").append(ops(jdk, 1))
          .append(" | library ES256 (Bouncy Castle) / SunEC floor | ").append(ratioText(es, jdk))
          .append(" | | | n/a |\n");
    }
    newItems(sb, results);
    sb.append("\nops/s: JMH score +- its 99.9% half-interval, summed over threads; in brackets µs per operation"
        + " per thread; ratio +- propagated relative error; alloc (with --prof gc): bytes allocated per"
        + " operation.\n");
    return sb.toString();
  }

  /** Items 2, 4 and 5. */
  private static void newItems(StringBuilder sb, Map<String, RunResult> results) {
    sb.append("\n### Repeated presentation: one JWT-SVID for many tasks, credential cache vs none (1 thread;"
        + " target cached / uncached >= ").append(CACHE_TARGET).append(")\n\n");
    sb.append("| alg | operation | uncached ops/s | cached ops/s | cached / uncached | met |\n|---|---|---|---|---|---|\n");
    for (SigningAlgorithm alg : SigningAlgorithm.values()) {
      for (String op : new String[] {"request", "evaluate"}) {
        RunResult u = results.get(key("RepeatedPresentationBenchmark." + op + "Uncached", alg.name(), 1));
        RunResult c = results.get(key("RepeatedPresentationBenchmark." + op + "Cached", alg.name(), 1));
        if (u == null || c == null) {
          continue;
        }
        sb.append("| ").append(alg).append(" | ").append(op.equals("request") ? "request + close (signs)" : "evaluate (no signing)")
            .append(" | ").append(ops(u, 1)).append(" | ").append(ops(c, 1)).append(" | ").append(ratioText(c, u))
            .append(" | ").append(ratio(c, u) >= CACHE_TARGET ? "yes" : "**no**").append(" |\n");
      }
    }

    sb.append("\n### Policy decision: jit-policy `RulePolicy.evaluate` vs jCasbin `enforce` (sample time, µs;"
        + " targets: jit p50 <= 1 µs at 10 rules and <= 2 µs at 10,000 indexed; jCasbin / jit >= 100 at 10,000)\n\n");
    sb.append("| rules | shape | jit p50 | jit p99 | jit mean | jCasbin p50 | jCasbin p99 | jCasbin mean | p50 ratio | mean ratio | alloc jit / jCasbin |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (String shape : new String[] {"INDEXED", "WORST"}) {
      for (String n : new String[] {"10", "1000", "10000"}) {
        RunResult j = results.get(key("PolicyBenchmark.jitPolicy", n + "/" + shape, 1));
        RunResult c = results.get(key("PolicyBenchmark.jcasbin", n + "/" + shape, 1));
        if (j == null || c == null) {
          continue;
        }
        double jp50 = pct(j, 50);
        double cp50 = pct(c, 50);
        sb.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f | %s / %s |%n",
            n, shape, jp50, pct(j, 99), j.getPrimaryResult().getScore(), cp50, pct(c, 99),
            c.getPrimaryResult().getScore(), cp50 / jp50, c.getPrimaryResult().getScore() / j.getPrimaryResult().getScore(),
            alloc(j), alloc(c)));
      }
    }
    sb.append("\n| policy load, 10,000 rules | ms per load |\n|---|---|\n");
    for (String m : new String[] {"build", "compile", "jcasbinLoad"}) {
      RunResult r = results.get(key("PolicyCompileBenchmark." + m, "INDEXED", 1));
      if (r != null) {
        sb.append(String.format(Locale.ROOT, "| %s | %.1f (+- %.1f) |%n", m.equals("build")
            ? "`Policy.Builder.build()` (rules + validation + shadowing analysis)"
            : m.equals("compile") ? "`RulePolicy.of(policy)` (checks + indexes)" : "jCasbin `new Enforcer(model, csv)`",
            r.getPrimaryResult().getScore(), err(r)));
      }
    }

    sb.append("\n### JWT-SVID validation: jit-spiffe `JwtSvidVerifier` vs java-spiffe-core 0.8.17 (1 thread)\n\n");
    sb.append("| alg | Nimbus signature only ops/s | java-spiffe ops/s | jit-spiffe ops/s | jit / java-spiffe | jit / signature only |\n");
    sb.append("|---|---|---|---|---|---|\n");
    for (String alg : new String[] {"ES256", "RS256"}) {
      RunResult f = results.get(key("SvidValidationBenchmark.nimbusSignatureOnly", alg, 1));
      RunResult t = results.get(key("SvidValidationBenchmark.javaSpiffe", alg, 1));
      RunResult o = results.get(key("SvidValidationBenchmark.jitSpiffe", alg, 1));
      if (f == null || t == null || o == null) {
        continue;
      }
      sb.append("| ").append(alg).append(" | ").append(ops(f, 1)).append(" | ").append(ops(t, 1)).append(" | ")
          .append(ops(o, 1)).append(" | ").append(ratioText(o, t)).append(" | ").append(ratioText(o, f)).append(" |\n");
    }
  }

  private static double pct(RunResult r, double p) {
    return r.getPrimaryResult().getStatistics().getPercentile(p);
  }

  private static double err(RunResult r) {
    double e = r.getPrimaryResult().getScoreError();
    return Double.isNaN(e) ? 0 : e;
  }

  private static String alloc(RunResult r) {
    for (Map.Entry<String, ?> e : r.getSecondaryResults().entrySet()) {
      if (e.getKey().endsWith("gc.alloc.rate.norm")) {
        return String.format(Locale.ROOT, "%,.0f B", ((Result<?>) e.getValue()).getScore());
      }
    }
    return "-";
  }

  private static double ratio(RunResult lib, RunResult floor) {
    return lib.getPrimaryResult().getScore() / floor.getPrimaryResult().getScore();
  }

  private static String ratioText(RunResult lib, RunResult floor) {
    Result<?> a = lib.getPrimaryResult();
    Result<?> b = floor.getPrimaryResult();
    double r = a.getScore() / b.getScore();
    if (Double.isNaN(a.getScoreError()) || Double.isNaN(b.getScoreError())) {
      return String.format(Locale.ROOT, "%.2f", r);
    }
    double rel = Math.sqrt(sq(relError(a)) + sq(relError(b)));
    return String.format(Locale.ROOT, "%.2f +- %.2f", r, r * rel);
  }

  private static double relError(Result<?> r) {
    double e = r.getScoreError();
    return Double.isNaN(e) ? 0 : e / r.getScore();
  }

  private static double sq(double x) {
    return x * x;
  }

  private static String ops(RunResult r, int threads) {
    Result<?> p = r.getPrimaryResult();
    String s = Double.isNaN(p.getScoreError())
        ? String.format(Locale.ROOT, "%,.0f (%.1f µs)", p.getScore(), threads * 1e6 / p.getScore())
        : String.format(Locale.ROOT, "%,.0f +- %,.0f (%.1f µs)", p.getScore(), p.getScoreError(),
            threads * 1e6 / p.getScore());
    Map<String, ?> secondary = r.getSecondaryResults();
    for (Map.Entry<String, ?> e : secondary.entrySet()) {
      if (e.getKey().endsWith("gc.alloc.rate.norm")) {
        s += String.format(Locale.ROOT, ", alloc %,.0f B", ((Result<?>) e.getValue()).getScore());
      }
    }
    return s;
  }
}
