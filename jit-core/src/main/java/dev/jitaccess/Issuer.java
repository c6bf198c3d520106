package dev.jitaccess;

import com.nimbusds.jose.JOSEException;
import dev.jitaccess.internal.GrantTokens;
import dev.jitaccess.internal.BrokerKeys;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.IdSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes grants: the one rule for a grant's terms ({@link #terms}, used by first issue, delegation and
 * re-mint alike), the grant's facts, its signed token, and its record in the store with the quotas.
 */
final class Issuer {
  private static final Logger LOG = LoggerFactory.getLogger(GrantBroker.class);

  /**
   * What a grant gets, from what was asked and what the policy allows.
   *
   * @param actions the requested actions the policy grants (never empty)
   * @param breakGlass whether the grant is break-glass
   * @param ttl the token lifetime
   * @param issuedAt when the token is issued
   * @param expiresAt when the token expires
   * @param idle the idle timeout, or null for none
   * @param idleDeadline when the grant goes idle ({@link Instant#MAX} without an idle timeout)
   */
  record Terms(Set<String> actions, boolean breakGlass, Duration ttl, Instant issuedAt, Instant expiresAt,
      @Nullable Duration idle, Instant idleDeadline) {}

  /** The request cannot be granted on the policy's terms; the message says why. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String reason) {
      super(reason, null, false, false);
    }
  }

  private final String issuer;
  private final Duration maxTtl;
  private final Duration breakGlassTtl;
  private final int maxPerIdentity;
  private final int maxPerTask;
  private final @Nullable Duration credentialExpiryGrace;
  private final GrantStore store;
  private final BrokerKeys keys;
  private final BrokerEvents events;
  private final IdSource ids;

  Issuer(BrokerConfig config, BrokerKeys keys, BrokerEvents events) {
    this.issuer = config.issuer();
    this.ids = config.idSource();
    this.maxTtl = config.maxTtl();
    this.breakGlassTtl = config.breakGlassTtl();
    this.maxPerIdentity = config.maxPerIdentity();
    this.maxPerTask = config.maxPerTask();
    this.credentialExpiryGrace = config.credentialExpiryGrace();
    this.store = config.store();
    this.keys = keys;
    this.events = events;
  }

  /**
   * The one rule for a grant's terms. Actions: those wanted that the policy grants. Lifetime: the
   * shortest of what was asked, the policy's maximum and the broker's; a break-glass grant (asked for,
   * required by the policy, or inherited) no longer than the broker's break-glass TTL; a sub-grant no
   * longer than its parent has left; when the policy's rule or the broker caps grants at the credential's
   * expiry, no later than the credential's expiry plus the shorter grace. The idle deadline never passes
   * the expiry unless the grant renews.
   *
   * @param wanted the actions asked for (a re-mint asks for those the grant has)
   * @param request the request (its TTL, break-glass and renewing flags)
   * @param granted what the policy allows
   * @param parent the parent grant of a sub-grant, or null
   * @param inheritedBreakGlass whether the grant is break-glass already (a re-mint of one)
   * @param credentialExpiresAt when the presenting credential expires ({@link Instant#MAX} if never)
   * @param now the issue time
   * @throws Refused when nothing can be granted
   */
  Terms terms(Set<String> wanted, GrantRequest request, GrantTerms granted, @Nullable GrantRecord parent,
      boolean inheritedBreakGlass, Instant credentialExpiresAt, Instant now) throws Refused {
    Set<String> actions = new LinkedHashSet<>(wanted);
    actions.retainAll(granted.actions());
    if (actions.isEmpty()) {
      throw new Refused("policy granted none of the requested actions");
    }
    if (request.renewing() && !granted.renewable()) {
      throw new Refused("the policy does not allow a renewing grant");
    }
    boolean breakGlass = inheritedBreakGlass || request.breakGlass() || granted.breakGlass()
        || (parent != null && parent.info().breakGlass());
    Duration ttl = min(min(request.ttl(), granted.maxTtl()), maxTtl);
    if (breakGlass) {
      ttl = min(ttl, breakGlassTtl);
    }
    if (parent != null) {
      ttl = min(ttl, Duration.between(now, parent.deadline()));
      if (ttl.isNegative() || ttl.isZero()) {
        throw new Refused("delegation: the parent grant has no lifetime left");
      }
    }
    Duration grace = granted.credentialExpiryGrace();
    if (credentialExpiryGrace != null && (grace == null || credentialExpiryGrace.compareTo(grace) < 0)) {
      grace = credentialExpiryGrace;
    }
    if (grace != null) {
      Instant cap = credentialExpiresAt.isAfter(Instant.MAX.minus(grace)) ? Instant.MAX : credentialExpiresAt.plus(grace);
      if (!cap.isAfter(now)) {
        throw new Refused("lifetime: grants are capped at the credential's expiry (" + credentialExpiresAt
            + ") plus " + grace + ", which has passed");
      }
      ttl = min(ttl, Duration.between(now, cap));
    }
    Instant expiresAt = now.plus(ttl);
    Duration idle = granted.idleTimeout();
    Instant idleDeadline = Instant.MAX;
    if (idle != null) {
      idleDeadline = now.plus(idle);
      if (!request.renewing() && idleDeadline.isAfter(expiresAt)) {
        idleDeadline = expiresAt;
      }
    }
    return new Terms(Collections.unmodifiableSet(actions), breakGlass, ttl, now, expiresAt, idle, idleDeadline);
  }

  /** The facts of a new grant (a fresh id) on {@code terms}. */
  GrantInfo info(WorkloadIdentity identity, GrantRequest request, Terms terms, GrantTerms granted,
      List<String> ruleIds, @Nullable String approvalId, List<Approval> approvals, @Nullable GrantRecord parent) {
    List<String> delegators = new ArrayList<>();
    int delegationsLeft = granted.maxDelegationDepth();
    if (parent != null) {
      delegators.add(parent.info().subject());
      delegators.addAll(parent.info().delegators());
      delegationsLeft = Math.min(delegationsLeft, parent.info().delegationsLeft() - 1);
    }
    return GrantInfo.builder()
        .grantId(newId())
        .subject(identity.id())
        .issuer(issuer)
        .resource(request.resource())
        .actions(terms.actions())
        .taskId(request.taskId())
        .purpose(request.purpose())
        .environment(request.environment())
        // a sub-grant is issued on behalf of its parent's subject: it keeps the parent's owner (if any), so
        // every grant of a delegation chain binds the task to the same owner (GrantRecord.taskOwner)
        .owner((parent != null ? parent.info().owner() : identity.owner()).orElse(null))
        .issuedAt(terms.issuedAt())
        .expiresAt(terms.expiresAt())
        .approvalId(approvalId)
        .approvals(approvals)
        .breakGlass(terms.breakGlass())
        .singleUse(granted.singleUse() || (parent != null && parent.info().singleUse()))
        .ruleIds(ruleIds)
        .delegation(parent == null ? null : parent.grantId(), delegators)
        .delegationsLeft(Math.max(0, delegationsLeft))
        .certificateThumbprint(identity.certificateThumbprint().orElse(null))
        .keyThumbprint(request.keyThumbprint().orElse(null))
        .build();
  }

  /**
   * Inserts the live record, checking both quotas in the store.
   *
   * @throws AccessDeniedException (audited) when a quota is reached or the store fails
   */
  void insert(GrantInfo info, Terms terms, WorkloadIdentity identity, GrantRequest request, Decision allow) {
    GrantStore.InsertResult inserted;
    try {
      inserted = store.insert(GrantRecord.live(info, terms.idle(), terms.idleDeadline()), maxPerIdentity, maxPerTask,
          allow instanceof Decision.Allow a && a.terms().sharedTask());
    } catch (RuntimeException e) {
      LOG.warn("grant store failed with {}; request denied", e.getClass().getName());
      throw events.denied(identity, request, allow, e, "store: the grant store failed", DenialCategory.UNAVAILABLE);
    }
    if (inserted != GrantStore.InsertResult.INSERTED) {
      String owner = GrantRecord.live(info, terms.idle(), terms.idleDeadline()).taskOwner();
      throw switch (inserted) {
        case IDENTITY_QUOTA_EXCEEDED -> events.denied(identity, request, allow, null,
            "quota: identity " + identity.id() + " already holds " + maxPerIdentity + " live grants", DenialCategory.QUOTA);
        case TASK_QUOTA_EXCEEDED -> events.denied(identity, request, allow, null,
            "quota: owner " + owner + " already holds " + maxPerTask + " live grants in task " + request.taskId(),
            DenialCategory.QUOTA);
        case TASK_BOUND_TO_ANOTHER_OWNER -> events.denied(identity, request, allow, null,
            "task: task " + request.taskId() + " belongs to another owner while it has live grants", DenialCategory.POLICY);
        default -> events.denied(identity, request, allow, null, "store: duplicate grant id", DenialCategory.UNAVAILABLE);
      };
    }
  }

  /**
   * Signs the token of {@code info} with the active key (a key due for rotation is first replaced, and
   * with a key directory published, before anything is signed with it).
   *
   * @throws RuntimeException when no key may sign now (nothing is signed)
   */
  String sign(GrantInfo info, WorkloadIdentity identity) throws JOSEException {
    return GrantTokens.sign(keys.signingKey(), GrantTokens.claims(info, identity.issuer(), identity.kind()));
  }

  /**
   * Records ISSUED (and BREAK_GLASS) for a new grant.
   *
   * @throws RuntimeException from the audit sink, for the caller to decide
   */
  void auditIssued(GrantInfo info, String token, Decision allow, GrantRequest request) {
    Map<String, String> f = BrokerEvents.grantFields(info);
    f.put(AuditEvent.TOKEN_SHA256, GrantTokens.sha256(token));
    BrokerEvents.putDecision(f, allow);
    request.justification().ifPresent(j -> f.put(AuditEvent.JUSTIFICATION, j));
    events.recordOrThrow(AuditEventType.ISSUED, f);
    if (info.breakGlass()) {
      events.recordOrThrow(AuditEventType.BREAK_GLASS, f);
    }
  }

  /**
   * A fresh id from the configured {@link IdSource}, checked against {@link IdSource#FORMAT}.
   *
   * @throws IllegalStateException (nothing is issued) when the source returns a malformed id
   */
  String newId() {
    String id = ids.nextId();
    if (id == null || !IdSource.FORMAT.matcher(id).matches()) {
      throw new IllegalStateException("the id source returned a malformed id (length "
          + (id == null ? "null" : String.valueOf(id.length())) + "); ids must match " + IdSource.FORMAT.pattern());
    }
    return id;
  }

  static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
