package dev.jitaccess.spiffe;

import dev.jitaccess.JitException;

/**
 * A string is not a valid SPIFFE ID, trust domain or path. Unchecked, like every jit-access exception:
 * it extends {@link JitException}, the library's single root, rather than {@link IllegalArgumentException},
 * so callers can catch everything jit-access throws in one place.
 *
 * <p>The message is go-spiffe's wording (for example {@code "scheme is missing or invalid"}); it never
 * repeats the input, which may be large or attacker-controlled.
 */
public final class InvalidSpiffeIdException extends JitException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with go-spiffe's message for the rule that failed. */
  public InvalidSpiffeIdException(String message) {
    super(message);
  }
}
