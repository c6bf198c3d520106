package dev.jitaccess;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A verified workload identity: what an {@link dev.jitaccess.spi.IdentityVerifier} established from a
 * {@link Credential}. Policies match on it; grants are issued to it.
 *
 * <p>Immutable. Built with {@link #builder(String, String)}.
 */
public final class WorkloadIdentity {
  private final String id;
  private final String issuer;
  private final String kind;
  private final Map<String, Object> attributes;
  private final Instant expiresAt;
  private final @Nullable Instant issuedAt;
  private final @Nullable String owner;
  private final @Nullable String certificateThumbprint;

  private WorkloadIdentity(Builder b) {
    this.id = b.id;
    this.issuer = b.issuer;
    this.kind = b.kind;
    this.attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.attributes));
    this.expiresAt = b.expiresAt;
    this.issuedAt = b.issuedAt;
    this.owner = b.owner;
    this.certificateThumbprint = b.certificateThumbprint;
  }

  /**
   * Starts a builder.
   *
   * @param id the identity, for example {@code spiffe://prod.example.org/ci/deploy} or an OIDC
   *     {@code issuer#subject}
   * @param issuer who vouches for it: the SPIFFE trust domain ({@code spiffe://prod.example.org}) or
   *     the OIDC issuer URL
   */
  public static Builder builder(String id, String issuer) {
    return new Builder(id, issuer);
  }

  /** The identity string, used as the token's {@code sub}. */
  public String id() {
    return id;
  }

  /** Who vouches for the identity: a SPIFFE trust domain ID or an OIDC issuer. */
  public String issuer() {
    return issuer;
  }

  /** The kind of proof that established it, for example {@code jwt-svid}, {@code x509-svid}, {@code oidc}. */
  public String kind() {
    return kind;
  }

  /** The credential's attributes (claims, trust domain, path), immutable. */
  public Map<String, Object> attributes() {
    return attributes;
  }

  /** One attribute, if present. */
  public Optional<Object> attribute(String name) {
    return Optional.ofNullable(attributes.get(name));
  }

  /** When the presented credential itself expires. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /**
   * When the presented credential was issued ({@code iat} of a token, {@code notBefore} of a
   * certificate), when the verifier knows it. The broker refuses a credential issued before an
   * identity's revocation, or of unknown issue time, for a while after {@link GrantBroker#revokeIdentity}.
   */
  public Optional<Instant> issuedAt() {
    return Optional.ofNullable(issuedAt);
  }

  /** A stable owner (team, person, service) responsible for the workload, when known. */
  public Optional<String> owner() {
    return Optional.ofNullable(owner);
  }

  /** The SHA-256 thumbprint (base64url) of the leaf certificate for an X.509-SVID, for RFC 8705 binding. */
  public Optional<String> certificateThumbprint() {
    return Optional.ofNullable(certificateThumbprint);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof WorkloadIdentity that)) {
      return false;
    }
    return id.equals(that.id)
        && issuer.equals(that.issuer)
        && kind.equals(that.kind)
        && attributes.equals(that.attributes)
        && expiresAt.equals(that.expiresAt)
        && Objects.equals(issuedAt, that.issuedAt)
        && Objects.equals(owner, that.owner)
        && Objects.equals(certificateThumbprint, that.certificateThumbprint);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, issuer, kind, expiresAt);
  }

  @Override
  public String toString() {
    return "WorkloadIdentity[id=" + id + ", issuer=" + issuer + ", kind=" + kind
        + (owner == null ? "" : ", owner=" + owner) + ", expiresAt=" + expiresAt + "]";
  }

  /** Builds a {@link WorkloadIdentity}. Not thread-safe. */
  public static final class Builder {
    private final String id;
    private final String issuer;
    private String kind = "unknown";
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private Instant expiresAt = Instant.MAX;
    private @Nullable Instant issuedAt;
    private @Nullable String owner;
    private @Nullable String certificateThumbprint;

    private Builder(String id, String issuer) {
      this.id = requireText(id, "id");
      this.issuer = requireText(issuer, "issuer");
    }

    /** The kind of proof, for example {@code jwt-svid}. */
    public Builder kind(String kind) {
      this.kind = requireText(kind, "kind");
      return this;
    }

    /** Adds an attribute; values should be immutable (String, Number, Boolean, List, Map). */
    public Builder attribute(String name, Object value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      attributes.put(name, value);
      return this;
    }

    /** Adds every attribute of the map. */
    public Builder attributes(Map<String, ?> values) {
      Objects.requireNonNull(values, "values").forEach(this::attribute);
      return this;
    }

    /** When the presented credential expires; defaults to {@link Instant#MAX}. */
    public Builder expiresAt(Instant expiresAt) {
      this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
      return this;
    }

    /** When the presented credential was issued; unknown unless set. */
    public Builder issuedAt(Instant issuedAt) {
      this.issuedAt = Objects.requireNonNull(issuedAt, "issuedAt");
      return this;
    }

    /** The owner of the workload. */
    public Builder owner(String owner) {
      this.owner = requireText(owner, "owner");
      return this;
    }

    /** The base64url SHA-256 thumbprint of the leaf certificate. */
    public Builder certificateThumbprint(String thumbprint) {
      this.certificateThumbprint = requireText(thumbprint, "certificateThumbprint");
      return this;
    }

    /** Builds the identity. */
    public WorkloadIdentity build() {
      return new WorkloadIdentity(this);
    }

    private static String requireText(String value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank");
      }
      return value;
    }
  }
}
