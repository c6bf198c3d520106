package dev.jitaccess.spi;

import dev.jitaccess.ApprovalRequirement;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.WorkloadIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A pending approval as shown to approvers: who asks (the verified identity) for what (the request's
 * facts), on which terms, which rules require the approval, and until when it can be given. It never
 * carries the requester's credential: a handler that could replay it could obtain a grant as the
 * requester.
 *
 * @param approvalId the approval record id
 * @param requester the verified identity asking
 * @param request the facts of the request, without its credential
 * @param terms what would be granted
 * @param requirement who must approve and how many
 * @param ruleIds the rules requiring approval
 * @param requestedAt when the approval was requested
 * @param deadline after this the request is refused
 */
public record ApprovalTicket(
    String approvalId,
    WorkloadIdentity requester,
    RequestFacts request,
    GrantTerms terms,
    ApprovalRequirement requirement,
    List<String> ruleIds,
    Instant requestedAt,
    Instant deadline) {
  /** Checks and copies. */
  public ApprovalTicket {
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(requester, "requester");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(terms, "terms");
    Objects.requireNonNull(requirement, "requirement");
    ruleIds = List.copyOf(ruleIds);
    Objects.requireNonNull(requestedAt, "requestedAt");
    Objects.requireNonNull(deadline, "deadline");
  }

  /** A ticket for {@code request}, keeping its facts and dropping its credential. */
  public ApprovalTicket(String approvalId, WorkloadIdentity requester, GrantRequest request, GrantTerms terms,
      ApprovalRequirement requirement, List<String> ruleIds, Instant requestedAt, Instant deadline) {
    this(approvalId, requester, RequestFacts.of(request), terms, requirement, ruleIds, requestedAt, deadline);
  }

  /**
   * What was asked for, as approvers need to see it: everything of the {@link GrantRequest} except its
   * credential and listeners.
   *
   * @param taskId the task
   * @param purpose the purpose
   * @param resource the resource
   * @param actions the actions
   * @param environment the environment
   * @param requestedTtl the requested lifetime
   * @param attributes the request attributes
   * @param justification the justification, or null
   * @param breakGlass whether it is a break-glass request
   * @param renewing whether a renewing grant is asked for
   */
  public record RequestFacts(String taskId, String purpose, String resource, Set<String> actions, String environment,
      Duration requestedTtl, Map<String, Object> attributes, @Nullable String justification, boolean breakGlass,
      boolean renewing) {
    /** Checks and copies. */
    public RequestFacts {
      Objects.requireNonNull(taskId, "taskId");
      Objects.requireNonNull(purpose, "purpose");
      Objects.requireNonNull(resource, "resource");
      actions = Set.copyOf(actions);
      Objects.requireNonNull(environment, "environment");
      Objects.requireNonNull(requestedTtl, "requestedTtl");
      attributes = Map.copyOf(attributes);
    }

    /** The facts of {@code request}, without its credential. */
    public static RequestFacts of(GrantRequest request) {
      Objects.requireNonNull(request, "request");
      return new RequestFacts(request.taskId(), request.purpose(), request.resource(), request.actions(),
          request.environment(), request.ttl(), request.attributes(), request.justification().orElse(null),
          request.breakGlass(), request.renewing());
    }
  }
}
