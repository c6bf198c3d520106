package dev.jitaccess.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.AuditTrail;
import dev.jitaccess.Credential;
import dev.jitaccess.oidc.OidcIdentityVerifier;
import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.ApprovalTicket;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.IdentityVerifier;
import dev.jitaccess.spi.KeyDirectory;
import dev.jitaccess.spi.InMemoryApprovalHandler;
import dev.jitaccess.spiffe.JwtSvidVerifier;
import dev.jitaccess.spiffe.X509SvidVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The built-in implementations pass the contracts shipped to plug-in authors. */
class BuiltInContractsTest {
  static final String ID = "spiffe://example.org/ci/deploy";

  @Nested
  class InMemoryGrantStore extends GrantStoreContract {
    @Override
    protected GrantStore newStore() {
      return GrantStore.inMemory(clock, clock, Duration.ofSeconds(30));
    }
  }

  /** GrantStore's default methods, over the in-memory store's abstract ones. */
  @Nested
  class GrantStoreDefaults extends GrantStoreContract {
    @Override
    protected GrantStore newStore() {
      return new StoreThroughDefaults(GrantStore.inMemory(clock, clock, Duration.ofSeconds(30)));
    }
  }

  @Nested
  class InMemoryKeyDirectory extends KeyDirectoryContract {
    @Override
    protected KeyDirectory newDirectory() {
      return KeyDirectory.inMemory();
    }

    @Override
    protected boolean announcesChanges() {
      return true;
    }
  }

  /** Credentials are minted an hour before the verifier's clock, so some can be expired already. */
  @Nested
  class JwtSvid extends IdentityVerifierContract {
    final ManualClock minting = ManualClock.at(JitTestKit.DEFAULT_START.minus(Duration.ofHours(1)));
    final TestTrustDomain td = TestTrustDomain.create("example.org", minting);

    @Override
    protected IdentityVerifier verifier() {
      return JwtSvidVerifier.builder().bundleSource(td.bundleSource()).audiences("jit-broker").clock(clock).build();
    }

    @Override
    protected Credential validCredential() {
      return Credential.jwtSvid(td.jwtSvid(ID, "jit-broker", Duration.ofHours(2)));
    }

    @Override
    protected List<Refused> refusedCredentials() {
      TestTrustDomain impostor = TestTrustDomain.create("example.org", minting);
      return List.of(
          new Refused(Credential.jwtSvid(td.jwtSvid(ID, "jit-broker", Duration.ofMinutes(5))), "exp"),
          new Refused(Credential.jwtSvid(td.jwtSvid(ID, "other-audience", Duration.ofHours(2))), "aud"),
          new Refused(Credential.jwtSvid(impostor.jwtSvid(ID, "jit-broker", Duration.ofHours(2))), ""),
          new Refused(td.x509Svid(ID, Duration.ofHours(2)).credential(), ""));
    }
  }

  @Nested
  class X509Svid extends IdentityVerifierContract {
    final ManualClock minting = ManualClock.at(JitTestKit.DEFAULT_START.minus(Duration.ofHours(1)));
    final TestTrustDomain td = TestTrustDomain.create("example.org", minting);

    @Override
    protected IdentityVerifier verifier() {
      return X509SvidVerifier.builder().bundleSource(td.bundleSource()).clock(clock).build();
    }

    @Override
    protected Credential validCredential() {
      return td.x509Svid(ID, Duration.ofHours(2)).credential();
    }

    @Override
    protected List<Refused> refusedCredentials() {
      TestTrustDomain other = TestTrustDomain.create("other.org", minting);
      TestTrustDomain impostor = TestTrustDomain.create("example.org", minting);
      return List.of(
          new Refused(td.x509Svid(ID, Duration.ofMinutes(30)).credential(), ""),
          new Refused(other.x509Svid("spiffe://other.org/ci", Duration.ofHours(2)).credential(), "other.org"),
          new Refused(impostor.x509Svid(ID, Duration.ofHours(2)).credential(), ""),
          new Refused(Credential.x509Svid(List.of(td.x509Svid(ID, Duration.ofHours(2)).leaf())), ""),
          new Refused(Credential.jwtSvid(td.jwtSvid(ID, "jit-broker", Duration.ofHours(2))), ""));
    }
  }

  @Nested
  class Oidc extends IdentityVerifierContract {
    final ManualClock minting = ManualClock.at(JitTestKit.DEFAULT_START.minus(Duration.ofHours(1)));
    final TestOidcIssuer issuer = TestOidcIssuer.create("https://oidc.test", minting);

    @Override
    protected IdentityVerifier verifier() {
      return OidcIdentityVerifier.builder().issuer(issuer.issuer()).jwks(issuer.jwks()).audience("jit-broker")
          .clock(clock).requireClaim("repository", "octo-org/app").build();
    }

    @Override
    protected Credential validCredential() {
      return Credential.oidcToken(issuer.token("repo:octo-org/app:ref:refs/heads/main", "jit-broker",
          Duration.ofHours(2), java.util.Map.of("repository", "octo-org/app")));
    }

    @Override
    protected List<Refused> refusedCredentials() {
      TestOidcIssuer evil = TestOidcIssuer.create("https://evil.test", minting);
      TestOidcIssuer forger = TestOidcIssuer.create("https://oidc.test", minting);
      return List.of(
          new Refused(Credential.oidcToken(issuer.githubActionsToken("jit-broker", "octo-org/app", "refs/heads/main")),
              "exp"),
          new Refused(Credential.oidcToken(issuer.token("s", "jit-broker", Duration.ofHours(2),
              java.util.Map.of("repository", "octo-org/other"))), "repository"),
          new Refused(Credential.oidcToken(evil.token("s", "jit-broker", Duration.ofHours(2),
              java.util.Map.of("repository", "octo-org/app"))), "iss"),
          new Refused(Credential.oidcToken(forger.token("s", "jit-broker", Duration.ofHours(2),
              java.util.Map.of("repository", "octo-org/app"))), ""),
          new Refused(Credential.oidcToken(issuer.token("s", "another-audience", Duration.ofHours(2),
              java.util.Map.of("repository", "octo-org/app"))), "aud"));
    }
  }

  @Nested
  class Slf4jSink extends AuditSinkContract {
    @Override
    protected AuditSink newSink() {
      return AuditSink.slf4j();
    }
  }

  @Nested
  class JsonLinesSink extends AuditSinkContract {
    @TempDir
    Path dir;

    @Override
    protected AuditSink newSink() {
      return AuditSink.jsonLines(dir.resolve("audit.jsonl"));
    }

    @Override
    protected void verifyRecorded(AuditSink sink, List<AuditEvent> events, boolean inOrder) {
      AuditTrail.Check check = AuditTrail.verify(dir.resolve("audit.jsonl"));
      assertThat(check.intact()).as(check.problem()).isTrue();
      assertThat(check.records()).isEqualTo(events.size());
    }
  }

  @Nested
  class RecordingSink extends AuditSinkContract {
    @Override
    protected AuditSink newSink() {
      return new RecordingAuditSink();
    }

    @Override
    protected void verifyRecorded(AuditSink sink, List<AuditEvent> events, boolean inOrder) {
      List<AuditEvent> kept = ((RecordingAuditSink) sink).events();
      if (inOrder) {
        assertThat(kept).containsExactlyElementsOf(events);
      } else {
        assertThat(kept).containsExactlyInAnyOrderElementsOf(events);
      }
    }
  }

  @Nested
  class InMemoryApprovals extends ApprovalHandlerContract<InMemoryApprovalHandler> {
    @Override
    protected InMemoryApprovalHandler newHandler() {
      return ApprovalHandler.inMemory(clock).group("release", "alice", "bob", "carol").build();
    }

    @Override
    protected String approverGroup() {
      return "release";
    }

    @Override
    protected List<String> approvers() {
      return List.of("alice", "bob", "carol");
    }

    @Override
    protected void approve(InMemoryApprovalHandler handler, ApprovalTicket ticket, String approver) {
      handler.approve(ticket.approvalId(), approver, "ok");
    }

    @Override
    protected void reject(InMemoryApprovalHandler handler, ApprovalTicket ticket, String approver) {
      handler.reject(ticket.approvalId(), approver, "no");
    }
  }
}
