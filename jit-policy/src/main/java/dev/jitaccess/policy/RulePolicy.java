package dev.jitaccess.policy;

import dev.jitaccess.Decision;
import dev.jitaccess.spi.PolicyContext;
import dev.jitaccess.spi.PolicyEvaluator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PolicyEvaluator} over a rule {@link Policy}, reloadable at run time. Each policy is compiled
 * into indexes once; {@link #evaluate} reads the current one without locking. A reload validates and
 * compiles the new document to the side and swaps it in atomically; a bad document leaves the last
 * good policy in force, and the {@link LoadResult} (also given to listeners) says why.
 *
 * <p>Semantics (see {@code POLICY.md}): default deny; deny beats require-approval beats allow; the
 * granted actions are the requested actions some matching allow or require-approval rule covers; the
 * TTL is the minimum of the requested TTL, the policy ceiling and every matching rule's maxTtl; a
 * condition that cannot be evaluated never drops a deny or require-approval rule. Decisions do not
 * depend on rule order and carry the deciding rule ids, explanations and the policy version.
 */
public final class RulePolicy implements PolicyEvaluator {
  private static final Logger LOG = LoggerFactory.getLogger(RulePolicy.class);

  private volatile CompiledPolicy current;
  private final List<Consumer<LoadResult>> listeners;
  private final Object reloadLock = new Object();

  private RulePolicy(CompiledPolicy initial, List<Consumer<LoadResult>> listeners) {
    this.current = initial;
    this.listeners = List.copyOf(listeners);
  }

  /** A policy evaluator for this policy, without listeners. */
  public static RulePolicy of(Policy policy) {
    return builder().policy(policy).build();
  }

  /**
   * Loads a YAML policy file in one call, without listeners.
   *
   * @throws InvalidPolicyException if the file is missing, unreadable or invalid; its message lists every
   *     error as {@code file:line:column: error: message}, one per line, and {@link
   *     InvalidPolicyException#errors()} holds them
   */
  public static RulePolicy load(Path file) {
    return builder().load(file).build();
  }

  /**
   * Parses a YAML policy document in one call, without listeners.
   *
   * @param sourceName the name used in diagnostics, for example the file name
   * @param yaml the document
   * @throws InvalidPolicyException if the document is invalid, listing every error one per line
   */
  public static RulePolicy parse(String sourceName, String yaml) {
    return of(Policy.parse(sourceName, yaml).orElseThrow());
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Decides a request. A Deny or NeedsApproval explains every candidate rule that did not match; an
   * Allow names the rules that allowed it, overrides, dropped actions, TTL clamps, the granted terms and
   * shadow rules, but not the candidates that did not match (use {@link #explain} for those).
   */
  @Override
  public Decision evaluate(PolicyContext context) {
    return decide(context, false);
  }

  /**
   * Decides a request like {@link #evaluate} and explains fully: an Allow also lists the candidate rules
   * that did not match, each with its first failed condition. For dry runs and policy tests; slower.
   * {@code GrantBroker.evaluate} (the dry run) calls this; {@code request} calls {@link #evaluate}.
   */
  @Override
  public Decision explain(PolicyContext context) {
    return decide(context, true);
  }

  private Decision decide(PolicyContext context, boolean explainAll) {
    Objects.requireNonNull(context, "context");
    CompiledPolicy p = current;
    try {
      return p.evaluate(context, explainAll);
    } catch (RuntimeException e) {
      LOG.warn("policy evaluation failed for task {}; denying (fail closed)", context.request().taskId(), e);
      return new Decision.Deny(List.of(), List.of("policy evaluation failed: " + e.getClass().getSimpleName()
          + " (fail closed)"), p.version());
    }
  }

  /** The policy in force. */
  public Policy policy() {
    return current.policy;
  }

  /** The version of the policy in force. */
  public String version() {
    return current.version();
  }

  /** Loads a YAML file; swaps it in if valid, otherwise keeps the current policy. */
  public LoadResult reload(Path file) {
    Objects.requireNonNull(file, "file");
    synchronized (reloadLock) {
      return install(Policy.load(file));
    }
  }

  /** Parses a YAML document; swaps it in if valid, otherwise keeps the current policy. */
  public LoadResult reload(String sourceName, String yaml) {
    Objects.requireNonNull(sourceName, "sourceName");
    Objects.requireNonNull(yaml, "yaml");
    synchronized (reloadLock) {
      return install(Policy.parse(sourceName, yaml));
    }
  }

  /** Swaps in a policy built in Java. */
  public LoadResult replace(Policy policy) {
    Objects.requireNonNull(policy, "policy");
    synchronized (reloadLock) {
      return install(new LoadResult.Loaded(policy, policy.warnings()));
    }
  }

  /** Swaps in an already loaded document if valid (the file watcher, which read the file itself). */
  LoadResult reload(LoadResult result) {
    synchronized (reloadLock) {
      return install(result);
    }
  }

  private LoadResult install(LoadResult result) {
    LoadResult outcome = result;
    if (result instanceof LoadResult.Loaded loaded) {
      Policy p = loaded.policy();
      try {
        CompiledPolicy compiled = CompiledPolicy.compile(p);
        String old = current.version();
        current = compiled;
        LOG.info("policy {} loaded: {} rules, version {} (was {}), {} warning(s)", p.name(), p.rules().size(),
            compiled.version(), old, result.diagnostics().size());
      } catch (RuntimeException e) {
        outcome = new LoadResult.Invalid(List.of(new Diagnostic(Diagnostic.Severity.ERROR, p.name(), 0, 0,
            "policy could not be compiled: " + e)), result.diagnostics());
      }
    }
    if (outcome instanceof LoadResult.Invalid) {
      LOG.warn("policy reload refused, keeping version {}: {}", current.version(),
          ((LoadResult.Invalid) outcome).errors());
    }
    for (Consumer<LoadResult> l : listeners) {
      try {
        l.accept(outcome);
      } catch (RuntimeException e) {
        LOG.warn("policy reload listener failed; ignored", e);
      }
    }
    return outcome;
  }

  @Override
  public String toString() {
    return "RulePolicy[" + current.policy + "]";
  }

  /** Builds a {@link RulePolicy}. Not thread-safe. */
  public static final class Builder {
    private @Nullable Policy policy;
    private final List<Consumer<LoadResult>> listeners = new ArrayList<>();

    private Builder() {}

    /** The initial policy. Required (this or {@link #load(Path)}). */
    public Builder policy(Policy policy) {
      Objects.requireNonNull(policy, "policy");
      if (this.policy != null) {
        throw new IllegalStateException("policy was already set");
      }
      this.policy = policy;
      return this;
    }

    /**
     * Loads the initial policy from a YAML file.
     *
     * @throws InvalidPolicyException listing every error if the file is not a valid policy
     */
    public Builder load(Path file) {
      return policy(Policy.load(Objects.requireNonNull(file, "file")).orElseThrow());
    }

    /** Called after every reload with its result; a listener that throws is logged and ignored. */
    public Builder listener(Consumer<LoadResult> listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Compiles the initial policy.
     *
     * @throws IllegalStateException if no policy was given
     */
    public RulePolicy build() {
      if (policy == null) {
        throw new IllegalStateException("policy is required");
      }
      return new RulePolicy(CompiledPolicy.compile(policy), listeners);
    }
  }
}
