package dev.jitaccess;

import dev.jitaccess.spi.GrantListener;
import java.time.Duration;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A request to attenuate a live grant into a sub-grant for another identity (a tool, a sub-agent): a
 * subset of the parent's actions, on the parent's resource or a resource below it, for no longer than
 * the parent has left. The delegator proves it holds the parent: with the {@link Grant} handle the broker
 * gave it ({@link #builder(Grant)}), or with the parent's token ({@link #fromParentToken(String)}) and,
 * when the parent is sender-constrained, its proof of possession. The grant id alone is not enough: it
 * is not a secret. The delegate proves what it is with its own {@link Credential}; the policy sees the
 * request with the attributes {@value #PARENT_ATTRIBUTE}, {@value #DEPTH_ATTRIBUTE} and
 * {@value #DELEGATOR_ATTRIBUTE}, which only the broker sets. Immutable. {@code toString()} never shows a
 * token or credential.
 */
public final class DelegationRequest {
  /** Request attribute naming the parent grant id, for policies. */
  public static final String PARENT_ATTRIBUTE = "delegation.parent";
  /** Request attribute with the depth the sub-grant would have (1 for a child of a direct grant). */
  public static final String DEPTH_ATTRIBUTE = "delegation.depth";
  /** Request attribute naming the delegating identity (the parent's holder). */
  public static final String DELEGATOR_ATTRIBUTE = "delegation.delegator";

  private final @Nullable Grant parentGrant;
  private final @Nullable String parentToken;
  private final @Nullable String parentDpopProof;
  private final @Nullable String httpMethod;
  private final @Nullable String httpUri;
  private final @Nullable X509Certificate parentCertificate;
  private final Credential credential;
  private final Set<String> actions;
  private final @Nullable String resource;
  private final Duration ttl;
  private final @Nullable String justification;
  private final @Nullable String dpopKey;
  private final List<GrantListener> listeners;

  private DelegationRequest(Builder b) {
    this.parentGrant = b.parentGrant;
    this.parentToken = b.parentToken;
    this.parentDpopProof = b.parentDpopProof;
    this.httpMethod = b.httpMethod;
    this.httpUri = b.httpUri;
    this.parentCertificate = b.parentCertificate;
    this.credential = Objects.requireNonNull(b.credential, "credential");
    this.actions = Set.copyOf(b.actions);
    this.resource = b.resource;
    this.ttl = Objects.requireNonNull(b.ttl, "ttl");
    this.justification = b.justification;
    this.dpopKey = b.dpopKey;
    this.listeners = List.copyOf(b.listeners);
  }

  /** Starts a builder for a sub-grant of {@code parent}, a grant handle the broker gave the caller. */
  public static Builder builder(Grant parent) {
    Objects.requireNonNull(parent, "parent");
    return new Builder(parent, null);
  }

  /**
   * Starts a builder for a sub-grant of the grant whose token is {@code parentToken}: the broker verifies
   * the token as a resource server would (signature, issuer, revocation, expiry, single use) and, for a
   * sender-constrained parent, the proof given with {@link Builder#parentDpop} or
   * {@link Builder#parentCertificate}.
   */
  public static Builder fromParentToken(String parentToken) {
    Objects.requireNonNull(parentToken, "parentToken");
    if (parentToken.isBlank()) {
      throw new IllegalArgumentException("parentToken must not be blank");
    }
    return new Builder(null, parentToken);
  }

  /** The parent grant handle, when the delegator holds one. */
  public Optional<Grant> parentGrant() {
    return Optional.ofNullable(parentGrant);
  }

  /** The parent's token, when the delegator presents it instead of a handle. */
  public Optional<String> parentToken() {
    return Optional.ofNullable(parentToken);
  }

  /** The DPoP proof for the parent's token, if given. */
  public Optional<String> parentDpopProof() {
    return Optional.ofNullable(parentDpopProof);
  }

  /** The HTTP method the parent's DPoP proof was made for, if given. */
  public Optional<String> httpMethod() {
    return Optional.ofNullable(httpMethod);
  }

  /** The HTTP URI the parent's DPoP proof was made for, if given. */
  public Optional<String> httpUri() {
    return Optional.ofNullable(httpUri);
  }

  /** The mTLS client certificate the parent's token is bound to, if given. */
  public Optional<X509Certificate> parentCertificate() {
    return Optional.ofNullable(parentCertificate);
  }

  /** The delegate's credential. */
  public Credential credential() {
    return credential;
  }

  /** The actions asked for; must be a subset of the parent's. */
  public Set<String> actions() {
    return actions;
  }

  /** The resource, if narrower than the parent's. */
  public Optional<String> resource() {
    return Optional.ofNullable(resource);
  }

  /** The requested lifetime; capped at what the parent has left. */
  public Duration ttl() {
    return ttl;
  }

  /** Why the delegation is needed, if given. */
  public Optional<String> justification() {
    return Optional.ofNullable(justification);
  }

  /** The delegate's DPoP public key (JWK JSON), to bind the sub-grant to it. */
  public Optional<String> dpopKey() {
    return Optional.ofNullable(dpopKey);
  }

  /** Callbacks for the sub-grant only. */
  public List<GrantListener> listeners() {
    return listeners;
  }

  @Override
  public String toString() {
    String parent = parentGrant != null ? parentGrant.id() : "token:<redacted>";
    return "DelegationRequest[parent=" + parent + ", actions=" + actions + ", ttl=" + ttl
        + ", credential=" + credential + "]";
  }

  /** Builds a {@link DelegationRequest}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private final @Nullable Grant parentGrant;
    private final @Nullable String parentToken;
    private @Nullable String parentDpopProof;
    private @Nullable String httpMethod;
    private @Nullable String httpUri;
    private @Nullable X509Certificate parentCertificate;
    private @Nullable Credential credential;
    private final Set<String> actions = new LinkedHashSet<>();
    private @Nullable String resource;
    private @Nullable Duration ttl;
    private @Nullable String justification;
    private @Nullable String dpopKey;
    private final List<GrantListener> listeners = new ArrayList<>();

    private Builder(@Nullable Grant parentGrant, @Nullable String parentToken) {
      this.parentGrant = parentGrant;
      this.parentToken = parentToken;
    }

    /**
     * The DPoP proof of possession for a DPoP-bound parent token, made for {@code httpMethod} and
     * {@code httpUri} (the request that carried it) with the token's {@code ath}. Only with
     * {@link #fromParentToken}.
     */
    public Builder parentDpop(String proof, String httpMethod, String httpUri) {
      Objects.requireNonNull(proof, "proof");
      Objects.requireNonNull(httpMethod, "httpMethod");
      Objects.requireNonNull(httpUri, "httpUri");
      if (parentToken == null) {
        throw new IllegalStateException("parentDpop goes with fromParentToken; a Grant handle needs no proof");
      }
      if (this.parentDpopProof != null) {
        throw new IllegalStateException("parentDpop was already set");
      }
      this.parentDpopProof = proof;
      this.httpMethod = httpMethod;
      this.httpUri = httpUri;
      return this;
    }

    /** The mTLS client certificate a certificate-bound parent token is bound to. Only with {@link #fromParentToken}. */
    public Builder parentCertificate(X509Certificate certificate) {
      Objects.requireNonNull(certificate, "certificate");
      if (parentToken == null) {
        throw new IllegalStateException("parentCertificate goes with fromParentToken; a Grant handle needs no proof");
      }
      if (this.parentCertificate != null) {
        throw new IllegalStateException("parentCertificate was already set");
      }
      this.parentCertificate = certificate;
      return this;
    }

    /** The delegate's own credential. Required. */
    public Builder credential(Credential credential) {
      Objects.requireNonNull(credential, "credential");
      if (this.credential != null) {
        throw new IllegalStateException("credential was already set");
      }
      this.credential = credential;
      return this;
    }

    /** The actions; at least one is required. */
    public Builder actions(String... actions) {
      return actions(List.of(Objects.requireNonNull(actions, "actions")));
    }

    /** The actions; at least one is required. */
    public Builder actions(Collection<String> actions) {
      GrantRequest.builder().actions(actions); // same validation as a grant request
      this.actions.addAll(actions);
      return this;
    }

    /** A resource at or below the parent's resource ({@code parent + "/..."}). */
    public Builder resource(String resource) {
      Objects.requireNonNull(resource, "resource");
      if (this.resource != null) {
        throw new IllegalStateException("resource was already set");
      }
      GrantRequest.builder().resource(resource);
      this.resource = resource;
      return this;
    }

    /** The requested lifetime; positive. Required. */
    public Builder ttl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (this.ttl != null) {
        throw new IllegalStateException("ttl was already set");
      }
      GrantRequest.builder().ttl(ttl);
      this.ttl = ttl;
      return this;
    }

    /** Why the delegation is needed. */
    public Builder justification(String justification) {
      Objects.requireNonNull(justification, "justification");
      if (this.justification != null) {
        throw new IllegalStateException("justification was already set");
      }
      GrantRequest.builder().justification(justification);
      this.justification = justification;
      return this;
    }

    /** Binds the sub-grant to the delegate's DPoP key (a public JWK JSON). */
    public Builder dpopKey(String publicJwk) {
      Objects.requireNonNull(publicJwk, "dpopKey");
      if (this.dpopKey != null) {
        throw new IllegalStateException("dpopKey was already set");
      }
      GrantRequest.builder().dpopKey(publicJwk);
      this.dpopKey = publicJwk;
      return this;
    }

    /** Adds a callback for the sub-grant only. */
    public Builder listener(GrantListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds the request.
     *
     * @throws IllegalStateException if the credential, actions or TTL are missing
     */
    public DelegationRequest build() {
      if (credential == null) {
        throw new IllegalStateException("credential is required");
      }
      if (actions.isEmpty()) {
        throw new IllegalStateException("at least one action is required");
      }
      if (ttl == null) {
        throw new IllegalStateException("ttl is required");
      }
      return new DelegationRequest(this);
    }
  }
}
