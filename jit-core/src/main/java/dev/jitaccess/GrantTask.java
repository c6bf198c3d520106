package dev.jitaccess;

import org.jspecify.annotations.Nullable;

/**
 * A unit of work run with a grant by {@link GrantBroker#runWithGrant(GrantRequest, GrantTask)}.
 *
 * @param <T> the result type; may be nullable, for example {@code Void} for a task with no result
 */
@FunctionalInterface
public interface GrantTask<T extends @Nullable Object> {
  /** Runs the task with the grant; may throw, which revokes the grant with reason FAILED. */
  T run(Grant grant) throws Exception;
}
