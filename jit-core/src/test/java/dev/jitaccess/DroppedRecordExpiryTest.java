package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Fixtures.FakeIdentities;
import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.Fixtures.RecordingListener;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantStore;
import java.time.Duration;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A grant whose store record disappears between the expiry timer's look-up and its update (the store
 * dropped it: its retention ran out while the timer was late) is still reported exactly once. The
 * 8-thread stress test lost such a grant about every other run at 40,000 operations before the fix.
 */
class DroppedRecordExpiryTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final RecordingAudit audit = new RecordingAudit();
  final RecordingListener listener = new RecordingListener();
  final AtomicBoolean dropOnNextUpdate = new AtomicBoolean();
  final GrantStore store = dropping(GrantStore.inMemory(clock, clock, Duration.ofSeconds(30)), dropOnNextUpdate);

  /**
   * {@code delegate} as a store whose next {@code update} finds the record gone (and drops it) when
   * {@code drop} is set. A proxy rather than a hand-written forwarding class: the abstract methods go to
   * the delegate, the interface's default methods run on the proxy itself, as a class that overrides only
   * the abstract methods would.
   */
  static GrantStore dropping(GrantStore delegate, AtomicBoolean drop) {
    InvocationHandler handler = (proxy, method, args) -> {
      if (method.isDefault()) {
        return InvocationHandler.invokeDefault(proxy, method, args);
      }
      if (method.getName().equals("update") && drop.compareAndSet(true, false)) {
        delegate.remove((String) args[0]);
        return Optional.empty();
      }
      try {
        return method.invoke(delegate, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return (GrantStore) Proxy.newProxyInstance(GrantStore.class.getClassLoader(), new Class<?>[] {GrantStore.class}, handler);
  }

  @Test
  void aRecordDroppedUnderTheExpiryTimerIsReportedOnce() {
    try (GrantBroker broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(10))).clock(clock).scheduler(clock).store(store)
        .auditSink(audit).listener(listener).build()) {
      Grant g = broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5)).build());
      Instant expiry = g.info().expiresAt();
      clock.advanceTo(expiry.minusSeconds(1));
      dropOnNextUpdate.set(true); // the timer's update finds the record gone
      clock.advanceTo(expiry);
      assertThat(listener.calls).containsExactly("issued:" + g.id(), "expiring:" + g.id(), "expired:" + g.id());
      assertThat(audit.of(AuditEventType.EXPIRED)).singleElement()
          .satisfies(e -> assertThat(e.field("reason").orElseThrow()).contains("reported late"));
      // nothing is reported again, and the grant is not live
      assertThat(broker.revoke(g.id())).isFalse();
      clock.advance(Duration.ofHours(1));
      assertThat(listener.calls).hasSize(3);
      assertThat(g.isLive()).isFalse();
    }
  }
}
