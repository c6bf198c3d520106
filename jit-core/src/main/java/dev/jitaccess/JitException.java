package dev.jitaccess;

/**
 * The root of every exception jit-access throws. Unchecked: a failure is either the caller's contract
 * (a bad argument) or a denial, and both are better handled where the caller chooses.
 *
 * <p>Messages never contain a token, a key or a raw credential.
 */
public class JitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message. */
  public JitException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the cause that made the operation fail closed. */
  public JitException(String message, Throwable cause) {
    super(message, cause);
  }
}
