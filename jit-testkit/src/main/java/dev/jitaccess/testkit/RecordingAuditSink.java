package dev.jitaccess.testkit;

import dev.jitaccess.JitException;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An {@link AuditSink} that keeps every event in memory, in the order recorded, for assertions:
 * <pre>{@code
 * assertThat(audit.types()).containsSubsequence(REQUESTED, ISSUED, REVOKED);
 * assertThat(audit.forGrant(grant.id())).extracting(AuditEvent::type).contains(EXPIRED);
 * assertThat(audit.last().field(AuditEvent.REASON)).contains("COMPLETED");
 * }</pre>
 * It can also fail on purpose ({@link #failOn}) to test what happens when auditing fails.
 *
 * <p>Thread-safe. Every accessor returns an immutable snapshot.
 */
public final class RecordingAuditSink implements AuditSink {
  private final List<AuditEvent> events = new ArrayList<>();
  private final Set<AuditEventType> failing = EnumSet.noneOf(AuditEventType.class);

  /** An empty sink that records everything. */
  public RecordingAuditSink() {}

  /**
   * Records the event, or throws a {@link JitException} without recording it if its type was passed to
   * {@link #failOn}.
   */
  @Override
  public synchronized void record(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    if (failing.contains(event.type())) {
      throw new JitException("injected audit failure for " + event.type());
    }
    events.add(event);
  }

  /** Makes every later event of these types fail (throw, unrecorded) until {@link #stopFailing()}. */
  public synchronized RecordingAuditSink failOn(AuditEventType... types) {
    Objects.requireNonNull(types, "types");
    for (AuditEventType t : types) {
      failing.add(Objects.requireNonNull(t, "type"));
    }
    return this;
  }

  /** Ends every failure injected with {@link #failOn}. */
  public synchronized void stopFailing() {
    failing.clear();
  }

  /** Every recorded event, oldest first. */
  public synchronized List<AuditEvent> events() {
    return List.copyOf(events);
  }

  /** The recorded events of one type, oldest first. */
  public synchronized List<AuditEvent> events(AuditEventType type) {
    Objects.requireNonNull(type, "type");
    return events.stream().filter(e -> e.type() == type).collect(Collectors.toUnmodifiableList());
  }

  /** The types of the recorded events, oldest first (with repeats). */
  public synchronized List<AuditEventType> types() {
    return events.stream().map(AuditEvent::type).collect(Collectors.toUnmodifiableList());
  }

  /** The recorded events about one grant (field {@code grant_id}), oldest first. */
  public synchronized List<AuditEvent> forGrant(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    return events.stream()
        .filter(e -> grantId.equals(e.fields().get(AuditEvent.GRANT_ID)))
        .collect(Collectors.toUnmodifiableList());
  }

  /**
   * The most recent event.
   *
   * @throws NoSuchElementException if nothing was recorded
   */
  public synchronized AuditEvent last() {
    if (events.isEmpty()) {
      throw new NoSuchElementException("no audit event was recorded");
    }
    return events.get(events.size() - 1);
  }

  /**
   * The most recent event of one type.
   *
   * @throws NoSuchElementException if no event of that type was recorded
   */
  public synchronized AuditEvent last(AuditEventType type) {
    Objects.requireNonNull(type, "type");
    for (int i = events.size() - 1; i >= 0; i--) {
      if (events.get(i).type() == type) {
        return events.get(i);
      }
    }
    throw new NoSuchElementException("no " + type + " audit event was recorded; recorded: " + types());
  }

  /** How many events were recorded. */
  public synchronized int size() {
    return events.size();
  }

  /** Forgets every recorded event (failure injection stays as it is). */
  public synchronized void clear() {
    events.clear();
  }

  @Override
  public synchronized String toString() {
    return "RecordingAuditSink" + types();
  }
}
