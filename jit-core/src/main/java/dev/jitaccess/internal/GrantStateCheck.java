package dev.jitaccess.internal;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.Verification;
import dev.jitaccess.Verification.RejectionReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The one check of a grant token against the broker's record (for {@link TokenVerifier}, on a cache hit and
 * a miss alike): what can change after the token was signed (revocation, expiry, idleness, a consumed single
 * use, a revoked ancestor) and whether the token still says what the record says.
 */
final class GrantStateCheck {
  private GrantStateCheck() {}

  /**
   * Checks the store's record of a token's grant: known, matching the token, not revoked, expired or idle,
   * every ancestor live, and a single-use grant consumed here (unless only inspected).
   *
   * @return the refusal, or null if the record allows the call
   */
  static Verification.@Nullable Rejected check(GrantStore store, GrantInfo info, Instant now, boolean inspectOnly) {
    String id = info.grantId();
    Optional<GrantRecord> found = store.find(id);
    if (found.isEmpty()) {
      return new Verification.Rejected(RejectionReason.UNKNOWN_GRANT, "the broker does not know this grant");
    }
    GrantRecord r = found.get();
    if (!matchesRecord(info, r.info())) {
      return new Verification.Rejected(RejectionReason.UNKNOWN_GRANT, "the token does not match the broker's record");
    }
    if (r.state() == GrantState.REVOKED) {
      return new Verification.Rejected(RejectionReason.REVOKED, "grant was revoked (" + r.revocationReason() + ")");
    }
    if (r.state() == GrantState.EXPIRED || !now.isBefore(r.info().expiresAt())) {
      return new Verification.Rejected(RejectionReason.EXPIRED, "grant has expired");
    }
    if (!now.isBefore(r.idleDeadline())) {
      return new Verification.Rejected(RejectionReason.EXPIRED, "grant went idle: no renewal before " + r.idleDeadline());
    }
    Optional<String> ancestor = r.info().parentGrantId();
    for (int depth = 0; ancestor.isPresent(); depth++) {
      Optional<GrantRecord> a = store.find(ancestor.get());
      if (depth >= GrantTokens.MAX_CHAIN || a.isEmpty() || !a.get().isLiveAt(now)) {
        return new Verification.Rejected(RejectionReason.REVOKED, "a grant this one was delegated from is no longer live");
      }
      ancestor = a.get().info().parentGrantId();
    }
    if (r.info().singleUse() && inspectOnly) {
      return r.uses() == 0 ? null : new Verification.Rejected(RejectionReason.REPLAYED, "single-use grant was already used");
    }
    if (r.info().singleUse()) {
      boolean[] consumed = new boolean[1];
      store.update(id, rec -> {
        if (rec.uses() == 0 && rec.isLiveAt(now)) {
          consumed[0] = true;
          return rec.withUse();
        }
        return rec;
      });
      if (!consumed[0]) {
        return new Verification.Rejected(RejectionReason.REPLAYED, "single-use grant was already used");
      }
    }
    return null;
  }

  /**
   * Whether a token's claims agree with what the broker recorded: every security-relevant fact is equal
   * (holder, issuer, the one audience, task, purpose, environment, owner, approvals, break-glass and
   * single-use flags, sender constraint and lineage), the actions and the delegations left are no more than
   * the record's, and the token was issued and expires no later than the record says (a renewing grant's
   * earlier tokens are older and expire sooner; a re-mint that narrowed the actions retires the wider
   * earlier tokens). A token re-signed with widened claims, for example with a leaked key, does not pass.
   * Rule ids are explanations, not authority, and may change at a re-mint.
   */
  private static boolean matchesRecord(GrantInfo token, GrantInfo record) {
    return token.grantId().equals(record.grantId())
        && token.subject().equals(record.subject())
        && token.issuer().equals(record.issuer())
        && token.resource().equals(record.resource())
        && token.taskId().equals(record.taskId())
        && token.purpose().equals(record.purpose())
        && token.environment().equals(record.environment())
        && token.owner().equals(record.owner())
        && token.approvalId().equals(record.approvalId())
        && sameApprovers(token, record)
        && token.breakGlass() == record.breakGlass()
        && token.singleUse() == record.singleUse()
        && record.actions().containsAll(token.actions())
        && token.certificateThumbprint().equals(record.certificateThumbprint())
        && token.keyThumbprint().equals(record.keyThumbprint())
        && token.parentGrantId().equals(record.parentGrantId())
        && token.delegators().equals(record.delegators())
        && token.delegationsLeft() <= record.delegationsLeft()
        && !token.issuedAt().isAfter(record.issuedAt())
        && !token.expiresAt().isAfter(record.expiresAt());
  }

  private static boolean sameApprovers(GrantInfo token, GrantInfo record) {
    if (token.approvals().isEmpty() || record.approvals().isEmpty()) {
      return token.approvals().isEmpty() && record.approvals().isEmpty(); // most grants: nothing to compare
    }
    return approvers(token).equals(approvers(record));
  }

  private static List<String> approvers(GrantInfo g) {
    return g.approvals().stream().map(a -> a.approver() + "@" + a.at().getEpochSecond()).toList();
  }
}
