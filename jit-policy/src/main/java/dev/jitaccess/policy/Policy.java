package dev.jitaccess.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A validated policy: a TTL ceiling and rules with unique ids. Built in Java with {@link #builder()} or
 * read from YAML with {@link #load(Path)} / {@link #parse(String, String)}. Immutable; its
 * {@link #version()} is the SHA-256 of its canonical form, so the same rules always give the same
 * version whatever their order or formatting.
 */
public final class Policy {
  /** The most rules a policy may hold. */
  public static final int MAX_RULES = 100_000;

  private final String name;
  private final Duration maxTtl;
  private final List<Rule> rules;
  private final String version;
  private final List<Diagnostic> warnings;

  private Policy(String name, Duration maxTtl, List<Rule> rules, List<Diagnostic> warnings) {
    this.name = name;
    this.maxTtl = maxTtl;
    this.rules = rules;
    this.version = Canonical.version(name, maxTtl, rules);
    this.warnings = List.copyOf(warnings);
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads and validates a YAML policy file (at most 1 MiB). Never throws for a bad document: the
   * result lists every error with line and column.
   */
  public static LoadResult load(Path file) {
    return YamlPolicyReader.load(file);
  }

  /**
   * Parses and validates a YAML policy document (at most 1 MiB).
   *
   * @param sourceName the name used in diagnostics, for example the file name
   * @param yaml the document
   */
  public static LoadResult parse(String sourceName, String yaml) {
    Objects.requireNonNull(sourceName, "sourceName");
    Objects.requireNonNull(yaml, "yaml");
    return YamlPolicyReader.parse(sourceName, yaml);
  }

  /** The policy name. */
  public String name() {
    return name;
  }

  /** The policy's TTL ceiling: no grant it allows is longer. */
  public Duration maxTtl() {
    return maxTtl;
  }

  /** The rules, sorted by id. */
  public List<Rule> rules() {
    return rules;
  }

  /** {@code sha256:<hex>} of the canonical form. */
  public String version() {
    return version;
  }

  /** Rules that can never take effect or are shadowed by a deny. */
  public List<Diagnostic> warnings() {
    return warnings;
  }

  @Override
  public String toString() {
    return "Policy[" + name + ", " + rules.size() + " rules, maxTtl=" + Durations.format(maxTtl) + ", " + version + "]";
  }

  /** Builds a {@link Policy}. Not thread-safe. */
  public static final class Builder {
    private @Nullable String name;
    private @Nullable Duration maxTtl;
    private final List<Rule> rules = new ArrayList<>();

    private Builder() {}

    /** A name for logs and diagnostics; defaults to {@code policy}. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (this.name != null) {
        throw new IllegalStateException("name was already set");
      }
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /** The TTL ceiling (1 second to 24 hours). Required. */
    public Builder maxTtl(Duration ceiling) {
      Objects.requireNonNull(ceiling, "maxTtl");
      if (this.maxTtl != null) {
        throw new IllegalStateException("maxTtl was already set");
      }
      if (ceiling.compareTo(Duration.ofSeconds(1)) < 0 || ceiling.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("maxTtl must be between 1s and 24h, got " + ceiling);
      }
      this.maxTtl = ceiling;
      return this;
    }

    /** Adds a rule. */
    public Builder rule(Rule rule) {
      rules.add(Objects.requireNonNull(rule, "rule"));
      if (rules.size() > MAX_RULES) {
        throw new IllegalArgumentException("at most " + MAX_RULES + " rules");
      }
      return this;
    }

    /** Adds rules. */
    public Builder rules(List<Rule> rules) {
      Objects.requireNonNull(rules, "rules").forEach(this::rule);
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws IllegalStateException if maxTtl is missing
     * @throws IllegalArgumentException listing every duplicate rule id and every TTL above the ceiling
     */
    public Policy build() {
      return build(Map.of(), "policy");
    }

    /** Builds with rule positions for warnings (used by the YAML reader). */
    Policy build(Map<String, int[]> positions, String source) {
      if (maxTtl == null) {
        throw new IllegalStateException("maxTtl is required");
      }
      List<String> problems = new ArrayList<>();
      Set<String> ids = new HashSet<>();
      for (Rule r : rules) {
        if (!ids.add(r.id)) {
          problems.add("duplicate rule id '" + r.id + "'");
        }
        problems.addAll(ceilingProblems(r.id, r.maxTtl, r.idleTimeout, maxTtl));
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", problems));
      }
      List<Rule> sorted = new ArrayList<>(rules);
      sorted.sort(Comparator.comparing(Rule::id));
      String n = name == null ? "policy" : name;
      List<Diagnostic> warnings = new ArrayList<>();
      for (PolicyAnalysis.Finding f : PolicyAnalysis.analyze(sorted)) {
        int[] pos = positions.getOrDefault(f.ruleId(), new int[] {0, 0});
        warnings.add(new Diagnostic(Diagnostic.Severity.WARNING, source, pos[0], pos[1], f.message()));
      }
      return new Policy(n, maxTtl, List.copyOf(sorted), warnings);
    }

    static List<String> ceilingProblems(String id, @Nullable Duration ttl, @Nullable Duration idle, Duration ceiling) {
      List<String> out = new ArrayList<>();
      if (ttl != null && ttl.compareTo(ceiling) > 0) {
        out.add("rule " + id + ": maxTtl " + Durations.format(ttl) + " is above the policy ceiling "
            + Durations.format(ceiling));
      }
      if (idle != null && idle.compareTo(ceiling) > 0) {
        out.add("rule " + id + ": idleTimeout " + Durations.format(idle) + " is above the policy ceiling "
            + Durations.format(ceiling));
      }
      return out;
    }
  }
}
