package dev.jitaccess.spring.boot;

import dev.jitaccess.policy.Diagnostic;
import dev.jitaccess.policy.InvalidPolicyException;
import java.util.stream.Collectors;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a policy file that does not load at startup into a failure report naming each error as
 * {@code file:line:column: error: message}, with what to do. Registered in {@code META-INF/spring.factories}.
 */
public class JitPolicyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidPolicyException> {

  /** Creates the analyzer (Spring Boot calls it). */
  public JitPolicyFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidPolicyException cause) {
    String errors = cause.errors().stream().map(Diagnostic::toString).map(e -> "    " + e)
        .collect(Collectors.joining("\n"));
    return new FailureAnalysis(
        "The jit-access policy file (jit.policy.location) is not a valid policy:\n" + errors,
        "Fix the policy file at the lines and columns above, or point jit.policy.location at a valid one. "
            + "Nothing is issued until the broker has a valid policy.",
        cause);
  }
}
