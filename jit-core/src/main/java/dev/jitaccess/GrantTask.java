package dev.jitaccess;

/**
 * A unit of work run with a grant by {@link GrantBroker#runWithGrant(GrantRequest, GrantTask)}.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface GrantTask<T> {
  /** Runs the task with the grant; may throw, which revokes the grant with reason FAILED. */
  T run(Grant grant) throws Exception;
}
