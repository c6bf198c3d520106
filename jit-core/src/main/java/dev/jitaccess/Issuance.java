package dev.jitaccess;

import com.nimbusds.jose.JOSEException;
import dev.jitaccess.spi.GrantRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues one allowed grant, step by step, undoing what was done when a step fails: the terms
 * ({@link Issuer#terms}), the facts, tracking and the store insert with the quotas, the signature, the
 * ISSUED record, then the start of its life. A grant made while the broker closes is refused, never
 * handed out. Used by first issue, approved issue and delegation alike.
 */
final class Issuance {
  private static final Logger LOG = LoggerFactory.getLogger(GrantBroker.class);

  private final Clock clock;
  private final Issuer issuer;
  private final GrantLifecycle lifecycle;
  private final BrokerEvents events;
  private final RequestGate gate;
  private final Grant.Lifecycle handles;

  Issuance(BrokerConfig config, Issuer issuer, GrantLifecycle lifecycle, BrokerEvents events, RequestGate gate,
      Grant.Lifecycle handles) {
    this.clock = config.clock();
    this.issuer = issuer;
    this.lifecycle = lifecycle;
    this.events = events;
    this.gate = gate;
    this.handles = handles;
  }

  /** Issues a grant; with {@code parent}, a sub-grant that is never wider or longer-lived than it. */
  Grant issue(WorkloadIdentity identity, GrantRequest request, Decision.Allow allow,
      @Nullable String approvalId, List<Approval> given, @Nullable GrantRecord parent) {
    Instant now = clock.instant();
    Issuer.Terms terms;
    try {
      terms = issuer.terms(request.actions(), request, allow.terms(), parent, false, identity.expiresAt(), now);
    } catch (Issuer.Refused e) {
      throw events.denied(identity, request, allow, null, e.getMessage(), DenialCategory.POLICY);
    }
    GrantInfo info = issuer.info(identity, request, terms, allow.terms(), allow.ruleIds(), approvalId, given, parent);
    String grantId = info.grantId();
    LiveGrant live = lifecycle.track(info, request.listeners());
    try {
      issuer.insert(info, terms, identity, request, allow);
    } catch (AccessDeniedException e) {
      lifecycle.untrack(grantId);
      throw e;
    }
    if (parent != null) {
      lifecycle.linkChild(parent.grantId(), grantId);
    }
    String token;
    try {
      token = issuer.sign(info, identity);
    } catch (JOSEException | RuntimeException e) {
      lifecycle.abort(grantId);
      LOG.error("signing grant {} failed with {}; nothing issued", grantId, e.getClass().getName());
      throw events.denied(identity, request, allow, e, "signing: the token could not be signed",
          DenialCategory.UNAVAILABLE);
    }
    if (gate.isClosed()) {
      // close() began while this grant was being made: it is refused, never handed out (close waits for it)
      lifecycle.abort(grantId);
      throw events.denied(identity, request, allow, null,
          "closed: the broker was closed while this grant was being issued; nothing was issued",
          DenialCategory.UNAVAILABLE);
    }
    try {
      issuer.auditIssued(info, token, allow, request);
    } catch (RuntimeException e) {
      if (events.auditBlocks()) {
        lifecycle.abort(grantId);
        LOG.error("audit sink failed with {}; grant {} not issued", e.getClass().getName(), grantId);
        throw events.denied(identity, request, allow, e, "audit: the audit sink failed, so nothing was issued",
            DenialCategory.UNAVAILABLE);
      }
      LOG.error("audit sink failed with {} recording grant {}; issued anyway (auditFailureBlocksIssuance=false)",
          e.getClass().getName(), grantId);
    }
    Grant grant = new Grant(handles, info, token);
    lifecycle.start(live, grant, identity, request, terms, parent == null ? null : parent.grantId());
    return grant;
  }
}
