package dev.jitaccess.store.postgres;

import dev.jitaccess.Approval;
import dev.jitaccess.JitException;
import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.ApprovalOutcome;
import dev.jitaccess.spi.ApprovalTicket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ApprovalHandler} whose pending approvals live in PostgreSQL, so that several replicas share
 * them: an approval recorded through any replica ({@link #approve}, {@link #reject}) completes the
 * request waiting on the replica that asked, and a restart loses no ticket.
 *
 * <p><b>Rules</b> (those of the in-memory handler): approvers must be members of the ticket's approver
 * group; the required number of <em>distinct</em> approvers must approve; the requester (its identity
 * id or owner) never approves its own request; nothing is accepted at or after the ticket's deadline (by
 * the injected clock); one rejection refuses. Approver names are compared case-folded ({@link
 * Approvers#fold}): {@code Alice} is the member {@code alice}, votes once, and is recorded under the
 * group's spelling. Every replica must be configured with the same groups.
 *
 * <p><b>Across replicas.</b> {@link #requestApproval} inserts the ticket's facts (never the requester's
 * credential) and keeps the waiting stage in this JVM. A decision through any replica is one transaction
 * under the ticket's row lock; it is announced with {@code NOTIFY} on {@code jit_approval_<schema>} at
 * commit, and a listener thread of each handler completes its own waiting stages on that hint; it also
 * polls every {@code pollInterval} (and after every reconnect) in case a notification was lost. So a
 * decision reaches the waiting request within about one poll interval at worst.
 *
 * <p><b>Restarts.</b> A ticket stays in the table until decided, cancelled or expired; after a restart
 * the waiting caller is gone (its request was refused when its handler closed), but approvers still see
 * the ticket in {@link #pending()}, and a decision is still recorded, and audited when an audit sink is
 * configured ({@link Builder#auditSink}): each vote, rejection and timeout is appended to the shared
 * audit trail in the same transaction as the decision ({@code APPROVAL_APPROVED} per vote, with the
 * count so far in {@code reason}; {@code APPROVAL_REJECTED}; {@code APPROVAL_TIMED_OUT}). The broker
 * still records its own approval events for the request it completes.
 *
 * <p>Thread-safe. {@link #close()} stops the listener and refuses the requests still waiting in this JVM
 * (their tickets stay pending in the database).
 */
public final class PostgresApprovalHandler implements ApprovalHandler, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresApprovalHandler.class);
  /** The default interval of the polling fallback. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

  private final String schema;
  private final Transactions tx;
  private final ApprovalVoting voting;
  private final WaitingApprovals waiting;
  private final @Nullable Consumer<ApprovalTicket> onRequest;
  private final NotificationListener listener;
  private volatile boolean closed;

  private PostgresApprovalHandler(Builder b, DataSource dataSource, Clock clock, String schema) {
    this.schema = schema;
    this.tx = new Transactions(dataSource, "approvals");
    this.voting = new ApprovalVoting(tx, schema, clock, b.groups, b.audit);
    this.waiting = new WaitingApprovals(tx, voting.table(), voting.votes(),
        b.executor == null ? Runnable::run : b.executor);
    this.onRequest = b.onRequest;
    ThreadFactory threads = b.threads != null ? b.threads : r -> {
      Thread t = new Thread(r, "jit-approvals-" + schema);
      t.setDaemon(true);
      return t;
    };
    this.listener = new NotificationListener(b.listenerDataSource != null ? b.listenerDataSource : dataSource,
        "jit_approval_" + schema, b.pollInterval != null ? b.pollInterval : DEFAULT_POLL_INTERVAL, threads,
        waiting::settle, waiting::catchUp);
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Records the ticket as pending in the database and returns the stage the broker waits on. The stage
   * fails at once if the ticket's group is not configured here, has too few eligible members, the id is
   * already known, or the database fails.
   */
  @Override
  public CompletionStage<ApprovalOutcome> requestApproval(ApprovalTicket ticket) {
    Objects.requireNonNull(ticket, "ticket");
    CompletableFuture<ApprovalOutcome> future = new CompletableFuture<>();
    String problem = voting.eligibility(ticket);
    if (problem == null && closed) {
      problem = "the approval handler is closed";
    }
    if (problem == null && !waiting.add(ticket.approvalId(), future)) {
      problem = "approval '" + ticket.approvalId() + "' is already pending";
    }
    if (problem != null) {
      future.completeExceptionally(new JitException("approval " + ticket.approvalId() + " for rules "
          + ticket.ruleIds() + " cannot be given: " + problem));
      return future.minimalCompletionStage();
    }
    try {
      ApprovalRows.insert(tx, voting.table(), ticket);
    } catch (JitException e) {
      waiting.remove(ticket.approvalId(), future);
      future.completeExceptionally(e);
      return future.minimalCompletionStage();
    }
    if (onRequest != null) {
      try {
        onRequest.accept(ticket);
      } catch (RuntimeException e) {
        LOG.warn("approval request callback failed for approval {}; ignored", ticket.approvalId(), e);
      }
    }
    return future.minimalCompletionStage();
  }

  /**
   * Records one approval, through any replica.
   *
   * @param approvalId the ticket's approval id
   * @param approver who approves; a member of the ticket's group (case-folded), not the requester or its
   *     owner
   * @param comment the approver's comment, possibly empty
   * @return how many further approvals are needed; 0 means the request is approved
   * @throws IllegalStateException if there is no such pending approval, or this approver already approved
   * @throws JitException if the approver is the requester or its owner, is not in the group, or the
   *     deadline has passed (the ticket is then refused), or the database fails
   * @throws IllegalArgumentException if the approver is blank or a value contains U+0000
   */
  public int approve(String approvalId, String approver, String comment) {
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(approver, "approver");
    Objects.requireNonNull(comment, "comment");
    Approvers.requireText(approver, "approver");
    Approvers.requireText(comment, "comment");
    if (approver.isBlank()) {
      throw new IllegalArgumentException("approver must not be blank");
    }
    ApprovalRows.Decision d = voting.approve(approvalId, approver, comment);
    if (d.timedOut() != null) {
      waiting.settle(approvalId);
      throw d.timedOut();
    }
    if (d.remaining() == 0) {
      waiting.settle(approvalId);
    }
    return d.remaining();
  }

  /**
   * Rejects a pending approval, through any replica; one rejection refuses the request.
   *
   * @throws IllegalStateException if there is no such pending approval
   * @throws JitException if the approver is not in the group, the deadline has passed, or the database
   *     fails
   * @throws IllegalArgumentException if a value contains U+0000
   */
  public void reject(String approvalId, String approver, String comment) {
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(approver, "approver");
    Objects.requireNonNull(comment, "comment");
    Approvers.requireText(approver, "approver");
    Approvers.requireText(comment, "comment");
    ApprovalRows.Decision d = voting.reject(approvalId, approver, comment);
    waiting.settle(approvalId);
    if (d.timedOut() != null) {
      throw d.timedOut();
    }
  }

  /**
   * Ends a pending approval (the broker calls this when it stops waiting); later approvals are refused.
   * Idempotent; unknown ids are ignored; a database failure is logged, and the deadline still refuses
   * later approvals.
   */
  @Override
  public void cancel(String approvalId) {
    Objects.requireNonNull(approvalId, "approvalId");
    try {
      voting.cancel(approvalId);
    } catch (JitException e) {
      LOG.warn("could not cancel approval {} in the database: {}", approvalId, e.getMessage());
    }
    waiting.cancelled(approvalId);
  }

  /**
   * Refuses every pending approval, of any replica, whose deadline has passed (at or after it, by the
   * clock), recording {@code APPROVAL_TIMED_OUT} for each when an audit sink is configured.
   *
   * @return the approval ids refused
   * @throws JitException if the database fails
   */
  public List<String> expireDue() {
    List<String> ids = voting.expireDue();
    ids.forEach(waiting::settle);
    return ids;
  }

  /**
   * The pending approvals of every replica, oldest first, with the approvals given so far.
   *
   * @throws JitException if the database fails
   */
  public List<PendingApproval> pending() {
    return ApprovalRows.pending(tx, voting.table(), voting.votes());
  }

  /** Whether the listener's connection is up right now (decisions arrive at once rather than by polling). */
  public boolean listening() {
    return listener.connected();
  }

  /**
   * Stops the listener and refuses the requests still waiting in this JVM; their tickets stay pending in
   * the database for approvers to decide. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    listener.close();
    waiting.refuseAll();
  }

  @Override
  public String toString() {
    return "PostgresApprovalHandler[schema=" + schema + ", waiting=" + waiting.size() + ", groups="
        + voting.groupNames() + "]";
  }

  /**
   * A pending approval as stored: the request's facts, never its credential.
   *
   * @param approvalId the approval id
   * @param requesterId the requesting identity
   * @param requesterOwner its owner, or null
   * @param taskId the task
   * @param resource the resource
   * @param actions the requested actions
   * @param purpose the purpose
   * @param environment the environment
   * @param approverGroup who may approve
   * @param approvalsNeeded how many distinct approvers must approve
   * @param ruleIds the rules requiring the approval
   * @param requestedAt when it was requested
   * @param deadline until when it can be approved
   * @param approvals the approvals given so far
   */
  public record PendingApproval(String approvalId, String requesterId, @Nullable String requesterOwner, String taskId,
      String resource, List<String> actions, String purpose, String environment, String approverGroup,
      int approvalsNeeded, List<String> ruleIds, Instant requestedAt, Instant deadline, List<Approval> approvals) {
    /** Checks and copies. */
    public PendingApproval {
      Objects.requireNonNull(approvalId, "approvalId");
      Objects.requireNonNull(requesterId, "requesterId");
      Objects.requireNonNull(taskId, "taskId");
      Objects.requireNonNull(resource, "resource");
      actions = List.copyOf(actions);
      Objects.requireNonNull(purpose, "purpose");
      Objects.requireNonNull(environment, "environment");
      Objects.requireNonNull(approverGroup, "approverGroup");
      ruleIds = List.copyOf(ruleIds);
      Objects.requireNonNull(requestedAt, "requestedAt");
      Objects.requireNonNull(deadline, "deadline");
      approvals = List.copyOf(approvals);
    }
  }

  /** Builds a {@link PostgresApprovalHandler}. Not thread-safe. */
  public static final class Builder {
    private @Nullable DataSource dataSource;
    private @Nullable DataSource listenerDataSource;
    private @Nullable String schema;
    private @Nullable Clock clock;
    private final Map<String, Set<String>> groups = new HashMap<>();
    private @Nullable Consumer<ApprovalTicket> onRequest;
    private @Nullable PostgresAuditSink audit;
    private @Nullable Duration pollInterval;
    private @Nullable Executor executor;
    private @Nullable ThreadFactory threads;

    private Builder() {}

    /** The database, usually a connection pool. Required. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Checks.setOnce(this.dataSource, dataSource, "dataSource");
      return this;
    }

    /**
     * Where the listener's own long-lived connection comes from; default: one connection of {@link
     * #dataSource}, held for the handler's life.
     */
    public Builder listenerDataSource(DataSource listenerDataSource) {
      this.listenerDataSource = Checks.setOnce(this.listenerDataSource, listenerDataSource, "listenerDataSource");
      return this;
    }

    /**
     * The schema holding the jit-access tables; default {@code jit}.
     *
     * @throws IllegalArgumentException if it is not a valid schema name (see {@link PostgresSchema#of})
     */
    public Builder schema(String schema) {
      this.schema = SchemaName.check(Checks.setOnce(this.schema, schema, "schema"));
      return this;
    }

    /** The clock deadlines and approval times are read from. Required. */
    public Builder clock(Clock clock) {
      this.clock = Checks.setOnce(this.clock, clock, "clock");
      return this;
    }

    /**
     * An approver group and its members (compared case-folded). Every replica needs the same groups.
     *
     * @throws IllegalArgumentException if the name or a member is blank, contains U+0000, or two members
     *     differ only in case
     * @throws IllegalStateException if the group was already set
     */
    public Builder group(String name, String... members) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(members, "members");
      if (name.isBlank()) {
        throw new IllegalArgumentException("group name must not be blank");
      }
      Approvers.requireText(name, "group name");
      if (groups.containsKey(name)) {
        throw new IllegalStateException("group '" + name + "' was already set");
      }
      Map<String, String> byKey = new HashMap<>();
      for (String m : members) {
        Objects.requireNonNull(m, "member");
        if (m.isBlank()) {
          throw new IllegalArgumentException("member must not be blank");
        }
        Approvers.requireText(m, "member");
        String before = byKey.put(Approvers.fold(m), m);
        if (before != null) {
          throw new IllegalArgumentException("members '" + before + "' and '" + m + "' of group '" + name
              + "' are the same approver (names are compared case-folded)");
        }
      }
      groups.put(name, Set.of(members));
      return this;
    }

    /** Called with each new ticket, for example to notify approvers; exceptions are logged and ignored. */
    public Builder onRequest(Consumer<ApprovalTicket> onRequest) {
      this.onRequest = Checks.setOnce(this.onRequest, onRequest, "onRequest");
      return this;
    }

    /**
     * Records every vote, rejection and timeout in this audit trail, in the transaction of the decision.
     * The sink must use the same schema (and database). Default: decisions are only kept in the approval
     * tables (the broker still audits the requests it completes).
     */
    public Builder auditSink(PostgresAuditSink auditSink) {
      this.audit = Checks.setOnce(this.audit, auditSink, "auditSink");
      return this;
    }

    /**
     * How often the handler polls for decisions that no notification announced, and how long the listener
     * waits before reconnecting; default {@link #DEFAULT_POLL_INTERVAL}.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = Checks.positive(Checks.setOnce(this.pollInterval, pollInterval, "pollInterval"), "pollInterval");
      return this;
    }

    /**
     * Where waiting stages are completed (and so where the broker issues the approved grant); default: the
     * thread that observed the decision (the approver's, or the listener's).
     */
    public Builder executor(Executor executor) {
      this.executor = Checks.setOnce(this.executor, executor, "executor");
      return this;
    }

    /** Makes the listener thread; default a daemon thread named {@code jit-approvals-<schema>}. */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threads = Checks.setOnce(this.threads, threadFactory, "threadFactory");
      return this;
    }

    /**
     * Checks the schema version ({@link PostgresSchema#check()}), builds the handler and starts its
     * listener.
     *
     * @throws IllegalStateException if the data source or the clock is missing
     * @throws IllegalArgumentException if the audit sink uses another schema
     * @throws JitException if the database is unreachable or the schema is not at this library's version
     */
    public PostgresApprovalHandler build() {
      if (dataSource == null) {
        throw new IllegalStateException("dataSource is required");
      }
      if (clock == null) {
        throw new IllegalStateException("clock is required");
      }
      String name = schema == null ? SchemaName.DEFAULT : schema;
      if (audit != null && !audit.schema().equals(name)) {
        throw new IllegalArgumentException("the audit sink uses schema '" + audit.schema()
            + "', the approval handler '" + name + "': decisions are audited in their own transaction only in one schema");
      }
      PostgresSchema.of(dataSource, name).check();
      PostgresApprovalHandler handler = new PostgresApprovalHandler(this, dataSource, clock, name);
      handler.listener.start();
      return handler;
    }
  }
}
