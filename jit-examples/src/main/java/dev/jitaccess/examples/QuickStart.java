package dev.jitaccess.examples;

import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.Verification;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spiffe.BundleSource;
import dev.jitaccess.spiffe.JwtSvidVerifier;
import dev.jitaccess.testkit.TestTrustDomain;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;

/**
 * The README's quick start: a broker with a real {@link JwtSvidVerifier} over a trust bundle and a
 * {@link RulePolicy} from YAML; a CI job presents its JWT-SVID, gets a grant for one task, uses it and
 * closes it. The region between the {@code README:quickstart} markers is copied into README.md verbatim
 * (a test checks it). Runs on the system clock, as a real deployment does.
 */
public final class QuickStart {
  private QuickStart() {}

  /**
   * The quick start.
   *
   * @param out where to print
   * @param bundles the trust bundles: in production {@code BundleSource.fromFile(...)} over the bundle
   *     SPIRE writes, or a {@code RefreshingBundleSource}
   * @param jwtSvid the CI job's JWT-SVID for audience {@code jit-broker}, from the SPIFFE Workload API
   */
  public static void run(PrintStream out, BundleSource bundles, String jwtSvid) {
    // README:quickstart:start
    RulePolicy policy = RulePolicy.parse("policy.yaml", """
        version: 1
        maxTtl: 1h
        rules:
          - id: ci-reads-reports
            owner: platform-team
            effect: allow
            match:
              identity: {id: "spiffe://prod.example.org/ci/*"}
              actions: [read]
            grant: {maxTtl: 10m}
        """); // a bad document throws here, listing every error with file:line:column

    try (GrantBroker broker = GrantBroker.builder()
        .issuer("https://jit.example.org")
        .identityVerifier(JwtSvidVerifier.builder().bundleSource(bundles).audiences("jit-broker").build())
        .policy(policy)
        .build()) {
      GrantRequest request = GrantRequest.builder()
          .credential(Credential.jwtSvid(jwtSvid))     // the workload proves what it is
          .taskId("build-1234").purpose("report").environment("prod")
          .resource("https://reports.prod.example.org").actions("read")
          .ttl(Duration.ofMinutes(5))
          .build();
      try (Grant grant = broker.request(request)) {    // close() revokes it
        // send grant.token() as "Authorization: Bearer ..."; the resource server checks it:
        Verification v = broker.verifier().verify(grant.token(), "https://reports.prod.example.org");
        out.println(grant + " verified: " + v.isVerified());
      }
    }
    // README:quickstart:end
  }

  /** Runs the quick start with a throwaway trust domain standing in for SPIRE. */
  public static void main(String[] args) {
    TestTrustDomain spire = TestTrustDomain.create("prod.example.org", Clock.systemUTC());
    run(System.out, spire.bundleSource(), spire.jwtSvid("spiffe://prod.example.org/ci/build", "jit-broker"));
  }
}
