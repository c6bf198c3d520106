package dev.jitaccess.spi;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.RevocationReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link GrantStore} keeps for each grant: its public facts and its lifecycle state. Never the
 * token. Immutable; changes produce copies.
 *
 * @param info the public facts (expiry of the current token included)
 * @param state the lifecycle state
 * @param revocationReason why it was revoked: present exactly when the state is {@link GrantState#REVOKED},
 *     null otherwise
 * @param idleTimeout the heartbeat interval, or null if the grant has none
 * @param idleDeadline when the grant goes idle without a renewal ({@link Instant#MAX} if never)
 * @param uses how many times a single-use grant's token has been accepted
 */
public record GrantRecord(
    GrantInfo info,
    GrantState state,
    @Nullable RevocationReason revocationReason,
    @Nullable Duration idleTimeout,
    Instant idleDeadline,
    int uses) {

  /** Checks the values. */
  public GrantRecord {
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(idleDeadline, "idleDeadline");
    if (state == GrantState.REVOKED && revocationReason == null) {
      throw new IllegalArgumentException("a revoked grant needs a reason");
    }
    if (uses < 0) {
      throw new IllegalArgumentException("uses must be >= 0, got " + uses);
    }
  }

  /**
   * A new live record.
   *
   * @param info the public facts
   * @param idleTimeout the heartbeat interval, or null if the grant has none
   * @param idleDeadline when the grant goes idle without a renewal ({@link Instant#MAX} if never)
   */
  public static GrantRecord live(GrantInfo info, @Nullable Duration idleTimeout, Instant idleDeadline) {
    return new GrantRecord(info, GrantState.LIVE, null, idleTimeout, idleDeadline, 0);
  }

  /** The grant id. */
  public String grantId() {
    return info.grantId();
  }

  /**
   * The owner a task is bound to through this grant: the grant's owner when it has one, else the identity
   * on whose behalf it was issued (the first identity of its delegation chain, which is the grant's own
   * identity for a grant that was not delegated). A sub-grant inherits its parent's owner, so all the
   * grants of one delegation chain have the same task owner.
   */
  public String taskOwner() {
    List<String> delegators = info.delegators();
    return info.owner().orElse(delegators.isEmpty() ? info.subject() : delegators.get(delegators.size() - 1));
  }

  /** When the grant stops being live without any action: the earlier of expiry and idle deadline. */
  public Instant deadline() {
    return info.expiresAt().isBefore(idleDeadline) ? info.expiresAt() : idleDeadline;
  }

  /** Whether the grant is live at this instant: state LIVE and before its deadline. */
  public boolean isLiveAt(Instant now) {
    return state == GrantState.LIVE && now.isBefore(deadline());
  }

  /**
   * The rule every {@link GrantStore#update} applies to a change: the grant id, identity, task and task owner stay
   * the same, and a grant that is not live never becomes live again.
   *
   * @param next the record the change produced
   * @throws IllegalArgumentException naming the grant if {@code next} breaks the rule
   */
  public void checkChangeTo(GrantRecord next) {
    Objects.requireNonNull(next, "next");
    if (!next.grantId().equals(grantId())) {
      throw new IllegalArgumentException("an update must keep the grant id " + grantId() + ", got " + next.grantId());
    }
    if (!next.info().subject().equals(info.subject())) {
      throw new IllegalArgumentException("an update must keep the identity of grant " + grantId());
    }
    if (!next.info().taskId().equals(info.taskId())) {
      throw new IllegalArgumentException("an update must keep the task id of grant " + grantId());
    }
    if (!next.taskOwner().equals(taskOwner())) {
      throw new IllegalArgumentException("an update must keep the task owner of grant " + grantId());
    }
    if (state != GrantState.LIVE && next.state() == GrantState.LIVE) {
      throw new IllegalArgumentException("grant " + grantId() + " is " + state + " and cannot become LIVE again");
    }
  }

  /**
   * A copy in another state.
   *
   * @param newState the state of the copy
   * @param reason why it was revoked: non-null exactly for {@link GrantState#REVOKED}, else null
   */
  public GrantRecord withState(GrantState newState, @Nullable RevocationReason reason) {
    return new GrantRecord(info, newState, reason, idleTimeout, idleDeadline, uses);
  }

  /** A copy with another idle deadline. */
  public GrantRecord withIdleDeadline(Instant deadline) {
    return new GrantRecord(info, state, revocationReason, idleTimeout, deadline, uses);
  }

  /** A copy with other public facts (a re-minted token). */
  public GrantRecord withInfo(GrantInfo newInfo) {
    return new GrantRecord(newInfo, state, revocationReason, idleTimeout, idleDeadline, uses);
  }

  /** A copy with one more use. */
  public GrantRecord withUse() {
    return new GrantRecord(info, state, revocationReason, idleTimeout, idleDeadline, uses + 1);
  }
}
