package dev.jitaccess.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The outcome of loading a policy document: {@link Loaded} or {@link Invalid}, each with its diagnostics. */
public sealed interface LoadResult permits LoadResult.Loaded, LoadResult.Invalid {

  /** Every diagnostic: errors first, then warnings. */
  List<Diagnostic> diagnostics();

  /** The policy, or an {@link InvalidPolicyException} listing every error. */
  Policy orElseThrow();

  /**
   * The document is valid.
   *
   * @param policy the validated policy
   * @param warnings rules that can never take effect or are shadowed by a deny
   */
  record Loaded(Policy policy, List<Diagnostic> warnings) implements LoadResult {
    /** Checks and copies. */
    public Loaded {
      Objects.requireNonNull(policy, "policy");
      warnings = List.copyOf(warnings);
    }

    @Override
    public List<Diagnostic> diagnostics() {
      return warnings;
    }

    @Override
    public Policy orElseThrow() {
      return policy;
    }
  }

  /**
   * The document is refused.
   *
   * @param errors every error, in document order
   * @param warnings warnings found as well
   */
  record Invalid(List<Diagnostic> errors, List<Diagnostic> warnings) implements LoadResult {
    /** Checks and copies. */
    public Invalid {
      errors = List.copyOf(errors);
      warnings = List.copyOf(warnings);
      if (errors.isEmpty()) {
        throw new IllegalArgumentException("an invalid document has at least one error");
      }
    }

    @Override
    public List<Diagnostic> diagnostics() {
      List<Diagnostic> all = new ArrayList<>(errors);
      all.addAll(warnings);
      return List.copyOf(all);
    }

    @Override
    public Policy orElseThrow() {
      throw new InvalidPolicyException(errors);
    }

    /** Every diagnostic on its own line ({@code file:line:column: error: message}), errors first. */
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("Invalid[").append(errors.size()).append(" error(s), ")
          .append(warnings.size()).append(" warning(s)]");
      for (Diagnostic d : diagnostics()) {
        b.append('\n').append(d);
      }
      return b.toString();
    }
  }
}
