package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Fixtures.FakeIdentities;
import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.Fixtures.RecordingListener;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.function.UnaryOperator;
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
  final DroppingStore store = new DroppingStore(GrantStore.inMemory(clock, clock, Duration.ofSeconds(30)));

  /** Delegates, except that one update can be made to find the record gone (and drop it). */
  static final class DroppingStore implements GrantStore {
    final GrantStore delegate;
    volatile boolean dropOnNextUpdate;

    DroppingStore(GrantStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public InsertResult insert(GrantRecord record, int maxPerIdentity, int maxPerTask, boolean sharedTask) {
      return delegate.insert(record, maxPerIdentity, maxPerTask, sharedTask);
    }

    @Override
    public Optional<GrantRecord> find(String grantId) {
      return delegate.find(grantId);
    }

    @Override
    public Optional<GrantRecord> update(String grantId, UnaryOperator<GrantRecord> change) {
      if (dropOnNextUpdate) {
        dropOnNextUpdate = false;
        delegate.remove(grantId);
        return Optional.empty();
      }
      return delegate.update(grantId, change);
    }

    @Override
    public void remove(String grantId) {
      delegate.remove(grantId);
    }

    @Override
    public Collection<String> liveByTask(String taskId) {
      return delegate.liveByTask(taskId);
    }

    @Override
    public Collection<String> liveByIdentity(String identityId) {
      return delegate.liveByIdentity(identityId);
    }

    @Override
    public int liveCount() {
      return delegate.liveCount();
    }
  }

  @Test
  void aRecordDroppedUnderTheExpiryTimerIsReportedOnce() {
    try (GrantBroker broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(10))).clock(clock).scheduler(clock).store(store)
        .auditSink(audit).listener(listener).build()) {
      Grant g = broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5)).build());
      Instant expiry = g.info().expiresAt();
      clock.advanceTo(expiry.minusSeconds(1));
      store.dropOnNextUpdate = true; // the timer's update finds the record gone
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
