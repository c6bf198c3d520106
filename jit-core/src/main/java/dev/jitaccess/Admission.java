package dev.jitaccess;

import dev.jitaccess.internal.CredentialCache;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityVerifier;
import dev.jitaccess.spi.PolicyContext;
import dev.jitaccess.spi.PolicyEvaluator;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's front door: checks the credential's size, verifies the identity (through the credential
 * cache when one is configured) and asks the policy, giving an {@link Evaluation}. Any exception of a
 * verifier or the policy is a denial that keeps the cause.
 */
final class Admission {
  private static final Logger LOG = LoggerFactory.getLogger(GrantBroker.class);
  private static final int MAX_CHAIN_LENGTH = 16;

  /**
   * What admission decided. The identity is null only with a Deny (the credential did not verify).
   *
   * @param identity the verified identity, or null
   * @param decision the decision
   * @param cause the failure behind a Deny, if any
   */
  record Evaluation(@Nullable WorkloadIdentity identity, Decision decision, @Nullable Throwable cause) {
    /** The verified identity behind an Allow or NeedsApproval decision. */
    WorkloadIdentity verifiedIdentity() {
      return Objects.requireNonNull(identity, "a decision other than Deny always has a verified identity");
    }
  }

  private final List<IdentityVerifier> identityVerifiers;
  private final PolicyEvaluator policy;
  private final Clock clock;
  private final int maxCredentialBytes;
  private final @Nullable CredentialCache credentialCache;
  /**
   * When each identity was last revoked (the watermark), kept for the configured window: a credential of
   * that identity issued at or before it, or of unknown issue time, is refused while the window lasts.
   */
  private final com.github.benmanes.caffeine.cache.Cache<String, Instant> revokedAt;
  private final java.time.Duration revocationWindow;

  Admission(BrokerConfig config) {
    this.identityVerifiers = config.identityVerifiers();
    this.policy = config.policy();
    this.clock = config.clock();
    this.maxCredentialBytes = config.maxCredentialBytes();
    this.credentialCache = config.credentialCacheMaxAge() == null
        ? null
        : new CredentialCache(clock, config.credentialCacheMaxAge(), config.credentialCacheSize());
    this.revocationWindow = config.identityRevocationWindow();
    this.revokedAt = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
        .maximumSize(1_000_000)
        .expireAfterWrite(revocationWindow)
        .build();
  }

  /**
   * What a credential proves: the verified identity, or the denial (with the verifier's failure, if any).
   * The identity is present with a denial only when the credential verified but may not be used (it
   * expired, or its identity is under a revocation watermark).
   *
   * @param identity the verified identity, or null
   * @param deny why the credential is refused, or null
   * @param cause the failure behind the denial, if any
   */
  record Proof(@Nullable WorkloadIdentity identity, Decision.@Nullable Deny deny, @Nullable Throwable cause) {
    static Proof refused(@Nullable WorkloadIdentity identity, DenialCategory category, String reason,
        @Nullable Throwable cause) {
      return new Proof(identity, Decision.deny(category, "identity: " + reason), cause);
    }
  }

  /** Verifies the identity and evaluates the policy; {@code explain}: a dry run, asking for full reasons. */
  Evaluation decide(GrantRequest request, boolean explain) {
    Instant now = clock.instant();
    Proof proof = prove(request.credential(), now);
    if (proof.deny() != null || proof.identity() == null) {
      return new Evaluation(proof.identity(), Objects.requireNonNull(proof.deny(), "a proof without identity denies"),
          proof.cause());
    }
    return evaluatePolicy(proof.identity(), request, now, explain);
  }

  /**
   * Re-verifies the identity behind a renewing grant with the credential presented for its re-mint: the
   * same checks as a first request (size, verifier, expiry, revocation watermark), and the credential
   * must name the same identity.
   */
  Proof reprove(Credential credential, String expectedIdentity) {
    Proof proof = prove(credential, clock.instant());
    WorkloadIdentity identity = proof.identity();
    if (proof.deny() == null && identity != null && !identity.id().equals(expectedIdentity)) {
      return Proof.refused(identity, DenialCategory.IDENTITY,
          "the credential names identity " + identity.id() + ", not the grant's " + expectedIdentity, null);
    }
    return proof;
  }

  /** The one path from a credential to a usable identity: size, cache, verifier, expiry, watermark. */
  private Proof prove(Credential credential, Instant now) {
    String tooBig = checkSize(credential);
    if (tooBig != null) {
      return Proof.refused(null, DenialCategory.IDENTITY, tooBig, null);
    }
    String cacheKey = credentialCache != null && credential instanceof Credential.Token token
        ? token.type() + " " + token.value()
        : null;
    Optional<WorkloadIdentity> cached =
        cacheKey == null || credentialCache == null ? Optional.empty() : credentialCache.get(cacheKey);
    if (cached.isPresent()) {
      return watermarked(cached.get(), now);
    }
    IdentityVerifier chosen = null;
    IdentityResult result;
    try {
      for (IdentityVerifier v : identityVerifiers) {
        if (v.supports(credential)) {
          chosen = v;
          break;
        }
      }
      if (chosen == null) {
        return Proof.refused(null, DenialCategory.IDENTITY, "no identity verifier accepts this kind of credential", null);
      }
      result = chosen.verify(credential);
    } catch (RuntimeException e) {
      LOG.warn("identity verifier failed with {}; request denied", e.getClass().getName());
      return Proof.refused(null, DenialCategory.UNAVAILABLE,
          "the identity verifier failed (" + e.getClass().getSimpleName() + ")", e);
    }
    if (result == null) {
      return Proof.refused(null, DenialCategory.UNAVAILABLE, "the identity verifier returned no result", null);
    }
    if (result instanceof IdentityResult.Rejected rejected) {
      return Proof.refused(null, DenialCategory.IDENTITY, rejected.reason(), null);
    }
    WorkloadIdentity identity = ((IdentityResult.Verified) result).identity();
    if (!now.isBefore(identity.expiresAt())) {
      return Proof.refused(identity, DenialCategory.IDENTITY, "the credential expired at " + identity.expiresAt(), null);
    }
    if (cacheKey != null && credentialCache != null) {
      credentialCache.put(cacheKey, identity);
    }
    return watermarked(identity, now);
  }

  /** A verified identity, refused under a revocation watermark. */
  private Proof watermarked(WorkloadIdentity identity, Instant now) {
    String revoked = revocationWatermark(identity, now);
    return revoked != null
        ? Proof.refused(identity, DenialCategory.IDENTITY, revoked, null)
        : new Proof(identity, null, null);
  }

  /**
   * The one watermark check: why a credential of an identity revoked within the window is refused, or
   * null. A credential issued after the revocation passes; one issued at or before it, or whose verifier
   * does not know its issue time, is refused until the window ends.
   */
  @Nullable String revocationWatermark(WorkloadIdentity identity, Instant now) {
    Instant at = revokedAt.getIfPresent(identity.id());
    if (at == null || !now.isBefore(at.plus(revocationWindow))) {
      return null;
    }
    Optional<Instant> issued = identity.issuedAt();
    if (issued.isPresent() && issued.get().isAfter(at)) {
      return null;
    }
    return "the identity was revoked at " + at + " and this credential was issued "
        + issued.map(i -> "at " + i).orElse("at an unknown time") + "; such credentials are refused until "
        + at.plus(revocationWindow);
  }

  /** Asks the policy about a verified identity's request; a throwing or silent policy denies. */
  Evaluation evaluatePolicy(WorkloadIdentity identity, GrantRequest request, Instant now, boolean explain) {
    Decision d;
    try {
      PolicyContext context = new PolicyContext(identity, request, now);
      d = explain ? policy.explain(context) : policy.evaluate(context);
    } catch (RuntimeException e) {
      LOG.warn("policy evaluation failed with {}; request denied", e.getClass().getName());
      return new Evaluation(identity, Decision.deny(DenialCategory.UNAVAILABLE, "policy: evaluation failed (" + e.getClass().getSimpleName() + ")"), e);
    }
    if (d == null) {
      return new Evaluation(identity, Decision.deny(DenialCategory.UNAVAILABLE, "policy: the policy returned no decision"), null);
    }
    return new Evaluation(identity, d, null);
  }

  /** Records that an identity was revoked now, and forgets its cached credentials. */
  void revoked(String identityId) {
    revokedAt.put(identityId, clock.instant());
    forget(identityId);
  }

  /** Whether the identity was revoked at or after {@code since} (within the revocation window). */
  boolean revokedSince(String identityId, Instant since) {
    Instant at = revokedAt.getIfPresent(identityId);
    return at != null && !at.isBefore(since);
  }

  /** Forgets the cached credentials of an identity. */
  void forget(String identityId) {
    if (credentialCache != null) {
      credentialCache.forget(identityId);
    }
  }

  private @Nullable String checkSize(Credential credential) {
    if (credential instanceof Credential.Token token) {
      int length = token.value().length();
      if (length > maxCredentialBytes) {
        return "credential is " + length + " bytes, the limit is " + maxCredentialBytes;
      }
    } else if (credential instanceof Credential.CertificateChain certificateChain) {
      int length = certificateChain.chain().size();
      if (length > MAX_CHAIN_LENGTH) {
        return "certificate chain has " + length + " certificates, the limit is " + MAX_CHAIN_LENGTH;
      }
    }
    return null;
  }
}
