package dev.jitaccess.policy;

/** Rule policy (placeholder; being written). */
public final class RulePolicy {
  private RulePolicy() {}
}
