package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.Fixtures.RecordingListener;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@code revokeTask} reports each grant it ended exactly once (one REVOKED record, one {@code onRevoked}) also
 * in the two cases where the grant is no longer, or never was, among the grants the broker tracks when it
 * does its bookkeeping after the store step: the change feed saw the ended record first (it claimed the report
 * and stopped tracking the grant), and another broker issued the grant into the shared store.
 */
class RevokeTaskReportTest {
  private final ManualClock clock = ManualClock.at("2026-12-05T18:00:00Z");
  private final GrantStore inner = GrantStore.inMemory(clock, clock, Duration.ofMinutes(5));

  /**
   * {@code inner}, except that {@link GrantStore#subscribe} keeps the listener in {@code feed} and
   * {@code endLive} delivers each change it made to that listener before it tells the caller (a feed may
   * deliver changes made through this instance, and may do so at once).
   */
  @SuppressWarnings("unchecked")
  private GrantStore feedingBack(AtomicReference<GrantStore.ChangeListener> feed) {
    return (GrantStore) Proxy.newProxyInstance(GrantStore.class.getClassLoader(), new Class<?>[] {GrantStore.class},
        (proxy, m, args) -> {
          if (m.getName().equals("subscribe")) {
            feed.set((GrantStore.ChangeListener) args[0]);
            return (GrantStore.Subscription) () -> {};
          }
          if (m.getName().equals("endLive") && args.length == 4) {
            GrantStore.Ending<Object> broker = (GrantStore.Ending<Object>) args[3];
            args[3] = new GrantStore.Ending<Object>() {
              @Override
              public @Nullable Object before(String grantId) {
                return broker.before(grantId);
              }

              @Override
              public void ended(GrantRecord record, @Nullable Object kept) {
                feed.get().onChange(GrantStore.Change.of(record));
                broker.ended(record, kept);
              }
            };
          }
          try {
            return m.invoke(inner, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private static List<String> issue(GrantBroker broker, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(broker.request(Fixtures.request()).id());
    }
    return ids;
  }

  private static long revokedRecords(RecordingAudit audit, String grantId) {
    return audit.of(AuditEventType.REVOKED).stream()
        .filter(e -> grantId.equals(e.fields().get(AuditEvent.GRANT_ID))).count();
  }

  /**
   * Each grant was told once ({@code onRevoked} with reason TASK) and audited once (one REVOKED record) by
   * {@code broker}, which no longer tracks any grant nor holds a timer entry.
   */
  private static void assertReportedOnceAndForgotten(GrantBroker broker, RecordingListener listener,
      RecordingAudit audit, List<String> ids) {
    for (String id : ids) {
      assertThat(listener.count("revoked-TASK:" + id)).as("onRevoked of %s", id).isEqualTo(1);
      assertThat(revokedRecords(audit, id)).as("REVOKED records of %s", id).isEqualTo(1);
    }
    assertThat(((DefaultGrantBroker) broker).trackedGrants()).isZero();
    assertThat(((DefaultGrantBroker) broker).pendingTimerEntries()).isZero();
  }

  @Test
  void grantsWhoseEndTheFeedReportedFirstAreToldOnceAndAuditedOnce() {
    RecordingAudit audit = new RecordingAudit();
    RecordingListener listener = new RecordingListener();
    AtomicReference<GrantStore.ChangeListener> feed = new AtomicReference<>();
    try (GrantBroker broker = Fixtures.minimalBroker(audit).clock(clock).scheduler(clock).listener(listener)
        .store(feedingBack(feed)).build()) {
      List<String> ids = issue(broker, 3);
      assertThat(broker.revokeTask("deploy-42")).isEqualTo(3);
      // the feed audits nothing; the store step was this call's, so the record is its
      assertReportedOnceAndForgotten(broker, listener, audit, ids);
    }
  }

  /**
   * More grants than one batch of the broker's bookkeeping (64, the timer entries of a batch cancelled under
   * one lock before its ends are reported), and not a multiple of it: each is reported once, none is still
   * tracked or has a timer entry, and none fires later.
   */
  @Test
  void aRevokeTaskOfSeveralBatchesReportsEachGrantOnceAndLeavesNoTimerEntry() {
    RecordingAudit audit = new RecordingAudit();
    RecordingListener listener = new RecordingListener();
    try (GrantBroker broker = Fixtures.minimalBroker(audit).clock(clock).scheduler(clock).listener(listener)
        .maxGrantsPerTask(200).maxGrantsPerIdentity(200).store(inner).build()) {
      List<String> ids = issue(broker, 150);
      assertThat(broker.revokeTask("deploy-42")).isEqualTo(150);
      assertReportedOnceAndForgotten(broker, listener, audit, ids);
      clock.advance(Duration.ofMinutes(10));
      assertThat(listener.calls).noneMatch(c -> c.startsWith("expired:") || c.startsWith("expiring:"));
    }
  }

  @Test
  void grantsAnotherBrokerIssuedIntoTheSharedStoreAreReportedOnceByTheRevokingBroker() {
    RecordingAudit auditA = new RecordingAudit();
    RecordingAudit auditB = new RecordingAudit();
    RecordingListener listenerB = new RecordingListener();
    try (GrantBroker a = Fixtures.minimalBroker(auditA).clock(clock).scheduler(clock).store(inner).build();
        GrantBroker b = Fixtures.minimalBroker(auditB).clock(clock).scheduler(clock).listener(listenerB).store(inner)
            .build()) {
      List<String> ids = new ArrayList<>(issue(a, 2));
      ids.addAll(issue(b, 1));
      assertThat(b.revokeTask("deploy-42")).isEqualTo(3);
      for (String id : ids) {
        assertThat(listenerB.count("revoked-TASK:" + id)).as("onRevoked of %s", id).isEqualTo(1);
        assertThat(revokedRecords(auditB, id)).as("REVOKED records of %s", id).isEqualTo(1);
        assertThat(revokedRecords(auditA, id)).isZero();
      }
      assertThat(((DefaultGrantBroker) b).trackedGrants()).isZero();
    }
  }

  /**
   * A report that fails in the middle of a {@code revokeTask} (here an audit sink throwing an {@link Error} on
   * the first REVOKED record, which the broker's events do not catch) does not stop the call from ending the
   * task's other grants: every one of them is REVOKED in the store and refused, and the error reaches the
   * caller once they are. With the in-memory store the ends are reported while the store is still ending the
   * call's later grants, so without this the grants after the failing report would stay live.
   */
  @Test
  void aReportThatThrowsAnErrorDoesNotLeaveTheTasksOtherGrantsLive() {
    RecordingAudit recording = new RecordingAudit();
    class Failing extends AssertionError {
      private static final long serialVersionUID = 1L;
    }
    boolean[] thrown = new boolean[1];
    dev.jitaccess.spi.AuditSink failingOnce = event -> {
      if (event.type() == AuditEventType.REVOKED && !thrown[0]) {
        thrown[0] = true;
        throw new Failing();
      }
      recording.record(event);
    };
    try (GrantBroker broker = Fixtures.minimalBroker(failingOnce).clock(clock).scheduler(clock)
        .maxGrantsPerTask(200).maxGrantsPerIdentity(200).store(inner).build()) {
      List<Grant> grants = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        grants.add(broker.request(Fixtures.request()));
      }
      Grant last = grants.get(grants.size() - 1);
      assertThat(broker.verifier().verify(last.token(), last.info().resource()).isVerified()).isTrue();
      assertThatThrownBy(() -> broker.revokeTask("deploy-42")).isInstanceOf(Failing.class);
      for (Grant g : grants) {
        assertThat(inner.find(g.id()).orElseThrow().state()).as("state of %s", g.id()).isEqualTo(GrantState.REVOKED);
        assertThat(broker.verifier().verify(g.token(), g.info().resource()).isVerified()).as("verify %s", g.id()).isFalse();
      }
      // every other end was still reported: 149 records besides the one whose sink call failed
      assertThat(recording.of(AuditEventType.REVOKED)).hasSize(149);
    }
  }
}
