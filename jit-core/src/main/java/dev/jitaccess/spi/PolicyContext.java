package dev.jitaccess.spi;

import dev.jitaccess.GrantRequest;
import dev.jitaccess.WorkloadIdentity;
import java.time.Instant;
import java.util.Objects;

/**
 * What a policy decides on: the verified identity, the request, and the time of the request read from
 * the broker's clock.
 *
 * @param identity the verified workload identity
 * @param request the request
 * @param now the evaluation time
 */
public record PolicyContext(WorkloadIdentity identity, GrantRequest request, Instant now) {
  /** Checks the values. */
  public PolicyContext {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(now, "now");
  }
}
