package dev.jitaccess;

import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityVerifier;
import dev.jitaccess.spi.PolicyEvaluator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Test doubles shared by the broker tests. */
final class Fixtures {
  static final String ISSUER = "https://jit.example.org";
  static final String DEPLOYER = "spiffe://example.org/ci/deploy";

  private Fixtures() {}

  /**
   * An identity verifier for tests: a token "id:<spiffe id>" verifies as that id (expiring at
   * {@link #credentialExpiry}); anything else is rejected.
   */
  static class FakeIdentities implements IdentityVerifier {
    volatile Instant credentialExpiry = Instant.parse("2030-01-01T00:00:00Z");
    volatile RuntimeException failure;

    @Override
    public boolean supports(Credential credential) {
      return credential instanceof Credential.Token;
    }

    @Override
    public IdentityResult verify(Credential credential) {
      if (failure != null) {
        throw failure;
      }
      String v = ((Credential.Token) credential).value();
      if (!v.startsWith("id:spiffe://")) {
        return IdentityResult.rejected("not a test identity");
      }
      String id = v.substring(3);
      return IdentityResult.verified(
          WorkloadIdentity.builder(id, "spiffe://example.org")
              .kind("jwt-svid")
              .owner("team-payments")
              .expiresAt(credentialExpiry)
              .build());
    }
  }

  static PolicyEvaluator allowAll(Duration maxTtl) {
    return ctx -> new Decision.Allow(GrantTerms.of(ctx.request().actions(), maxTtl), List.of("allow-all"), List.of("test"), "v1");
  }

  /** A broker builder with the issuer, fake identities, an allow-all policy (10 minutes) and {@code audit} set. */
  static GrantBroker.Builder minimalBroker(AuditSink audit) {
    return GrantBroker.builder().issuer(ISSUER).identityVerifier(new FakeIdentities())
        .policy(allowAll(Duration.ofMinutes(10))).auditSink(audit);
  }

  /** A request builder with everything but the task id and the TTL. */
  static GrantRequest.Builder request(String identity) {
    return GrantRequest.builder()
        .credential(Credential.jwtSvid("id:" + identity))
        .purpose("deploy")
        .resource("postgres://orders")
        .actions("read", "write")
        .environment("prod");
  }

  static GrantRequest request() {
    return request(DEPLOYER).taskId("deploy-42").ttl(Duration.ofMinutes(5)).build();
  }

  /** Records audit events. */
  static final class RecordingAudit implements AuditSink {
    final List<AuditEvent> events = new CopyOnWriteArrayList<>();
    volatile RuntimeException failure;
    volatile AuditEventType failOn;

    @Override
    public void record(AuditEvent event) {
      if (failure != null && (failOn == null || failOn == event.type())) {
        throw failure;
      }
      events.add(event);
    }

    List<AuditEventType> types() {
      return events.stream().map(AuditEvent::type).collect(Collectors.toList());
    }

    List<AuditEvent> of(AuditEventType type) {
      return events.stream().filter(e -> e.type() == type).collect(Collectors.toList());
    }
  }

  /** Records listener calls as "event:grantId". */
  static final class RecordingListener implements GrantListener {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onIssued(GrantInfo grant) {
      calls.add("issued:" + grant.grantId());
    }

    @Override
    public void onExpiring(GrantInfo grant) {
      calls.add("expiring:" + grant.grantId());
    }

    @Override
    public void onExpired(GrantInfo grant) {
      calls.add("expired:" + grant.grantId());
    }

    @Override
    public void onRevoked(GrantInfo grant, RevocationReason reason) {
      calls.add("revoked-" + reason + ":" + grant.grantId());
    }

    @Override
    public void onRenewed(GrantInfo grant) {
      calls.add("renewed:" + grant.grantId());
    }

    @Override
    public void onBreakGlass(GrantInfo grant) {
      calls.add("break-glass:" + grant.grantId());
    }

    @Override
    public void onDenied(GrantRequest request, Decision decision) {
      calls.add("denied:" + request.taskId());
    }

    long count(String prefix) {
      synchronized (calls) {
        return calls.stream().filter(c -> c.startsWith(prefix)).count();
      }
    }
  }

  static Set<String> set(String... s) {
    return Set.of(s);
  }
}
