package dev.jitaccess.examples;

import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.Verification;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.TestTrustDomain;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's "a grant's life": a grant requested in try-with-resources verifies while the task runs and
 * is refused once it is closed; a second grant expires on a manual clock, and the expiry callbacks fire
 * when the clock passes their instants. The region between the {@code README:lifecycle} markers is copied
 * into README.md verbatim (a test checks it).
 */
public final class Lifecycle {
  private static final String RESOURCE = "https://reports.prod.example.org";

  private Lifecycle() {}

  /**
   * What happened.
   *
   * @param whileOpen the first token verified inside the try block
   * @param afterClose the first token verified after the block
   * @param afterExpiry the second token verified after the clock passed its expiry
   * @param callbacks the lifecycle callbacks of the second grant, in order
   */
  public record Result(Verification whileOpen, Verification afterClose, Verification afterExpiry,
      List<String> callbacks) {
    /** Copies the list. */
    public Result {
      callbacks = List.copyOf(callbacks);
    }
  }

  /** Runs the example, printing to {@code out}. */
  public static Result run(PrintStream out) {
    RulePolicy policy = Scene.policy();
    List<String> callbacks = new ArrayList<>();
    // README:lifecycle:start
    ManualClock clock = ManualClock.at("2030-01-15T09:00:00Z");   // a Clock that is also the Scheduler
    TestTrustDomain spire = TestTrustDomain.create("prod.example.org", clock);
    GrantBroker broker = GrantBroker.builder()
        .issuer("https://jit.example.org")
        .identityVerifier(spire.jwtSvidVerifier("jit-broker"))
        .policy(policy)
        .clock(clock)
        .scheduler(clock)                        // expiry callbacks fire when the clock passes them
        .build();
    GrantVerifier verifier = broker.verifier();  // shares the broker's store: revocation is immediate

    String token;
    Verification whileOpen;
    try (Grant grant = broker.request(request(spire, "invoice-run-1"))) {
      token = grant.token();
      whileOpen = verifier.verify(token, RESOURCE);          // Verified
    }                                                        // close(): revoked, reason COMPLETED
    Verification afterClose = verifier.verify(token, RESOURCE);  // Rejected: REVOKED

    Grant grant = broker.request(GrantRequest.builder()
        .credential(Credential.jwtSvid(spire.jwtSvid("spiffe://prod.example.org/services/billing", "jit-broker")))
        .taskId("invoice-run-2").purpose("invoicing").environment("prod")
        .resource(RESOURCE).actions("read").ttl(Duration.ofMinutes(10))
        .listener(new GrantListener() {
          @Override
          public void onExpiring(GrantInfo g) {                 // at 80% of the TTL: time to finish up
            callbacks.add("expiring at " + clock.instant());
          }

          @Override
          public void onExpired(GrantInfo g) {
            callbacks.add("expired at " + clock.instant());
          }
        })
        .build());
    clock.advance(Duration.ofMinutes(10));                   // fires onExpiring (09:08), then onExpired (09:10)
    Verification afterExpiry = verifier.verify(grant.token(), RESOURCE);  // Rejected: EXPIRED
    // README:lifecycle:end
    broker.close();
    out.println("while open:   " + whileOpen);
    out.println("after close:  " + afterClose);
    out.println("callbacks:    " + callbacks);
    out.println("after expiry: " + afterExpiry);
    return new Result(whileOpen, afterClose, afterExpiry, callbacks);
  }

  private static GrantRequest request(TestTrustDomain spire, String taskId) {
    return GrantRequest.builder()
        .credential(Credential.jwtSvid(spire.jwtSvid("spiffe://prod.example.org/services/billing", "jit-broker")))
        .taskId(taskId)
        .purpose("invoicing")
        .environment("prod")
        .resource(RESOURCE)
        .actions("read")
        .ttl(Duration.ofMinutes(10))
        .build();
  }

  /** Runs the example on standard output. */
  public static void main(String[] args) {
    run(System.out);
  }
}
