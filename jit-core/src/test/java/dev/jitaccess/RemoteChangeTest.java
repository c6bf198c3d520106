package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.Fixtures.RecordingListener;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker's reaction to the change feed ({@link GrantStore.Change}: a grant id and its new state, no
 * record): an end made elsewhere is reported to the issuing broker's listeners exactly once, from the facts
 * the broker kept, its timers are dropped and its verifier refuses it; nothing is audited (the replica
 * that ended it did). The store here is the in-memory one, with the feed's listener captured so the test
 * plays the other replica.
 */
class RemoteChangeTest {
  private final ManualClock clock = ManualClock.at("2026-12-04T20:00:00Z");
  private final RecordingAudit audit = new RecordingAudit();
  private final RecordingListener listener = new RecordingListener();
  private final GrantStore inner = GrantStore.inMemory(clock, clock, Duration.ofMinutes(5));
  private final AtomicReference<GrantStore.ChangeListener> feed = new AtomicReference<>();
  private final GrantBroker broker = Fixtures.minimalBroker(audit).clock(clock).scheduler(clock).listener(listener)
      .store(capturing(inner, feed)).build();

  /** {@code inner}, except that {@link GrantStore#subscribe} keeps the listener in {@code feed}. */
  private static GrantStore capturing(GrantStore inner, AtomicReference<GrantStore.ChangeListener> feed) {
    return (GrantStore) Proxy.newProxyInstance(GrantStore.class.getClassLoader(), new Class<?>[] {GrantStore.class},
        (proxy, m, args) -> {
          if (m.getName().equals("subscribe")) {
            feed.set((GrantStore.ChangeListener) args[0]);
            return (GrantStore.Subscription) () -> {};
          }
          try {
            return m.invoke(inner, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @AfterEach
  void close() {
    broker.close();
  }

  /** Ends the grant in the store as another replica would, and delivers the change twice (at least once). */
  private void endElsewhere(String grantId, GrantState state, RevocationReason reason) {
    inner.update(grantId, r -> r.withState(state, reason));
    GrantStore.Change change = new GrantStore.Change(grantId, state, reason);
    feed.get().onChange(change);
    feed.get().onChange(change);
  }

  @Test
  void aRevocationElsewhereIsReportedOnceWithoutAuditAndRefusedByTheVerifier() {
    Grant g = broker.request(Fixtures.request());
    assertThat(broker.verifier().verify(g.token(), "postgres://orders")).isInstanceOf(Verification.Verified.class);
    endElsewhere(g.id(), GrantState.REVOKED, RevocationReason.TASK);
    assertThat(listener.calls).containsOnlyOnce("revoked-TASK:" + g.id());
    assertThat(audit.types()).doesNotContain(AuditEventType.REVOKED);
    assertThat(broker.verifier().verify(g.token(), "postgres://orders")).isInstanceOf(Verification.Rejected.class);
    assertThat(((DefaultGrantBroker) broker).pendingTimerEntries()).isZero();
    clock.advance(Duration.ofMinutes(10)); // the expiry timer was dropped: no late onExpired
    assertThat(listener.calls).noneMatch(c -> c.startsWith("expired:"));
  }

  @Test
  void anExpiryElsewhereIsReportedAsExpired() {
    Grant g = broker.request(Fixtures.request());
    inner.update(g.id(), r -> r.withState(GrantState.EXPIRED, null));
    feed.get().onChange(new GrantStore.Change(g.id(), GrantState.EXPIRED, null));
    assertThat(listener.calls).containsOnlyOnce("expired:" + g.id());
    assertThat(listener.calls).noneMatch(c -> c.startsWith("revoked"));
  }

  /** Regression guard: a change that leaves the grant LIVE (a heartbeat elsewhere) ends nothing here. */
  @Test
  void aChangeThatLeavesTheGrantLiveEndsNothing() {
    Grant g = broker.request(Fixtures.request());
    feed.get().onChange(new GrantStore.Change(g.id(), GrantState.LIVE, null));
    assertThat(listener.calls).noneMatch(c -> c.startsWith("revoked") || c.startsWith("expired"));
    assertThat(broker.verifier().verify(g.token(), "postgres://orders")).isInstanceOf(Verification.Verified.class);
  }

  /** A change of a grant this broker never issued (another replica's) is ignored, without a store read. */
  @Test
  void aChangeOfAGrantIssuedElsewhereIsIgnored() {
    feed.get().onChange(new GrantStore.Change("issued-elsewhere", GrantState.REVOKED, RevocationReason.TASK));
    assertThat(listener.calls).isEmpty();
    assertThat(audit.types()).doesNotContain(AuditEventType.REVOKED);
  }
}
