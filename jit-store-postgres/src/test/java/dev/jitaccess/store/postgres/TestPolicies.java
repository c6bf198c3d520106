package dev.jitaccess.store.postgres;

import dev.jitaccess.policy.Policy;
import dev.jitaccess.policy.RulePolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The policies the replica and fault tests give their brokers, one YAML file each beside this class (test
 * resources), so that no test carries its own copy of the same rules.
 */
final class TestPolicies {
  private TestPolicies() {}

  /** One rule, {@code work}: purpose "work", at most ten minutes ({@code work-policy.yaml}). */
  static RulePolicy work() {
    return load("work-policy.yaml");
  }

  /** {@code work} and the single-use {@code once}, both at most ten minutes ({@code work-and-once-policy.yaml}). */
  static RulePolicy workAndOnce() {
    return load("work-and-once-policy.yaml");
  }

  private static RulePolicy load(String resource) {
    try (InputStream in = TestPolicies.class.getResourceAsStream(resource)) {
      String yaml = new String(Objects.requireNonNull(in, resource).readAllBytes(), StandardCharsets.UTF_8);
      return RulePolicy.of(Policy.parse(resource, yaml).orElseThrow());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
