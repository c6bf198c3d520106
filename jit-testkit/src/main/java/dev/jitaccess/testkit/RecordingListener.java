package dev.jitaccess.testkit;

import dev.jitaccess.Decision;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantListener;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A {@link GrantListener} that records each callback as an immutable {@link Event}, in the order
 * received, for assertions:
 * <pre>{@code
 * clock.advance(Duration.ofMinutes(5));
 * assertThat(listener.grantIds(Kind.EXPIRED)).containsExactly(grant.id());
 * assertThat(listener.count(Kind.EXPIRING)).isEqualTo(1);
 * }</pre>
 * Thread-safe. Every accessor returns an immutable snapshot.
 */
public final class RecordingListener implements GrantListener {
  private final List<Event> events = new ArrayList<>();

  /** An empty listener. */
  public RecordingListener() {}

  /** Which callback fired. */
  public enum Kind {
    /** {@link GrantListener#onIssued}. */
    ISSUED,
    /** {@link GrantListener#onExpiring}. */
    EXPIRING,
    /** {@link GrantListener#onExpired}. */
    EXPIRED,
    /** {@link GrantListener#onRevoked}. */
    REVOKED,
    /** {@link GrantListener#onRenewed}. */
    RENEWED,
    /** {@link GrantListener#onBreakGlass}. */
    BREAK_GLASS,
    /** {@link GrantListener#onDenied}. */
    DENIED
  }

  /**
   * One callback.
   *
   * @param kind which callback
   * @param grantId the grant's id; empty for {@link Kind#DENIED}, which concerns no grant
   * @param reason the revocation reason name for {@link Kind#REVOKED} (for example {@code COMPLETED}),
   *     the decision's reasons joined with {@code "; "} for {@link Kind#DENIED}, otherwise empty
   */
  public record Event(Kind kind, String grantId, String reason) {
    /** Checks the values. */
    public Event {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(grantId, "grantId");
      Objects.requireNonNull(reason, "reason");
    }
  }

  @Override
  public void onIssued(GrantInfo grant) {
    add(Kind.ISSUED, grant.grantId(), "");
  }

  @Override
  public void onExpiring(GrantInfo grant) {
    add(Kind.EXPIRING, grant.grantId(), "");
  }

  @Override
  public void onExpired(GrantInfo grant) {
    add(Kind.EXPIRED, grant.grantId(), "");
  }

  @Override
  public void onRevoked(GrantInfo grant, RevocationReason reason) {
    add(Kind.REVOKED, grant.grantId(), reason.name());
  }

  @Override
  public void onRenewed(GrantInfo grant) {
    add(Kind.RENEWED, grant.grantId(), "");
  }

  @Override
  public void onBreakGlass(GrantInfo grant) {
    add(Kind.BREAK_GLASS, grant.grantId(), "");
  }

  @Override
  public void onDenied(GrantRequest request, Decision decision) {
    add(Kind.DENIED, "", String.join("; ", decision.reasons()));
  }

  private synchronized void add(Kind kind, String grantId, String reason) {
    events.add(new Event(kind, grantId, reason));
  }

  /** Every recorded callback, oldest first. */
  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** The recorded callbacks of one kind, oldest first. */
  public synchronized List<Event> events(Kind kind) {
    Objects.requireNonNull(kind, "kind");
    return events.stream().filter(e -> e.kind() == kind).collect(Collectors.toUnmodifiableList());
  }

  /** The kinds of the recorded callbacks, oldest first (with repeats). */
  public synchronized List<Kind> kinds() {
    return events.stream().map(Event::kind).collect(Collectors.toUnmodifiableList());
  }

  /** How many callbacks of one kind were recorded. */
  public synchronized int count(Kind kind) {
    Objects.requireNonNull(kind, "kind");
    return (int) events.stream().filter(e -> e.kind() == kind).count();
  }

  /** The grant ids of the callbacks of one kind, oldest first (with repeats). */
  public synchronized List<String> grantIds(Kind kind) {
    Objects.requireNonNull(kind, "kind");
    return events.stream().filter(e -> e.kind() == kind).map(Event::grantId)
        .collect(Collectors.toUnmodifiableList());
  }

  /** The recorded callbacks about one grant, oldest first. */
  public synchronized List<Event> forGrant(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    return events.stream().filter(e -> e.grantId().equals(grantId)).collect(Collectors.toUnmodifiableList());
  }

  /**
   * The most recent callback.
   *
   * @throws NoSuchElementException if none was recorded
   */
  public synchronized Event last() {
    if (events.isEmpty()) {
      throw new NoSuchElementException("no listener callback was recorded");
    }
    return events.get(events.size() - 1);
  }

  /** Forgets every recorded callback. */
  public synchronized void clear() {
    events.clear();
  }

  @Override
  public synchronized String toString() {
    return "RecordingListener" + kinds();
  }
}
