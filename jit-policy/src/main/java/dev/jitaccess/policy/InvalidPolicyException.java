package dev.jitaccess.policy;

import dev.jitaccess.JitException;
import java.util.List;
import java.util.stream.Collectors;

/** A policy document or policy test table was refused; {@link #errors()} lists every problem. */
public final class InvalidPolicyException extends JitException {
  private static final long serialVersionUID = 1L;

  private final transient List<Diagnostic> errors;

  /** Creates the exception; the message lists every error, one per line. */
  public InvalidPolicyException(List<Diagnostic> errors) {
    super(message(errors));
    this.errors = List.copyOf(errors);
  }

  /** Every error, in document order. */
  public List<Diagnostic> errors() {
    return errors;
  }

  private static String message(List<Diagnostic> errors) {
    return "invalid policy, " + errors.size() + " error(s):\n"
        + errors.stream().map(Diagnostic::toString).collect(Collectors.joining("\n"));
  }
}
