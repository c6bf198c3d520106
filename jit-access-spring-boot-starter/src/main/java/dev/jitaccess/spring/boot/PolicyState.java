package dev.jitaccess.spring.boot;

import dev.jitaccess.policy.Diagnostic;
import dev.jitaccess.policy.LoadResult;
import dev.jitaccess.policy.RulePolicy;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The starter's policy and the errors of its last refused reload (file:line:column), for the health
 * indicator. Internal to the starter.
 */
final class PolicyState implements Consumer<LoadResult> {
  private final AtomicReference<@Nullable List<Diagnostic>> lastErrors = new AtomicReference<>();
  private final AtomicReference<CompletableFuture<LoadResult>> next = new AtomicReference<>(new CompletableFuture<>());
  private volatile @Nullable RulePolicy policy;

  @Override
  public void accept(LoadResult result) {
    lastErrors.set(result instanceof LoadResult.Invalid invalid ? invalid.errors() : null);
    Objects.requireNonNull(next.getAndSet(new CompletableFuture<>()), "next").complete(result);
  }

  /** Completes with the result of the next reload (taken before changing the file, so none is missed). */
  CompletableFuture<LoadResult> nextReload() {
    return Objects.requireNonNull(next.get(), "next");
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
