package dev.jitaccess.spi;

import dev.jitaccess.JitException;
import dev.jitaccess.internal.InMemoryApprovals;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * An {@link ApprovalHandler} that keeps pending approvals in memory, for tests, examples and small
 * deployments; made by {@link ApprovalHandler#inMemory(Clock)}. Approvers call {@link #approve} or
 * {@link #reject}. It enforces what the broker enforces as well: approvers must be members of the ticket's
 * approver group, N distinct approvers are needed, the requester (its identity id or owner, compared
 * case-insensitively) can never approve its own request, and nothing is accepted at or after the ticket's
 * deadline ({@link #expireDue()} refuses overdue tickets). A ticket that can never be approved (unknown
 * group, too few eligible members) is refused at once. Thread-safe.
 */
public interface InMemoryApprovalHandler extends ApprovalHandler {

  /**
   * Records one approval.
   *
   * @param approvalId the ticket's approval id
   * @param approver who approves; must be a member of the ticket's group, not the requester or its owner
   * @param comment the approver's comment, possibly empty
   * @return how many further approvals are needed; 0 means the request is approved
   * @throws IllegalStateException if there is no such pending approval or this approver already approved
   * @throws JitException if the approver is the requester or its owner, is not in the group, or the
   *     deadline has passed (the ticket is then refused)
   */
  int approve(String approvalId, String approver, String comment);

  /**
   * Rejects a pending approval; one rejection refuses the request.
   *
   * @throws IllegalStateException if there is no such pending approval
   * @throws JitException if the approver is not in the group, or the deadline has passed
   */
  void reject(String approvalId, String approver, String comment);

  /**
   * Refuses every pending approval whose deadline has passed (at or after the deadline, by the clock).
   *
   * @return the approval ids refused, in request order
   */
  List<String> expireDue();

  /** The pending tickets, oldest first. */
  List<ApprovalTicket> pending();

  /** Builds an {@link InMemoryApprovalHandler}; from {@link ApprovalHandler#inMemory(Clock)}. Not thread-safe. */
  final class Builder {
    private final Clock clock;
    private final Map<String, Set<String>> groups = new HashMap<>();
    private @Nullable Consumer<ApprovalTicket> onRequest;

    Builder(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * An approver group and its members.
     *
     * @throws IllegalArgumentException if the name or a member is blank
     * @throws IllegalStateException if the group was already set
     */
    public Builder group(String name, String... members) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(members, "members");
      if (name.isBlank()) {
        throw new IllegalArgumentException("group name must not be blank");
      }
      if (groups.containsKey(name)) {
        throw new IllegalStateException("group '" + name + "' was already set");
      }
      for (String m : members) {
        Objects.requireNonNull(m, "member");
        if (m.isBlank()) {
          throw new IllegalArgumentException("member must not be blank");
        }
      }
      groups.put(name, Set.of(members));
      return this;
    }

    /** Called with each new ticket, for example to notify approvers; exceptions are logged and ignored. */
    public Builder onRequest(Consumer<ApprovalTicket> callback) {
      Objects.requireNonNull(callback, "onRequest");
      if (onRequest != null) {
        throw new IllegalStateException("onRequest was already set");
      }
      onRequest = callback;
      return this;
    }

    /** Builds the handler; the builder is left unchanged. */
    public InMemoryApprovalHandler build() {
      return new InMemoryApprovals(clock, groups, onRequest);
    }
  }
}
