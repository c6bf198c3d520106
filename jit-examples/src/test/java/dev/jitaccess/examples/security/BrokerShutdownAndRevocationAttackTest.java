package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.DenialCategory;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantStore;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for two "also seen" findings of issue 14: the revocation watermark of
 * {@code revokeIdentity()} and {@code close()} with issuance in flight. Public API only.
 */
class BrokerShutdownAndRevocationAttackTest {
  private static final AtomicInteger TASKS = new AtomicInteger();

  @AfterAll
  static void stop() {
    Attacks.report();
  }

  static String task() {
    return "sra-" + TASKS.incrementAndGet();
  }

  static String svid(Target t, long iat) {
    return Jws.token(t.svidHeader(),
        Jws.json("sub", Target.WORKLOAD, "aud", Target.AUDIENCE, "exp", t.now() + 300, "iat", iat),
        Jws.es256(t.ec.getPrivate()));
  }

  static String svidWithoutIat(Target t) {
    return Jws.token(t.svidHeader(), Jws.json("sub", Target.WORKLOAD, "aud", Target.AUDIENCE, "exp", t.now() + 300),
        Jws.es256(t.ec.getPrivate()));
  }

  // ------------------------------------------------------------------ revokeIdentity watermark

  @Test
  void revocationWatermarkRefusesTheSameStillValidCredential() {
    try (Target t = new Target()) {
      String stolen = svid(t, t.now());
      Grant first = t.broker.request(t.request(Credential.jwtSvid(stolen), task()).build());
      assertThat(t.broker.revokeIdentity(Target.WORKLOAD)).isEqualTo(1);
      assertThat(first.isLive()).isFalse();
      t.clock.advance(Duration.ofSeconds(30));
      Target.Issued before = t.issued();
      // the credential still verifies (it expires in 270 s) but was issued before the revocation
      assertThatThrownBy(() -> t.broker.request(t.request(Credential.jwtSvid(stolen), task()).build()))
          .isInstanceOf(AccessDeniedException.class)
          .hasMessageContaining("revoked")
          .satisfies(e -> assertThat(((AccessDeniedException) e).category()).isEqualTo(DenialCategory.IDENTITY));
      t.assertNothingIssuedSince(before);
      Attacks.tried("broker.request");
      // a credential issued after the revocation passes: the workload got a fresh SVID
      assertThat(t.broker.request(t.request(Credential.jwtSvid(svid(t, t.now())), task()).build()).isLive()).isTrue();
    }
  }

  @Test
  void revocationWatermarkRefusesCredentialsOfUnknownIssueTime() {
    try (Target t = new Target()) {
      t.broker.revokeIdentity(Target.WORKLOAD);
      t.clock.advance(Duration.ofSeconds(5));
      Target.Issued before = t.issued();
      assertThatThrownBy(() -> t.broker.request(t.request(Credential.jwtSvid(svidWithoutIat(t)), task()).build()))
          .isInstanceOf(AccessDeniedException.class).hasMessageContaining("unknown time");
      t.assertNothingIssuedSince(before);
      Attacks.tried("broker.request");
    }
  }

  @Test
  void revocationWatermarkLastsTheConfiguredWindowOnly() {
    try (Target t = new Target(b -> b.identityRevocationWindow(Duration.ofMinutes(1)))) {
      String old = svid(t, t.now());
      t.broker.revokeIdentity(Target.WORKLOAD);
      t.clock.advance(Duration.ofSeconds(59));
      assertThatThrownBy(() -> t.broker.request(t.request(Credential.jwtSvid(old), task()).build()))
          .isInstanceOf(AccessDeniedException.class);
      Attacks.tried("broker.request");
      t.clock.advance(Duration.ofSeconds(1));
      assertThat(t.broker.request(t.request(Credential.jwtSvid(old), task()).build()).isLive()).isTrue();
    }
  }

  @Test
  void revocationWatermarkAppliesToDelegates() {
    try (Target t = new Target()) {
      Grant parent = t.broker.request(t.request(Credential.jwtSvid(t.svid()), task(), "agent").actions("read").build());
      String tool = "spiffe://example.org/tools/lookup";
      Credential toolSvid = Credential.jwtSvid(t.svid(tool));
      t.broker.revokeIdentity(tool);
      Target.Issued before = t.issued();
      assertThatThrownBy(() -> t.broker.delegate(dev.jitaccess.DelegationRequest.builder(parent)
          .credential(toolSvid).actions("read").ttl(Duration.ofMinutes(1)).build()))
          .isInstanceOf(AccessDeniedException.class).hasMessageContaining("revoked");
      t.assertNothingIssuedSince(before);
      Attacks.tried("broker.delegate");
    }
  }

  @Test
  void identityRevocationWindowOutOfRangeIsRefused() {
    assertThatThrownBy(() -> GrantBroker.builder().identityRevocationWindow(Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.01S");
    assertThatThrownBy(() -> GrantBroker.builder().identityRevocationWindow(Duration.ofDays(31)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT744H");
    assertThatThrownBy(() -> GrantBroker.builder().identityRevocationWindow(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("window");
  }

  // ------------------------------------------------------------------ close() with issuance in flight

  /** A store whose insert waits on a latch, and whose change-feed subscription reports close(). */
  static final class LatchedStore implements GrantStore {
    final GrantStore inner;
    final CountDownLatch inInsert = new CountDownLatch(1);
    final CountDownLatch releaseInsert = new CountDownLatch(1);
    final CountDownLatch closing = new CountDownLatch(1);

    LatchedStore(GrantStore inner) {
      this.inner = inner;
    }

    @Override
    public InsertResult insert(GrantRecord record, int maxPerIdentity, int maxPerTask, boolean sharedTask) {
      inInsert.countDown();
      try {
        if (!releaseInsert.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never released the insert");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return inner.insert(record, maxPerIdentity, maxPerTask, sharedTask);
    }

    @Override
    public Optional<GrantRecord> find(String grantId) {
      return inner.find(grantId);
    }

    @Override
    public Optional<GrantRecord> update(String grantId, UnaryOperator<GrantRecord> change) {
      return inner.update(grantId, change);
    }

    @Override
    public void remove(String grantId) {
      inner.remove(grantId);
    }

    @Override
    public Collection<String> liveByTask(String taskId) {
      return inner.liveByTask(taskId);
    }

    @Override
    public Collection<String> liveByIdentity(String identityId) {
      return inner.liveByIdentity(identityId);
    }

    @Override
    public int liveCount() {
      return inner.liveCount();
    }

    @Override
    public Subscription subscribe(ChangeListener listener) {
      // close() closes the change feed once it has marked the broker closed
      return closing::countDown;
    }
  }

  @Test
  void closeRefusesIssuanceInFlightAndWaitsForIt() throws Exception {
    LatchedStore[] holder = new LatchedStore[1];
    Target t = new Target(b -> {}, inner -> holder[0] = new LatchedStore(inner));
    LatchedStore store = holder[0];
    CompletableFuture<Grant> inFlight = CompletableFuture.supplyAsync(
        () -> t.broker.request(t.request(Credential.jwtSvid(t.svid()), task()).build()));
    assertThat(store.inInsert.await(30, TimeUnit.SECONDS)).isTrue();
    // once close() has begun (it closes the change feed), let the insert finish
    CompletableFuture<Void> releaser = CompletableFuture.runAsync(() -> {
      try {
        if (store.closing.await(30, TimeUnit.SECONDS)) {
          store.releaseInsert.countDown();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.close();
    // close() returned only after the request in flight was refused and its refusal audited
    assertThat(t.audit.events(AuditEventType.DENIED)).as("close waited for the request in flight").hasSize(1);
    releaser.get(30, TimeUnit.SECONDS);
    assertThatThrownBy(inFlight::join).hasCauseInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("closed");
    assertThat(t.audit.events(AuditEventType.ISSUED)).as("nothing handed out after close began").isEmpty();
    assertThat(store.liveCount()).as("the aborted grant left no live record").isZero();
    assertThatThrownBy(() -> t.broker.request(t.request(Credential.jwtSvid(t.svid()), task()).build()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    Attacks.tried("broker.close");
  }
}
