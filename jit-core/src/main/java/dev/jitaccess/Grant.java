package dev.jitaccess;

import java.time.Instant;
import java.util.Objects;

/**
 * A live grant: a short-lived token bound to one task. Closing it revokes it with reason
 * {@link RevocationReason#COMPLETED}, so
 *
 * <pre>{@code
 * try (Grant grant = broker.request(request)) {
 *   callDatabase(grant.token());
 * }
 * }</pre>
 *
 * gives a credential that lives exactly as long as the task. Thread-safe. {@code toString()} never
 * shows the token.
 */
public final class Grant implements AutoCloseable {

  /** What a grant needs from the broker that issued it. Implemented inside jit-core. */
  interface Lifecycle {
    boolean revoke(String grantId, RevocationReason reason);

    boolean renew(String grantId);

    boolean renew(String grantId, Credential credential);

    boolean isLive(String grantId);
  }

  private final Lifecycle lifecycle;
  private volatile GrantInfo info;
  private volatile String token;

  Grant(Lifecycle lifecycle, GrantInfo info, String token) {
    this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    this.info = Objects.requireNonNull(info, "info");
    this.token = Objects.requireNonNull(token, "token");
  }

  /** The grant id (the token's {@code jti}). */
  public String id() {
    return info.grantId();
  }

  /**
   * The current access token (a signed JWT). For a renewing grant this changes each time the broker
   * re-mints it, so read it before each use rather than keeping it.
   */
  public String token() {
    return token;
  }

  /** The public facts of the grant. */
  public GrantInfo info() {
    return info;
  }

  /** When the current token expires. */
  public Instant expiresAt() {
    return info.expiresAt();
  }

  /** Whether the grant is still live: not revoked, not expired, not idle past its timeout. */
  public boolean isLive() {
    return lifecycle.isLive(id());
  }

  /**
   * Heartbeat: extends the idle deadline by the grant's idle timeout, never past its hard expiry.
   *
   * @return false if the grant is no longer live (it was revoked, expired or went idle)
   */
  public boolean renew() {
    return lifecycle.renew(id());
  }

  /**
   * Heartbeat that also re-presents a fresh credential for a renewing grant: the credential is verified
   * now, must name the grant's identity, and is the one the next re-mint re-verifies (so a grant whose
   * holder keeps presenting valid credentials keeps renewing, and one whose holder stops ends when the
   * last credential expires). Nothing changes when it does not verify.
   *
   * @return false if the grant is not live, or the credential does not verify as the grant's identity
   * @throws NullPointerException if {@code credential} is null
   */
  public boolean renew(Credential credential) {
    Objects.requireNonNull(credential, "credential");
    return lifecycle.renew(id(), credential);
  }

  /**
   * Revokes the grant because the task failed ({@link RevocationReason#FAILED}).
   *
   * @return true if this call ended the grant
   */
  public boolean fail() {
    return lifecycle.revoke(id(), RevocationReason.FAILED);
  }

  /** Revokes the grant because the task completed ({@link RevocationReason#COMPLETED}); idempotent. */
  @Override
  public void close() {
    lifecycle.revoke(id(), RevocationReason.COMPLETED);
  }

  /** Whether this handle was given out by {@code broker} (a handle cannot be made outside jit-core). */
  @SuppressWarnings("ReferenceEquality") // identity is the point: this very broker gave out the handle
  boolean issuedBy(Lifecycle broker) {
    return lifecycle == broker;
  }

  void refresh(GrantInfo newInfo, String newToken) {
    this.token = newToken;
    this.info = newInfo;
  }

  @Override
  public String toString() {
    GrantInfo i = info;
    return "Grant[id=" + i.grantId() + ", subject=" + i.subject() + ", task=" + i.taskId()
        + ", resource=" + i.resource() + ", actions=" + i.actions() + ", expiresAt=" + i.expiresAt()
        + ", token=<redacted>]";
  }
}
