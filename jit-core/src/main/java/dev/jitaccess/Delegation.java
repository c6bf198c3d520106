package dev.jitaccess;

import dev.jitaccess.internal.GrantTokens;
import dev.jitaccess.internal.Resources;
import dev.jitaccess.internal.TokenVerifier;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantStore;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Delegation: finds and checks the parent grant (a handle this broker issued, or a token verified as a
 * resource server would), attenuates it into a sub-grant request, admits that as any request, and issues
 * the sub-grant through {@link Issuance}. A refusal names the parent grant (or the one claimed) and the
 * delegate in its audit records.
 */
final class Delegation {
  private final Clock clock;
  private final GrantStore store;
  private final TokenVerifier verifier;
  private final BrokerEvents events;
  private final Function<GrantRequest, Admission.Evaluation> admit;
  private final Issuance issuance;
  private final Grant.Lifecycle handles;

  /**
   * Delegates through the broker's parts.
   *
   * @param admit verifies and decides a request, recording REQUESTED
   * @param handles the broker, which a parent grant handle must have been issued by
   */
  Delegation(BrokerConfig config, TokenVerifier verifier, BrokerEvents events,
      Function<GrantRequest, Admission.Evaluation> admit, Issuance issuance, Grant.Lifecycle handles) {
    this.clock = config.clock();
    this.store = config.store();
    this.verifier = verifier;
    this.events = events;
    this.admit = admit;
    this.issuance = issuance;
    this.handles = handles;
  }

  /**
   * Issues a sub-grant of the parent that {@code d} names (by its handle or its token), never wider or
   * longer-lived than the parent, or refuses it (audited, with the parent and the delegate).
   */
  Grant delegate(DelegationRequest d) {
    Instant now = clock.instant();
    Decision.Deny parentProblem = null;
    GrantRecord parent = null;
    String claimedParentId = null;
    Optional<Grant> handle = d.parentGrant();
    if (handle.isPresent()) {
      if (!handle.get().issuedBy(handles)) {
        parentProblem = Decision.deny(DenialCategory.IDENTITY,
            "delegation: the parent grant handle was not issued by this broker");
        claimedParentId = ClaimedSubject.sanitise(handle.get().id());
      } else {
        parent = store.find(handle.get().id()).orElse(null);
      }
    } else {
      String token = d.parentToken().orElseThrow();
      String jti = events.claims().claim(token, "jti");
      claimedParentId = jti == null ? null : ClaimedSubject.sanitise(jti);
      Verification v = verifyParentToken(token, jti, d);
      if (v instanceof Verification.Rejected r) {
        parentProblem = Decision.deny(DenialCategory.IDENTITY,
            "delegation: the parent token does not verify (" + r.reason() + ")");
      } else {
        parent = store.find(((Verification.Verified) v).grant().grantId()).orElse(null);
      }
    }
    String resource = d.resource().orElse(parent != null ? parent.info().resource() : "unknown");
    GrantRequest.Builder b = GrantRequest.builder()
        .credential(d.credential())
        .taskId(parent == null ? "unknown" : parent.info().taskId())
        .purpose(parent == null ? "delegation" : parent.info().purpose())
        .resource(resource)
        .actions(d.actions())
        .environment(parent == null ? "unknown" : parent.info().environment())
        .ttl(d.ttl());
    if (parent != null) {
      b.brokerAttribute(DelegationRequest.PARENT_ATTRIBUTE, parent.grantId())
          .brokerAttribute(DelegationRequest.DEPTH_ATTRIBUTE, parent.info().delegators().size() + 1)
          .brokerAttribute(DelegationRequest.DELEGATOR_ATTRIBUTE, parent.info().subject());
    }
    d.justification().ifPresent(b::justification);
    d.dpopKey().ifPresent(b::dpopKey);
    d.listeners().forEach(b::listener);
    GrantRequest request = b.build();
    Decision.Deny problem = parentProblem != null ? parentProblem : parentProblem(parent, resource, d.actions(), now);
    if (problem == null && parent != null && parent.info().singleUse() && handle.isPresent() && !spendUse(parent, now)) {
      problem = Decision.deny(DenialCategory.INVALID_REQUEST, "delegation: the single-use parent grant was already used");
    }
    if (problem != null || parent == null) {
      throw events.deniedDelegation(request,
          problem != null ? problem : Decision.deny(DenialCategory.INVALID_REQUEST, "delegation: no parent"),
          parent == null ? claimedParentId : null);
    }
    Admission.Evaluation ev = admit.apply(request);
    if (!(ev.decision() instanceof Decision.Allow allow)) {
      throw ev.decision() instanceof Decision.NeedsApproval
          ? events.denied(ev.identity(), request, ev.decision(), null, "delegation: a delegation cannot wait for approval",
              DenialCategory.APPROVAL)
          : events.denied(ev.identity(), request, ev.decision(), ev.cause());
    }
    Grant child = issuance.issue(ev.verifiedIdentity(), request, allow, parent.info().approval().approvalId(),
        parent.info().approvals(), parent);
    Map<String, String> f = BrokerEvents.grantFields(child.info());
    // both parties: the actor is the record's identity, the delegator and the subject (the token's sub,
    // on whose behalf the chain acts, RFC 8693) are named here
    f.put(AuditEvent.REASON, "delegated by " + parent.info().subject() + " from grant " + parent.grantId()
        + " on behalf of " + GrantTokens.subject(child.info()));
    events.record(AuditEventType.DELEGATED, f);
    return child;
  }

  /**
   * Verifies a parent token as a resource server would, with its proof of possession when one was given
   * (a sender-constrained parent without one is refused). A single-use parent's use is spent here.
   */
  private Verification verifyParentToken(String token, @Nullable String jti, DelegationRequest d) {
    String audience = jti == null ? null : store.find(jti).map(r -> r.info().resource()).orElse(null);
    if (audience == null) {
      return new Verification.Rejected(Verification.RejectionReason.UNKNOWN_GRANT, "not a grant of this broker");
    }
    VerificationRequest.Builder vr = VerificationRequest.builder(audience);
    if (d.parentDpopProof().isPresent()) {
      vr.dpop(d.parentDpopProof().get(), d.httpMethod().orElseThrow(), d.httpUri().orElseThrow());
    }
    d.parentCertificate().ifPresent(vr::peerCertificate);
    return verifier.verify(token, vr.build());
  }

  /** Spends the one use of a single-use parent on its delegation; false if it was already used. */
  private boolean spendUse(GrantRecord parent, Instant now) {
    boolean[] spent = new boolean[1];
    store.update(parent.grantId(), rec -> {
      if (rec.uses() == 0 && rec.isLiveAt(now)) {
        spent[0] = true;
        return rec.withUse();
      }
      return rec;
    });
    return spent[0];
  }

  /** Why {@code parent} cannot be attenuated into this sub-grant, or null if it can. */
  private static Decision.@Nullable Deny parentProblem(
      @Nullable GrantRecord parent, String resource, Set<String> actions, Instant now) {
    if (parent == null || !parent.isLiveAt(now)) {
      return Decision.deny(DenialCategory.INVALID_REQUEST, "delegation: the parent grant is not live");
    }
    if (parent.info().delegationsLeft() < 1) {
      return Decision.deny(DenialCategory.POLICY, "delegation: the parent grant may not be delegated (further)");
    }
    if (parent.info().delegators().size() + 1 > GrantTokens.MAX_CHAIN) {
      return Decision.deny(DenialCategory.POLICY, "delegation: the chain would be longer than " + GrantTokens.MAX_CHAIN);
    }
    if (!isWithin(resource, parent.info().resource())) {
      return Decision.deny(DenialCategory.POLICY,
          "delegation: resource " + resource + " is not within the parent's " + parent.info().resource());
    }
    if (!parent.info().actions().containsAll(actions)) {
      Set<String> wider = new LinkedHashSet<>(actions);
      wider.removeAll(parent.info().actions());
      return Decision.deny(DenialCategory.POLICY, "delegation: actions " + wider + " are not granted by the parent");
    }
    return null;
  }

  /**
   * Whether {@code resource} is {@code parent} or a path below it (the one rule: {@link Resources#isWithin}). Below means {@code parent + "/"} and
   * then only plain segments: an empty, {@code .} or {@code ..} segment, a percent sign (encoded dots or
   * slashes), a backslash, a query or a fragment could climb out of the parent once a server normalises
   * the path, so they are refused.
   */
  static boolean isWithin(String resource, String parent) {
    return Resources.isWithin(resource, parent);
  }

}
