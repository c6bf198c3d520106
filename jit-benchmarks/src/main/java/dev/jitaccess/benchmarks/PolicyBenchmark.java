package dev.jitaccess.benchmarks;

import dev.jitaccess.Decision;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spi.PolicyContext;
import java.util.List;
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
 * Issue 7, item 4: one policy decision with jit-policy's {@link RulePolicy} and with jCasbin on
 * equivalent rules ({@link PolicyRules}), at 10, 1,000 and 10,000 rules, for the indexed mix and the
 * one-bucket worst case. Sample-time mode, so JMH reports p50 and p99. Each call takes the next of 64
 * precomputed requests, each aimed at a random rule; both engines answer all of them alike (smoke test).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PolicyBenchmark {
  /** Requests cycled through. */
  static final int REQUESTS = 64;

  /** Number of rules. */
  @Param({"10", "1000", "10000"})
  public int rules;

  /** Rule-set shape. */
  @Param({"INDEXED", "WORST"})
  public PolicyRules.Shape shape;

  private RulePolicy policy;
  private Enforcer casbin;
  private PolicyContext[] contexts;
  private Object[][] casbinRequests;
  private int next;

  /** Generates the rules and builds both engines. */
  @Setup(Level.Trial)
  public void setUp() {
    PolicyRules r = PolicyRules.generate(rules, shape, REQUESTS, 42);
    policy = RulePolicy.of(r.policy());
    casbin = r.casbin();
    List<PolicyContext> c = r.contexts();
    contexts = c.toArray(new PolicyContext[0]);
    casbinRequests = r.casbinRequests().toArray(new Object[0][]);
  }

  /** jit-policy: {@code RulePolicy.evaluate}. */
  @Benchmark
  public Decision jitPolicy() {
    int i = next++ & (REQUESTS - 1);
    return policy.evaluate(contexts[i]);
  }

  /** jCasbin: {@code Enforcer.enforce(sub, dom, obj, act)}. */
  @Benchmark
  public boolean jcasbin() {
    int i = next++ & (REQUESTS - 1);
    return casbin.enforce(casbinRequests[i]);
  }

  RulePolicy policyForTest() {
    return policy;
  }

  Enforcer casbinForTest() {
    return casbin;
  }

  PolicyContext[] contextsForTest() {
    return contexts;
  }

  Object[][] casbinRequestsForTest() {
    return casbinRequests;
  }
}
