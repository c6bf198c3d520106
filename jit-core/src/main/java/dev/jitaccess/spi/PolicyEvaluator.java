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
}
