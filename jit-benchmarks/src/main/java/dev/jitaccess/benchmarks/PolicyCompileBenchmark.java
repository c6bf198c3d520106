package dev.jitaccess.benchmarks;

import dev.jitaccess.policy.Policy;
import dev.jitaccess.policy.RulePolicy;
import java.util.concurrent.TimeUnit;
import org.casbin.jcasbin.main.Enforcer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Issue 7, item 4: how long a policy of 10,000 rules takes to load. {@link #build} is
 * {@code Policy.Builder.build()} (duplicate ids, TTL ceilings and the static shadowing analysis);
 * {@link #compile} is {@code RulePolicy.of(policy)} (compiling the checks and the indexes: what a reload
 * does after validation); {@link #jcasbinLoad} builds a jCasbin enforcer from the same rules in CSV.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PolicyCompileBenchmark {
  /** Number of rules. */
  @Param({"10000"})
  public int size;

  /** Rule-set shape. */
  @Param({"INDEXED"})
  public PolicyRules.Shape shape;

  private PolicyRules generated;
  private Policy policy;

  /** Generates the rules once. */
  @Setup(Level.Trial)
  public void setUp() {
    generated = PolicyRules.generate(size, shape, 1, 42);
    policy = generated.policy();
  }

  /** Validates and analyses the rules into a {@link Policy}. */
  @Benchmark
  public Policy build() {
    return generated.policy();
  }

  /** Compiles a validated policy into an evaluator with its indexes. */
  @Benchmark
  public RulePolicy compile() {
    return RulePolicy.of(policy);
  }

  /** jCasbin: model + policy CSV into an enforcer. */
  @Benchmark
  public Enforcer jcasbinLoad() {
    return generated.casbin();
  }
}
