package dev.jitaccess.spiffe;

import dev.jitaccess.JitException;

/**
 * A bundle document (SPIFFE bundle, JWKS, PEM or bundle map) cannot be used. The message names the
 * checklist rule that failed (for example {@code "D8: jwt-svid entry 1 has no kid"}) and never quotes
 * key material.
 */
public final class InvalidBundleException extends JitException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public InvalidBundleException(String message) {
    super(message);
  }

  /** Creates the exception with its cause. */
  public InvalidBundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
