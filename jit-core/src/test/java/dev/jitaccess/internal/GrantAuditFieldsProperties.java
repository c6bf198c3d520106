package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Approval;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/**
 * {@link GrantAuditFields#with}, the deferred fields of a grant's end record, is the map {@link
 * GrantAuditFields#of} plus one put, entry for entry and in the same order, whatever facts the grant has; it
 * cannot be changed, and {@link AuditEvent} keeps it while still copying any other map.
 */
class GrantAuditFieldsProperties {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Property(tries = 200)
  void theDeferredMapIsTheBuiltMapPlusOnePutInTheSameOrder(
      @ForAll @AlphaChars @StringLength(min = 1, max = 12) String task,
      @ForAll boolean owner, @ForAll boolean breakGlass,
      @ForAll @IntRange(max = 3) int approvals, @ForAll @IntRange(max = 3) int rules,
      @ForAll @AlphaChars @StringLength(min = 1, max = 20) String reason) {
    List<Approval> by = new ArrayList<>();
    for (int i = 0; i < approvals; i++) {
      by.add(new Approval("approver-" + i, T0, "ok"));
    }
    List<String> ruleIds = new ArrayList<>();
    for (int i = 0; i < rules; i++) {
      ruleIds.add("rule-" + i);
    }
    GrantInfo.Builder b = GrantInfo.builder().grantId("g-" + task).subject("spiffe://example.org/ci")
        .issuer("https://broker.test").resource("https://db.test").actions(Set.of("read", "write")).taskId(task)
        .purpose("deploy").environment("prod").issuedAt(T0).expiresAt(T0.plusSeconds(60)).owner(owner ? "ann" : null)
        .ruleIds(ruleIds).breakGlass(breakGlass);
    if (approvals > 0) {
      b.approvalId("ap-1").approvals(by);
    }
    GrantInfo g = b.build();
    Map<String, String> expected = GrantAuditFields.of(g);
    expected.put(AuditEvent.REASON, reason);
    Map<String, String> deferred = GrantAuditFields.with(g, AuditEvent.REASON, reason);

    assertThat(new ArrayList<>(deferred.entrySet())).isEqualTo(new ArrayList<>(expected.entrySet()));
    assertThat(deferred).isEqualTo(expected).hasSameHashCodeAs(expected);
    assertThat(expected).isEqualTo(deferred);
    assertThat(deferred.get(AuditEvent.GRANT_ID)).isEqualTo(g.grantId());
    assertThat(deferred.containsKey(AuditEvent.OWNER)).isEqualTo(owner);
    assertThat(deferred).hasSize(expected.size());

    assertThatThrownBy(() -> deferred.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> deferred.remove(AuditEvent.GRANT_ID)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> deferred.entrySet().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> deferred.entrySet().iterator().next().setValue("z"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(deferred).isEqualTo(expected);

    AuditEvent kept = new AuditEvent(AuditEventType.REVOKED, T0, deferred);
    assertThat(kept.fields()).isSameAs(deferred);
    Map<String, String> mutable = new LinkedHashMap<>(expected);
    AuditEvent copied = new AuditEvent(AuditEventType.REVOKED, T0, mutable);
    mutable.put(AuditEvent.REASON, "changed afterwards");
    assertThat(copied.fields()).isEqualTo(expected).isNotSameAs(mutable);
    assertThatThrownBy(() -> copied.fields().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(GrantAuditFields.isImmutable(new HashMap<>(expected))).isFalse();
  }
}
