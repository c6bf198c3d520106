package dev.jitaccess;

import dev.jitaccess.spi.BrokerObserver;
import dev.jitaccess.spi.BrokerObserver.Operation;
import dev.jitaccess.spi.BrokerObserver.Outcome;
import dev.jitaccess.spi.BrokerObserver.Scope;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user's {@link BrokerObserver} behind a guard, as {@link GuardedScheduler} guards the scheduler: a
 * {@code start} or {@code stop} that throws (or a {@code start} that returns null) is logged at WARN and
 * changes no outcome of the broker. Runs each broker operation between {@code start} and {@code stop},
 * turning its result or exception into an {@link Outcome} and a closed-set reason.
 */
final class ObservedOperations {
  private static final Logger LOG = LoggerFactory.getLogger(ObservedOperations.class);
  private static final String NONE = "none";
  private static final String ERROR = "error";

  private final BrokerObserver observer;

  ObservedOperations(BrokerObserver observer) {
    this.observer = Objects.requireNonNull(observer, "observer");
  }

  /** Runs an operation that issues a grant ({@code request}, {@code delegate}). */
  Grant grant(Operation operation, Supplier<Grant> body) {
    Scope scope = start(operation);
    Grant grant;
    try {
      grant = body.get();
    } catch (AccessDeniedException e) {
      stop(scope, operation, denied(e), lower(e.category().name()));
      throw e;
    } catch (RuntimeException | Error e) {
      stop(scope, operation, Outcome.FAILED, ERROR);
      throw e;
    }
    stop(scope, operation, Outcome.ALLOWED, NONE);
    return grant;
  }

  /** Runs {@code requestAsync}: the scope stops when the stage completes. */
  CompletionStage<Grant> async(Supplier<CompletionStage<Grant>> body) {
    Scope scope = start(Operation.REQUEST);
    CompletionStage<Grant> stage;
    try {
      stage = body.get();
    } catch (RuntimeException | Error e) {
      stop(scope, Operation.REQUEST, Outcome.FAILED, ERROR);
      throw e;
    }
    stage.whenComplete((grant, failure) -> {
      Throwable cause = failure;
      while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause == null) {
        stop(scope, Operation.REQUEST, Outcome.ALLOWED, NONE);
      } else if (cause instanceof AccessDeniedException e) {
        stop(scope, Operation.REQUEST, denied(e), lower(e.category().name()));
      } else {
        stop(scope, Operation.REQUEST, Outcome.FAILED, ERROR);
      }
    });
    return stage;
  }

  /** Runs {@code evaluate}: the outcome is the decision's. */
  Decision evaluate(Supplier<Decision> body) {
    Scope scope = start(Operation.EVALUATE);
    Decision decision;
    try {
      decision = body.get();
    } catch (RuntimeException | Error e) {
      stop(scope, Operation.EVALUATE, Outcome.FAILED, ERROR);
      throw e;
    }
    if (decision instanceof Decision.Allow) {
      stop(scope, Operation.EVALUATE, Outcome.ALLOWED, NONE);
    } else if (decision instanceof Decision.Deny deny) {
      stop(scope, Operation.EVALUATE, Outcome.DENIED, lower(deny.category().name()));
    } else {
      stop(scope, Operation.EVALUATE, Outcome.NEEDS_APPROVAL, lower(DenialCategory.APPROVAL.name()));
    }
    return decision;
  }

  /** {@code verifier} observed: each {@code verify} is one VERIFY operation. */
  GrantVerifier verifier(GrantVerifier verifier) {
    Objects.requireNonNull(verifier, "verifier");
    return new GrantVerifier() {
      @Override
      public Verification verify(String token, VerificationRequest request) {
        Scope scope = start(Operation.VERIFY);
        Verification v;
        try {
          v = verifier.verify(token, request);
        } catch (RuntimeException | Error e) {
          stop(scope, Operation.VERIFY, Outcome.FAILED, ERROR);
          throw e;
        }
        if (v instanceof Verification.Rejected r) {
          stop(scope, Operation.VERIFY, Outcome.REJECTED, lower(r.reason().name()));
        } else {
          stop(scope, Operation.VERIFY, Outcome.VERIFIED, NONE);
        }
        return v;
      }

      @Override
      public String toString() {
        return verifier.toString();
      }
    };
  }

  private static Outcome denied(AccessDeniedException e) {
    return e.decision() instanceof Decision.NeedsApproval ? Outcome.NEEDS_APPROVAL : Outcome.DENIED;
  }

  private Scope start(Operation operation) {
    Scope scope;
    try {
      scope = observer.start(operation);
    } catch (RuntimeException e) {
      LOG.warn("observer {} threw {} starting {}; ignored", observer.getClass().getName(), e.getClass().getName(),
          operation);
      return BrokerObserver.noop().start(operation);
    }
    if (scope == null) {
      LOG.warn("observer {} returned no scope for {}; ignored", observer.getClass().getName(), operation);
      return BrokerObserver.noop().start(operation);
    }
    return scope;
  }

  private void stop(Scope scope, Operation operation, Outcome outcome, String reason) {
    try {
      scope.stop(outcome, reason);
    } catch (RuntimeException e) {
      LOG.warn("observer {} threw {} stopping {}; ignored", observer.getClass().getName(), e.getClass().getName(),
          operation);
    }
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "ObservedOperations[" + observer.getClass().getName() + "]";
  }
}
