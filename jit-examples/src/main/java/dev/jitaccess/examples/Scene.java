package dev.jitaccess.examples;

import dev.jitaccess.GrantBroker;
import dev.jitaccess.policy.Policy;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.RecordingAuditSink;
import dev.jitaccess.testkit.TestTrustDomain;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What every scenario starts from: a manual clock (also the broker's scheduler), the throwaway trust
 * domain {@code prod.example.org} that mints the workloads' SVIDs, the examples policy, and an audit sink
 * that keeps the events for the scenario's result (jit-testkit's {@link RecordingAuditSink}) and prints
 * each as one short line between the narration's own ({@link DemoAuditRenderer}; a production broker
 * keeps the full records, by default through {@link AuditSink#slf4j()}).
 */
final class Scene {
  /** The broker's issuer. */
  static final String ISSUER = "https://jit.example.org";
  /** The audience the workloads' JWT-SVIDs are minted for: the broker. */
  static final String BROKER_AUDIENCE = "jit-broker";
  /** The trust domain of every example workload. */
  static final String TRUST_DOMAIN = "prod.example.org";
  /** Where the examples' manual clocks start: a Tuesday morning. */
  static final String START = "2030-01-15T09:00:00Z";
  /** The examples policy, on the module path next to this class. */
  static final String POLICY_RESOURCE = "policy.yaml";

  final ManualClock clock;
  final TestTrustDomain domain;
  final RulePolicy policy;
  /** Keeps every audit event for the scenario's result. */
  final RecordingAuditSink recorded = new RecordingAuditSink();
  private final AuditSink display;

  /** A scene whose audit lines are printed on {@code out}, the scenario's own output. */
  Scene(PrintStream out) {
    this.display = new DemoAuditRenderer(out);
    this.clock = ManualClock.at(START);
    this.domain = TestTrustDomain.create(TRUST_DOMAIN, clock);
    this.policy = policy();
  }

  /** The examples policy, loaded from {@value #POLICY_RESOURCE}; fails loudly if it does not load. */
  static RulePolicy policy() {
    return RulePolicy.of(Policy.parse(POLICY_RESOURCE, resource(POLICY_RESOURCE)).orElseThrow());
  }

  static String resource(String name) {
    try (InputStream in = Scene.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A broker builder with the issuer, the JWT-SVID verifier, the policy, the clock and the audit set. */
  GrantBroker.Builder broker() {
    return GrantBroker.builder()
        .issuer(ISSUER)
        .identityVerifier(domain.jwtSvidVerifier(BROKER_AUDIENCE))
        .policy(policy)
        .clock(clock)
        .scheduler(clock)
        .auditSink(this::record);
  }

  /** A fresh JWT-SVID for {@code path} in the trust domain, with its owner. */
  String svid(String path, String owner) {
    return domain.jwtSvid(id(path), BROKER_AUDIENCE, TestTrustDomain.DEFAULT_JWT_SVID_TTL,
        Map.of(TestTrustDomain.OWNER_CLAIM, owner));
  }

  static String id(String path) {
    return "spiffe://" + TRUST_DOMAIN + path;
  }

  private void record(AuditEvent event) {
    recorded.record(event);
    display.record(event);
  }

  /** Every audit event so far, in order. */
  List<AuditEvent> audit() {
    return recorded.events();
  }

  /** The types of the audit events of one grant, in order. */
  List<AuditEventType> auditOf(String grantId) {
    return recorded.forGrant(grantId).stream().map(AuditEvent::type).collect(Collectors.toList());
  }
}
