package dev.jitaccess.testkit;


import dev.jitaccess.Approval;
import dev.jitaccess.Credential;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.ApprovalOutcome;
import dev.jitaccess.spi.ApprovalTicket;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityVerifier;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Deliberately broken SPI implementations wired into the contracts, for {@link
 * ContractsCatchBrokenImplementationsTest}. Kept out of classes named *Test so that neither Surefire nor
 * JUnit runs their inherited contract tests directly.
 */
final class BrokenImplementations {
  private BrokenImplementations() {}

  /** A map without quotas, atomicity or indexes worth the name. */
  static class SloppyStore implements GrantStore {
    final Map<String, GrantRecord> map = new ConcurrentHashMap<>();
    boolean applyTwice;

    @Override
    public InsertResult insert(GrantRecord record, int maxPerIdentity, int maxPerTask, boolean sharedTask) {
      return map.putIfAbsent(record.grantId(), record) == null ? InsertResult.INSERTED : InsertResult.DUPLICATE;
    }

    @Override
    public Optional<GrantRecord> find(String grantId) {
      return Optional.ofNullable(map.get(grantId));
    }

    @Override
    public Optional<GrantRecord> update(String grantId, UnaryOperator<GrantRecord> change) {
      GrantRecord old = map.get(grantId);
      if (old == null) {
        return Optional.empty();
      }
      if (applyTwice) {
        change.apply(old);
      }
      GrantRecord next = change.apply(old);
      map.put(grantId, next);
      return Optional.of(next);
    }

    @Override
    public void remove(String grantId) {}

    @Override
    public Collection<String> liveByTask(String taskId) {
      return map.values().stream().filter(r -> r.info().taskId().equals(taskId)).map(GrantRecord::grantId)
          .collect(Collectors.toList());
    }

    @Override
    public Collection<String> liveByIdentity(String identityId) {
      return map.values().stream().filter(r -> r.info().subject().equals(identityId)).map(GrantRecord::grantId)
          .collect(Collectors.toList());
    }

    @Override
    public int liveCount() {
      return map.size();
    }
  }

  static class SloppyStoreContract extends GrantStoreContract {
    final SloppyStore store = new SloppyStore();

    @Override
    protected GrantStore newStore() {
      return store;
    }
  }

  /** Ends the grants first and calls {@link GrantStore.Ending#before} only afterwards. */
  static class LateBeforeStore extends StoreThroughDefaults {
    LateBeforeStore() {
      this(ManualClock.at(JitTestKit.DEFAULT_START));
    }

    private LateBeforeStore(ManualClock clock) {
      super(GrantStore.inMemory(clock, clock, Duration.ofSeconds(30)));
    }

    @Override
    public <T> int endLive(Collection<String> grantIds, dev.jitaccess.spi.GrantState state,
        dev.jitaccess.@org.jspecify.annotations.Nullable RevocationReason reason, Ending<T> ending) {
      List<GrantRecord> ended = endLive(grantIds, state, reason);
      for (String id : grantIds) {
        ending.before(id);
      }
      ended.forEach(r -> ending.ended(r, null));
      return ended.size();
    }
  }

  static class LateBeforeStoreContract extends GrantStoreContract {
    @Override
    protected GrantStore newStore() {
      return new LateBeforeStore();
    }
  }

  abstract static class FakeVerifierContract extends IdentityVerifierContract {
    @Override
    protected Credential validCredential() {
      return Credential.jwtSvid("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw");
    }

    IdentityResult ok() {
      return IdentityResult.verified(WorkloadIdentity.builder("spiffe://example.org/x", "spiffe://example.org")
          .expiresAt(clock.instant().plus(Duration.ofHours(1))).build());
    }
  }


  static class AcceptsAll extends FakeVerifierContract {
    @Override
    protected IdentityVerifier verifier() {
      return new IdentityVerifier() {
        @Override
        public boolean supports(Credential c) {
          return true;
        }

        @Override
        public IdentityResult verify(Credential c) {
          return ok();
        }
      };
    }

    @Override
    protected List<Refused> refusedCredentials() {
      return List.of(new Refused(Credential.jwtSvid("x.y.z"), "exp"));
    }
  }


  static class Throws extends FakeVerifierContract {
    @Override
    protected IdentityVerifier verifier() {
      return new IdentityVerifier() {
        @Override
        public boolean supports(Credential c) {
          return c instanceof Credential.Token;
        }

        @Override
        public IdentityResult verify(Credential c) {
          if (!c.equals(validCredential())) {
            throw new IllegalArgumentException("bad token");
          }
          return ok();
        }
      };
    }
  }


  static class ReturnsNull extends FakeVerifierContract {
    @Override
    protected IdentityVerifier verifier() {
      return new IdentityVerifier() {
        @Override
        public boolean supports(Credential c) {
          return true;
        }

        @Override
        public IdentityResult verify(Credential c) {
          return c.equals(validCredential()) ? ok() : null;
        }
      };
    }
  }


  static class Leaky extends FakeVerifierContract {
    @Override
    protected IdentityVerifier verifier() {
      return new IdentityVerifier() {
        @Override
        public boolean supports(Credential c) {
          return c instanceof Credential.Token;
        }

        @Override
        public IdentityResult verify(Credential c) {
          if (c.equals(validCredential())) {
            return ok();
          }
          return IdentityResult.rejected(c instanceof Credential.Token ? "bad: " + ((Credential.Token) c).value() : "no");
        }
      };
    }
  }


  static class UnsupportedButVerified extends FakeVerifierContract {
    @Override
    protected IdentityVerifier verifier() {
      return new IdentityVerifier() {
        @Override
        public boolean supports(Credential c) {
          return c.equals(validCredential());
        }

        @Override
        public IdentityResult verify(Credential c) {
          return c instanceof Credential.CertificateChain ? ok() : c.equals(validCredential()) ? ok()
              : IdentityResult.rejected("no");
        }
      };
    }
  }


  static class Choking extends AuditSinkContract {
    @Override
    protected AuditSink newSink() {
      return e -> {
        if (e.fields().values().stream().anyMatch(v -> v.contains("\n"))) {
          throw new IllegalStateException("cannot write a line break");
        }
      };
    }
  }


  static class NotThreadSafe extends AuditSinkContract {
    final java.util.List<Object> list = new java.util.ArrayList<>();

    @Override
    protected AuditSink newSink() {
      return list::add;
    }

    @Override
    protected void verifyRecorded(AuditSink sink, List<dev.jitaccess.spi.AuditEvent> events, boolean inOrder) {
      org.junit.jupiter.api.Assertions.assertEquals(events.size(), list.size());
    }
  }

  /** Approves on the first approval of anyone, ignoring requirement, group, requester and deadline. */
  static class RubberStamp implements ApprovalHandler {
    final Map<String, CompletableFuture<ApprovalOutcome>> pending = new ConcurrentHashMap<>();
    final ManualClock clock;

    RubberStamp(ManualClock clock) {
      this.clock = clock;
    }

    @Override
    public CompletionStage<ApprovalOutcome> requestApproval(ApprovalTicket ticket) {
      return pending.computeIfAbsent(ticket.approvalId(), k -> new CompletableFuture<>());
    }

    void approve(String id, String approver) {
      pending.get(id).complete(new ApprovalOutcome.Approved(List.of(new Approval(approver, clock.instant(), ""))));
    }
  }

  static class RubberStampContract extends ApprovalHandlerContract<RubberStamp> {
    @Override
    protected RubberStamp newHandler() {
      return new RubberStamp(clock);
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
    protected void approve(RubberStamp h, ApprovalTicket t, String approver) {
      h.approve(t.approvalId(), approver);
    }

    @Override
    protected void reject(RubberStamp h, ApprovalTicket t, String approver) {
      h.pending.get(t.approvalId()).complete(new ApprovalOutcome.Rejected(approver, "no"));
    }
  }

}
