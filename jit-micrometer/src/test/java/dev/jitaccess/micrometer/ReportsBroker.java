package dev.jitaccess.micrometer;

import dev.jitaccess.Credential;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.policy.Policy;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.TestTrustDomain;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * The one world the Micrometer tests meter: a CI workload of {@code prod.example.org} that may read the
 * reports resource for at most ten minutes (one level of delegation; the policy is
 * {@code reports-policy.yaml} beside this class), a manual clock and the trust domain
 * minting its SVIDs. Each test adds its own listener, observer or audit sink to {@link #broker()}.
 */
final class ReportsBroker {
  /** The resource the policy lets the CI workload read. */
  static final String RESOURCE = "https://reports.prod.example.org";
  /** The SPIFFE id of the CI workload. */
  static final String CI = "spiffe://prod.example.org/ci/build";
  private static final String POLICY = readPolicy();

  /** The clock of the broker, its trust domain and its meters. */
  final ManualClock clock = ManualClock.at("2030-01-15T09:00:00Z");
  /** The trust domain that mints the CI workload's SVIDs. */
  final TestTrustDomain spire = TestTrustDomain.create("prod.example.org", clock);

  /** A broker builder with issuer, JWT-SVID verifier (audience "jit-broker"), policy, clock and scheduler set. */
  GrantBroker.Builder broker() {
    return GrantBroker.builder()
        .issuer("https://jit.example.org")
        .identityVerifier(spire.jwtSvidVerifier("jit-broker"))
        .policy(RulePolicy.of(Policy.parse("policy.yaml", POLICY).orElseThrow()))
        .clock(clock)
        .scheduler(clock);
  }

  private static String readPolicy() {
    try (InputStream in = ReportsBroker.class.getResourceAsStream("reports-policy.yaml")) {
      return new String(Objects.requireNonNull(in, "reports-policy.yaml").readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A five-minute read of {@code resource} by the CI workload with an SVID minted for {@code audience}. */
  GrantRequest.Builder request(String task, String resource, String audience) {
    return GrantRequest.builder()
        .credential(Credential.jwtSvid(spire.jwtSvid(CI, audience)))
        .taskId(task).purpose("report").environment("prod")
        .resource(resource).actions("read").ttl(Duration.ofMinutes(5));
  }
}
