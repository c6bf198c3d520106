package dev.jitaccess;

import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a resource server expects of a grant token beyond a valid signature: its own audience, and
 * optionally the task it serves (anti-reuse), the actions the call needs, and the holder's proof of
 * possession for sender-constrained tokens: the mTLS peer certificate (RFC 8705) or a DPoP proof with the
 * request's method and URI (RFC 9449). Immutable; built with {@link #builder(String)}.
 */
public final class VerificationRequest {
  private final String audience;
  private final @Nullable String taskId;
  private final Set<String> requiredActions;
  private final @Nullable X509Certificate peerCertificate;
  private final @Nullable String dpopProof;
  private final @Nullable String httpMethod;
  private final @Nullable String httpUri;
  private final boolean requireProofOfPossession;
  private final boolean inspectOnly;

  private VerificationRequest(Builder b) {
    this.audience = b.audience;
    this.taskId = b.taskId;
    this.requiredActions = Set.copyOf(b.requiredActions);
    this.peerCertificate = b.peerCertificate;
    this.dpopProof = b.dpopProof;
    this.httpMethod = b.httpMethod;
    this.httpUri = b.httpUri;
    this.requireProofOfPossession = b.requireProofOfPossession;
    this.inspectOnly = b.inspectOnly;
  }

  /** Starts a builder for a resource server whose audience value is {@code audience}. */
  public static Builder builder(String audience) {
    return new Builder(audience);
  }

  /** The resource server's audience; the token's {@code aud} must contain it. */
  public String audience() {
    return audience;
  }

  /** The task the resource server expects the token to be bound to, if it checks. */
  public Optional<String> taskId() {
    return Optional.ofNullable(taskId);
  }

  /** Actions the call needs; each must be in the token's scope. */
  public Set<String> requiredActions() {
    return requiredActions;
  }

  /** The client certificate of the mutual-TLS connection the token arrived on, if any. */
  public Optional<X509Certificate> peerCertificate() {
    return Optional.ofNullable(peerCertificate);
  }

  /** The DPoP proof (the {@code DPoP} HTTP header), if any. Never shown by {@code toString()}. */
  public Optional<String> dpopProof() {
    return Optional.ofNullable(dpopProof);
  }

  /** The HTTP method of the request the DPoP proof must name. */
  public Optional<String> httpMethod() {
    return Optional.ofNullable(httpMethod);
  }

  /** The HTTP URI of the request the DPoP proof must name (query and fragment are ignored). */
  public Optional<String> httpUri() {
    return Optional.ofNullable(httpUri);
  }

  /** Whether tokens that are not sender-constrained are refused. */
  public boolean requireProofOfPossession() {
    return requireProofOfPossession;
  }

  /** Whether the token is only inspected, without acting as its holder: see {@link Builder#inspectOnly()}. */
  public boolean inspectOnly() {
    return inspectOnly;
  }

  @Override
  public String toString() {
    return "VerificationRequest[audience=" + audience + (inspectOnly ? ", inspectOnly" : "")
        + (taskId == null ? "" : ", task=" + taskId)
        + ", requiredActions=" + requiredActions + (dpopProof == null ? "" : ", dpop=<redacted>")
        + (peerCertificate == null ? "" : ", peerCertificate=present") + "]";
  }

  /** Builds a {@link VerificationRequest}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private final String audience;
    private @Nullable String taskId;
    private final Set<String> requiredActions = new LinkedHashSet<>();
    private @Nullable X509Certificate peerCertificate;
    private @Nullable String dpopProof;
    private @Nullable String httpMethod;
    private @Nullable String httpUri;
    private boolean requireProofOfPossession;
    private boolean inspectOnly;

    private Builder(String audience) {
      Objects.requireNonNull(audience, "audience");
      if (audience.isBlank()) {
        throw new IllegalArgumentException("audience must not be blank");
      }
      this.audience = audience;
    }

    /** Refuse tokens bound to another task (reported as reuse). */
    public Builder taskId(String taskId) {
      Objects.requireNonNull(taskId, "taskId");
      if (this.taskId != null) {
        throw new IllegalStateException("taskId was already set");
      }
      this.taskId = taskId;
      return this;
    }

    /** Refuse tokens whose scope lacks any of these actions. */
    public Builder requiredActions(String... actions) {
      for (String a : Objects.requireNonNull(actions, "actions")) {
        requiredActions.add(Objects.requireNonNull(a, "action"));
      }
      return this;
    }

    /** The mutual-TLS client certificate, for tokens bound with {@code cnf.x5t#S256}. */
    public Builder peerCertificate(X509Certificate certificate) {
      Objects.requireNonNull(certificate, "peerCertificate");
      if (this.peerCertificate != null) {
        throw new IllegalStateException("peerCertificate was already set");
      }
      this.peerCertificate = certificate;
      return this;
    }

    /** The DPoP proof and the method and URI of the HTTP request it came with. */
    public Builder dpop(String proof, String httpMethod, String httpUri) {
      Objects.requireNonNull(proof, "proof");
      Objects.requireNonNull(httpMethod, "httpMethod");
      Objects.requireNonNull(httpUri, "httpUri");
      if (this.dpopProof != null) {
        throw new IllegalStateException("dpop was already set");
      }
      this.dpopProof = proof;
      this.httpMethod = httpMethod;
      this.httpUri = httpUri;
      return this;
    }

    /** Refuse bearer tokens: only sender-constrained tokens with a valid proof pass. */
    public Builder requireProofOfPossession() {
      this.requireProofOfPossession = true;
      return this;
    }

    /**
     * Inspect the token as an introspection or token endpoint does, not as a call by its holder: every check
     * runs (signature, claims, the broker's record, revocation, expiry, idle time, ancestors) but nothing
     * changes: a single-use grant is not consumed (one already used is refused as
     * {@link Verification.RejectionReason#REPLAYED}) and a DPoP proof's {@code jti} is not recorded. The
     * holder's proof of possession is checked when the request carries one (a DPoP proof or a peer
     * certificate); without one, a sender-constrained token is not refused for that alone. A verification
     * in this mode therefore never authorizes a call by the token's holder.
     */
    public Builder inspectOnly() {
      if (this.inspectOnly) {
        throw new IllegalStateException("inspectOnly was already set");
      }
      this.inspectOnly = true;
      return this;
    }

    /** Builds the request. */
    public VerificationRequest build() {
      return new VerificationRequest(this);
    }
  }
}
