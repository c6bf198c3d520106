package dev.jitaccess;

import dev.jitaccess.spi.GrantListener;
import java.time.Duration;
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
 * the parent has left. The delegate proves what it is with its own {@link Credential}; the policy sees
 * the request with the attributes {@value #PARENT_ATTRIBUTE}, {@value #DEPTH_ATTRIBUTE} and
 * {@value #DELEGATOR_ATTRIBUTE}. Immutable; built with {@link #builder(String)}.
 */
public final class DelegationRequest {
  /** Request attribute naming the parent grant id, for policies. */
  public static final String PARENT_ATTRIBUTE = "delegation.parent";
  /** Request attribute with the depth the sub-grant would have (1 for a child of a direct grant). */
  public static final String DEPTH_ATTRIBUTE = "delegation.depth";
  /** Request attribute naming the delegating identity (the parent's holder). */
  public static final String DELEGATOR_ATTRIBUTE = "delegation.delegator";

  private final String parentGrantId;
  private final Credential credential;
  private final Set<String> actions;
  private final @Nullable String resource;
  private final Duration ttl;
  private final @Nullable String justification;
  private final @Nullable String dpopKey;
  private final List<GrantListener> listeners;

  private DelegationRequest(Builder b) {
    this.parentGrantId = b.parentGrantId;
    this.credential = Objects.requireNonNull(b.credential, "credential");
    this.actions = Set.copyOf(b.actions);
    this.resource = b.resource;
    this.ttl = Objects.requireNonNull(b.ttl, "ttl");
    this.justification = b.justification;
    this.dpopKey = b.dpopKey;
    this.listeners = List.copyOf(b.listeners);
  }

  /** Starts a builder for a sub-grant of the live grant {@code parentGrantId}. */
  public static Builder builder(String parentGrantId) {
    return new Builder(parentGrantId);
  }

  /** The parent grant id. */
  public String parentGrantId() {
    return parentGrantId;
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
    return "DelegationRequest[parent=" + parentGrantId + ", actions=" + actions + ", ttl=" + ttl
        + ", credential=" + credential + "]";
  }

  /** Builds a {@link DelegationRequest}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private final String parentGrantId;
    private @Nullable Credential credential;
    private final Set<String> actions = new LinkedHashSet<>();
    private @Nullable String resource;
    private @Nullable Duration ttl;
    private @Nullable String justification;
    private @Nullable String dpopKey;
    private final List<GrantListener> listeners = new ArrayList<>();

    private Builder(String parentGrantId) {
      Objects.requireNonNull(parentGrantId, "parentGrantId");
      if (parentGrantId.isBlank()) {
        throw new IllegalArgumentException("parentGrantId must not be blank");
      }
      this.parentGrantId = parentGrantId;
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
