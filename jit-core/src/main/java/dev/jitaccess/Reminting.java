package dev.jitaccess;

import com.nimbusds.jose.JOSEException;
import dev.jitaccess.internal.GrantTokens;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The renewing grants and their re-mints: what each is re-minted from, the re-verification of its identity
 * with a fresh credential, the policy asked again, the terms by the one rule ({@link Issuer#terms}), the new
 * token and its REMINTED record. {@link GrantLifecycle} times the re-mints and acts on the
 * {@link Outcome}: a revocation, or the next re-mint.
 */
final class Reminting {
  private static final Logger LOG = LoggerFactory.getLogger(GrantBroker.class);

  /**
   * What a renewing grant is re-minted from: the request, the handle, where fresh credentials come from,
   * and the identity and credential last verified (each re-mint re-verifies, so both move on).
   */
  private static final class Renewing {
    final GrantRequest request;
    final Grant grant;
    final @Nullable Supplier<Credential> source;
    volatile WorkloadIdentity identity;
    volatile Credential latest;

    Renewing(WorkloadIdentity identity, GrantRequest request, Grant grant) {
      this.identity = identity;
      this.request = request;
      this.grant = grant;
      this.source = request.credentialSource().orElse(null);
      this.latest = request.credential();
    }
  }

  /** What a re-mint came to: nothing to do, a revocation, or a new token. */
  sealed interface Outcome permits Skipped, Revoke, Reminted {}

  /** The grant is not live or not renewing (any more), or the new token could not be made: nothing changes. */
  record Skipped() implements Outcome {}

  /**
   * The grant must be revoked.
   *
   * @param reason why
   * @param note appended to the audited reason
   */
  record Revoke(RevocationReason reason, String note) implements Outcome {}

  /**
   * The grant has a new token.
   *
   * @param info the grant's facts now
   * @param terms its new terms
   */
  record Reminted(GrantInfo info, Issuer.Terms terms) implements Outcome {}

  private static final Skipped SKIPPED = new Skipped();

  private final Clock clock;
  private final GrantStore store;
  private final BrokerEvents events;
  private final Admission admission;
  private final Issuer issuer;
  private final Map<String, Renewing> renewing = new ConcurrentHashMap<>();

  Reminting(BrokerConfig config, BrokerEvents events, Admission admission, Issuer issuer) {
    this.clock = config.clock();
    this.store = config.store();
    this.events = events;
    this.admission = admission;
    this.issuer = issuer;
  }

  /** Starts re-minting an issued renewing grant. */
  void register(WorkloadIdentity identity, GrantRequest request, Grant grant) {
    renewing.put(grant.id(), new Renewing(identity, request, grant));
  }

  /** Whether the grant renews. */
  boolean isRenewing(String grantId) {
    return renewing.containsKey(grantId);
  }

  /** Stops re-minting an ended grant. */
  void forget(String grantId) {
    renewing.remove(grantId);
  }

  /**
   * Verifies a heartbeat's fresh credential as the grant's identity ({@code subject}, or the identity last
   * verified for a renewing grant); for a renewing grant it becomes the credential the next re-mint
   * re-verifies. False when it does not verify as that identity.
   */
  boolean reprove(String grantId, String subject, Credential credential) {
    Renewing st = renewing.get(grantId);
    Admission.Proof proof = admission.reprove(credential, st != null ? st.identity.id() : subject);
    WorkloadIdentity identity = proof.identity();
    if (proof.deny() != null || identity == null) {
      return false;
    }
    if (st != null) {
      st.identity = identity;
      st.latest = credential;
    }
    return true;
  }

  /**
   * Re-mints a renewing grant's token. The identity is re-verified first, with a fresh credential from the
   * request's credential source or else the last one presented ({@link Admission#reprove}); a grant
   * whose identity can no longer be verified is revoked (CREDENTIAL, the reason audited). Then the policy
   * is asked again, the terms follow the same rule as at first issue ({@link Issuer#terms}, capped by the
   * new credential's expiry when a cap applies), and a grant the policy no longer allows is revoked
   * (POLICY).
   */
  Outcome remint(String grantId) {
    Renewing st = renewing.get(grantId);
    Instant now = clock.instant();
    Optional<GrantRecord> rec = store.find(grantId);
    if (st == null || rec.isEmpty() || !rec.get().isLiveAt(now)) {
      return SKIPPED;
    }
    Credential credential;
    try {
      credential = st.source != null ? st.source.get() : st.latest;
    } catch (RuntimeException e) {
      LOG.warn("the credential source of grant {} failed with {}; grant revoked", grantId, e.getClass().getName());
      return new Revoke(RevocationReason.CREDENTIAL,
          ": the credential source failed (" + e.getClass().getSimpleName() + ")");
    }
    if (credential == null) {
      return new Revoke(RevocationReason.CREDENTIAL, ": the credential source gave no credential");
    }
    Admission.Proof proof = admission.reprove(credential, st.identity.id());
    WorkloadIdentity identity = proof.identity();
    if (proof.deny() != null || identity == null) {
      String why = proof.deny() == null ? "no identity" : String.join("; ", proof.deny().reasons());
      return new Revoke(RevocationReason.CREDENTIAL, ": " + why);
    }
    st.identity = identity;
    st.latest = credential;
    GrantRequest request = st.request.withCredential(credential);
    Admission.Evaluation ev = admission.evaluatePolicy(identity, request, now, false);
    if (ev.cause() != null) {
      LOG.warn("policy failed with {} re-minting grant {}; grant revoked", ev.cause().getClass().getName(), grantId);
    }
    GrantInfo old = rec.get().info();
    if (!(ev.decision() instanceof Decision.Allow allow)) {
      return new Revoke(RevocationReason.POLICY, "");
    }
    Issuer.Terms terms;
    try {
      terms = issuer.terms(old.actions(), request, allow.terms(), null, old.breakGlass(), identity.expiresAt(), now);
    } catch (Issuer.Refused e) {
      return new Revoke(RevocationReason.POLICY, "");
    }
    GrantInfo info = old.toBuilder()
        .actions(terms.actions()).issuedAt(now).expiresAt(terms.expiresAt()).ruleIds(allow.ruleIds()).build();
    String token;
    try {
      token = issuer.sign(info, identity);
    } catch (JOSEException | RuntimeException e) {
      LOG.error("re-minting grant {} failed with {}; it will expire at {}", grantId, e.getClass().getName(), old.expiresAt());
      return SKIPPED;
    }
    boolean[] applied = new boolean[1];
    store.update(grantId, r -> {
      if (!r.isLiveAt(now)) {
        return r;
      }
      applied[0] = true;
      return r.withInfo(info);
    });
    if (!applied[0]) {
      return SKIPPED;
    }
    st.grant.refresh(info, token);
    Map<String, String> f = BrokerEvents.grantFields(info);
    f.put(AuditEvent.TOKEN_SHA256, GrantTokens.sha256(token));
    BrokerEvents.putDecision(f, allow);
    events.record(AuditEventType.REMINTED, f);
    return new Reminted(info, terms);
  }
}
