package dev.jitaccess.spi;

import dev.jitaccess.Decision;

/**
 * Decides a request at the moment it is made. Implementations must be thread-safe and deterministic
 * for a given context. If one throws, the broker denies the request (fail closed) and keeps the cause.
 */
@FunctionalInterface
public interface PolicyEvaluator {

  /** Evaluates the request; never returns null. */
  Decision evaluate(PolicyContext context);

  /**
   * Evaluates the request like {@link #evaluate} for a dry run ({@code GrantBroker.evaluate}), where the
   * reasons are read by a person: an evaluator that keeps its hot-path reasons short may explain more
   * here (for example, the rules that did not match an allowed request). Must decide exactly as
   * {@link #evaluate} does. The default is {@link #evaluate}.
   *
   * @param context the request and its verified identity
   * @return the same decision as {@link #evaluate}, possibly with more reasons; never null
   */
  default Decision explain(PolicyContext context) {
    return evaluate(context);
  }
}
