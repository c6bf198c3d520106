package dev.jitaccess.testkit;

import static dev.jitaccess.spi.AuditEventType.DENIED;
import static dev.jitaccess.spi.AuditEventType.ISSUED;
import static dev.jitaccess.spi.AuditEventType.REVOKED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Decision;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.JitException;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.testkit.RecordingListener.Event;
import dev.jitaccess.testkit.RecordingListener.Kind;
import java.time.Instant;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecordingTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  static AuditEvent event(dev.jitaccess.spi.AuditEventType type, String grantId) {
    return new AuditEvent(type, T0, grantId == null ? Map.of() : Map.of(AuditEvent.GRANT_ID, grantId));
  }

  static GrantInfo info(String id) {
    return GrantInfo.builder().grantId(id).subject("s").issuer("i").resource("r").actions(Set.of("a"))
        .taskId("t").purpose("p").environment("e").issuedAt(T0).expiresAt(T0.plusSeconds(60)).build();
  }

  @Test
  void auditSinkAccessorsReadWell() {
    RecordingAuditSink sink = new RecordingAuditSink();
    assertThatThrownBy(sink::last).isInstanceOf(NoSuchElementException.class);
    sink.record(event(ISSUED, "g1"));
    sink.record(event(DENIED, null));
    sink.record(event(REVOKED, "g1"));
    sink.record(event(ISSUED, "g2"));
    assertThat(sink.types()).containsExactly(ISSUED, DENIED, REVOKED, ISSUED);
    assertThat(sink.events(ISSUED)).extracting(e -> e.grantId().orElseThrow()).containsExactly("g1", "g2");
    assertThat(sink.forGrant("g1")).extracting(AuditEvent::type).containsExactly(ISSUED, REVOKED);
    assertThat(sink.last().grantId()).contains("g2");
    assertThat(sink.last(REVOKED).grantId()).contains("g1");
    assertThatThrownBy(() -> sink.last(dev.jitaccess.spi.AuditEventType.EXPIRED))
        .isInstanceOf(NoSuchElementException.class).hasMessageContaining("EXPIRED");
    assertThat(sink.size()).isEqualTo(4);
    assertThatThrownBy(() -> sink.events().add(event(ISSUED, "x"))).isInstanceOf(UnsupportedOperationException.class);
    assertThat(sink.toString()).contains("ISSUED");
    sink.clear();
    assertThat(sink.events()).isEmpty();
  }

  @Test
  void auditSinkFailureInjectionThrowsAndRecordsNothing() {
    RecordingAuditSink sink = new RecordingAuditSink().failOn(ISSUED, REVOKED);
    assertThatThrownBy(() -> sink.record(event(ISSUED, "g"))).isInstanceOf(JitException.class).hasMessageContaining("ISSUED");
    sink.record(event(DENIED, null));
    assertThat(sink.types()).containsExactly(DENIED);
    sink.stopFailing();
    sink.record(event(ISSUED, "g"));
    assertThat(sink.types()).containsExactly(DENIED, ISSUED);
    assertThatThrownBy(() -> sink.failOn((dev.jitaccess.spi.AuditEventType) null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void listenerRecordsEveryCallbackAsAnImmutableEvent() {
    RecordingListener l = new RecordingListener();
    assertThatThrownBy(l::last).isInstanceOf(NoSuchElementException.class);
    l.onIssued(info("g1"));
    l.onExpiring(info("g1"));
    l.onRenewed(info("g1"));
    l.onBreakGlass(info("g2"));
    l.onRevoked(info("g2"), RevocationReason.FAILED);
    l.onExpired(info("g1"));
    l.onDenied(null, Decision.deny("policy: no", "second"));
    assertThat(l.kinds()).containsExactly(Kind.ISSUED, Kind.EXPIRING, Kind.RENEWED, Kind.BREAK_GLASS, Kind.REVOKED,
        Kind.EXPIRED, Kind.DENIED);
    assertThat(l.events(Kind.REVOKED)).containsExactly(new Event(Kind.REVOKED, "g2", "FAILED"));
    assertThat(l.last()).isEqualTo(new Event(Kind.DENIED, "", "policy: no; second"));
    assertThat(l.count(Kind.ISSUED)).isEqualTo(1);
    assertThat(l.grantIds(Kind.EXPIRED)).containsExactly("g1");
    assertThat(l.forGrant("g1")).extracting(Event::kind)
        .containsExactly(Kind.ISSUED, Kind.EXPIRING, Kind.RENEWED, Kind.EXPIRED);
    assertThatThrownBy(() -> l.events().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> new Event(Kind.ISSUED, null, "")).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("grantId");
    l.clear();
    assertThat(l.events()).isEmpty();
  }
}
