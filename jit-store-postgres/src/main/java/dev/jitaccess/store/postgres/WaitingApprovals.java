package dev.jitaccess.store.postgres;

import dev.jitaccess.JitException;
import dev.jitaccess.spi.ApprovalOutcome;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The stages of {@link PostgresApprovalHandler} waiting in this JVM, completed from their ticket's
 * decided row: when this replica decides, when the listener hears a notification, or when it polls.
 */
final class WaitingApprovals {
  private final Transactions tx;
  private final String table;
  private final String votes;
  private final Executor executor;
  private final Map<String, CompletableFuture<ApprovalOutcome>> waiting = new ConcurrentHashMap<>();

  WaitingApprovals(Transactions tx, String table, String votes, Executor executor) {
    this.tx = tx;
    this.table = table;
    this.votes = votes;
    this.executor = executor;
  }

  /** Registers a stage; false if one already waits for this id. */
  boolean add(String approvalId, CompletableFuture<ApprovalOutcome> future) {
    return waiting.putIfAbsent(approvalId, future) == null;
  }

  /** Unregisters {@code future} (its ticket could not be recorded). */
  void remove(String approvalId, CompletableFuture<ApprovalOutcome> future) {
    waiting.remove(approvalId, future);
  }

  /** Refuses the stage waiting for a cancelled ticket, if any, on the executor. */
  void cancelled(String approvalId) {
    CompletableFuture<ApprovalOutcome> f = waiting.remove(approvalId);
    if (f != null) {
      executor.execute(() -> f.completeExceptionally(new JitException("approval " + approvalId + " was cancelled")));
    }
  }

  /**
   * Completes the stage waiting here for {@code approvalId}, if any, from the row's decided state. The
   * approver's thread and the listener may both settle one ticket: the stage leaves the map only after
   * its completion was handed to the executor, and the first completion wins (both read the same decided
   * row), so a caller of {@link PostgresApprovalHandler#approve} with the default executor finds the stage
   * complete on return.
   */
  void settle(String approvalId) {
    CompletableFuture<ApprovalOutcome> f = waiting.get(approvalId);
    if (f == null) {
      return;
    }
    Optional<ApprovalRows.Outcome> read = ApprovalRows.outcome(tx, table, votes, approvalId);
    if (read.isEmpty() || read.get().state().equals("PENDING")) {
      return;
    }
    ApprovalRows.Outcome o = read.get();
    executor.execute(() -> {
      switch (o.state()) {
        case "APPROVED" -> f.complete(new ApprovalOutcome.Approved(o.approvals()));
        case "REJECTED" -> f.complete(new ApprovalOutcome.Rejected(
            Objects.requireNonNullElse(o.decidedBy(), "unknown"), Objects.requireNonNullElse(o.comment(), "")));
        case "TIMED_OUT" -> f.completeExceptionally(ApprovalVoting.timedOut(approvalId, o.ruleIds(), o.deadline()));
        default -> f.completeExceptionally(new JitException("approval " + approvalId + " was cancelled"));
      }
    });
    waiting.remove(approvalId, f);
  }

  /** Settles every stage waiting here whose ticket was decided (the polling fallback). */
  void catchUp() {
    if (waiting.isEmpty()) {
      return;
    }
    for (String id : ApprovalRows.decided(tx, table, Set.copyOf(waiting.keySet()))) {
      settle(id);
    }
  }

  /** Refuses every stage still waiting (the handler closed); their tickets stay pending in the database. */
  void refuseAll() {
    for (String id : Set.copyOf(waiting.keySet())) {
      CompletableFuture<ApprovalOutcome> f = waiting.remove(id);
      if (f != null) {
        f.completeExceptionally(new JitException("approval " + id
            + " was still waiting when its approval handler closed; the ticket stays pending in the database"));
      }
    }
  }

  /** How many stages wait here. */
  int size() {
    return waiting.size();
  }
}
