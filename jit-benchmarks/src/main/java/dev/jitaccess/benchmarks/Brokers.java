package dev.jitaccess.benchmarks;

import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.SigningAlgorithm;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.IdentityVerifier;
import dev.jitaccess.spi.PolicyEvaluator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The broker configuration every benchmark uses: a real clock, an allow-all policy with a precomputed
 * decision, an audit sink that drops events, and quotas high enough never to deny.
 */
public final class Brokers {
  /** The broker's issuer. */
  public static final String ISSUER = "https://jit.example.org";
  /** The resource (token audience) of every request. */
  public static final String RESOURCE = "https://db.example.org";
  /** The actions of every request. */
  public static final Set<String> ACTIONS = Set.of("read", "write");
  /** The purpose of every request. */
  public static final String PURPOSE = "deploy";
  /** The environment of every request. */
  public static final String ENVIRONMENT = "prod";
  /** The rule id the allow-all policy reports. */
  public static final String RULE = "allow-all";

  private static final Decision.Allow ALLOW =
      new Decision.Allow(GrantTerms.of(ACTIONS, Duration.ofHours(1)), List.of(RULE), List.of("benchmark"), "bench-1");

  /** Allows everything, at no cost: the policy is benchmarked on its own. */
  public static final PolicyEvaluator ALLOW_ALL = context -> ALLOW;

  /** Drops every event: the audit sink is the user's choice and not part of the broker's cost. */
  public static final AuditSink DROP = event -> {};

  private Brokers() {}

  /** A builder with the benchmark defaults; the caller may add options that are still unset. */
  public static GrantBroker.Builder builder(SigningAlgorithm algorithm, IdentityVerifier verifier) {
    return builder(algorithm, verifier, DROP);
  }

  /** A builder with the benchmark defaults and the given audit sink instead of {@link #DROP}. */
  public static GrantBroker.Builder builder(SigningAlgorithm algorithm, IdentityVerifier verifier, AuditSink audit) {
    return GrantBroker.builder()
        .issuer(ISSUER)
        .identityVerifier(verifier)
        .policy(ALLOW_ALL)
        .auditSink(audit)
        .algorithm(algorithm)
        .clock(Clock.systemUTC())
        .maxTtl(Duration.ofHours(1))
        .maxGrantsPerIdentity(1_000_000)
        .maxGrantsPerTask(1_000_000);
  }

  /** The request every benchmark makes, for one task. */
  public static GrantRequest request(Credential credential, String taskId, Duration ttl) {
    return GrantRequest.builder()
        .credential(credential)
        .taskId(taskId)
        .purpose(PURPOSE)
        .resource(RESOURCE)
        .actions(ACTIONS)
        .environment(ENVIRONMENT)
        .ttl(ttl)
        .build();
  }
}
