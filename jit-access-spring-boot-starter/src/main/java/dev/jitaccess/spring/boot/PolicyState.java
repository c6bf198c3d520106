package dev.jitaccess.spring.boot;

import dev.jitaccess.policy.Diagnostic;
import dev.jitaccess.policy.LoadResult;
import dev.jitaccess.policy.RulePolicy;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The starter's policy and the errors of its last refused reload (file:line:column), for the health
 * indicator. Internal to the starter.
 */
final class PolicyState implements Consumer<LoadResult> {
  private final AtomicReference<@Nullable List<Diagnostic>> lastErrors = new AtomicReference<>();
  private volatile @Nullable RulePolicy policy;

  @Override
  public void accept(LoadResult result) {
    lastErrors.set(result instanceof LoadResult.Invalid invalid ? invalid.errors() : null);
  }

  void attach(RulePolicy policy) {
    this.policy = policy;
  }

  /** The policy, once built. */
  Optional<RulePolicy> policy() {
    return Optional.ofNullable(policy);
  }

  /** The errors of the last reload, if it was refused (the previous policy stays in force). */
  Optional<List<Diagnostic>> lastReloadErrors() {
    return Optional.ofNullable(lastErrors.get());
  }
}
