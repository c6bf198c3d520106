package dev.jitaccess;

import dev.jitaccess.internal.Arguments;
import dev.jitaccess.spi.GrantListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A request for a grant: who is asking (the presented {@link Credential}), for what task and purpose,
 * on which resource, for which actions, in which environment, for how long.
 *
 * <p>Immutable; built with {@link #builder()}. {@code toString()} never shows the credential.
 */
public final class GrantRequest {
  /** The longest task id, purpose, resource, action or environment accepted, in characters. */
  public static final int MAX_TEXT_LENGTH = 512;
  /** The most attributes a request may carry. */
  public static final int MAX_ATTRIBUTES = 64;
  /**
   * The prefix of the attributes only the broker sets (it tells the policy about a delegation through
   * them); a request that tries to set one, in any letter case, is refused.
   */
  public static final String RESERVED_ATTRIBUTE_PREFIX = "delegation.";
  /** The most actions a request may ask for. */
  public static final int MAX_ACTIONS = 64;

  private final Credential credential;
  private final String taskId;
  private final String purpose;
  private final String resource;
  private final Set<String> actions;
  private final String environment;
  private final Duration requestedTtl;
  private final Map<String, Object> attributes;
  private final @Nullable String justification;
  private final boolean breakGlass;
  private final boolean renewing;
  private final List<GrantListener> listeners;
  private final @Nullable String keyThumbprint;
  private final java.util.function.@Nullable Supplier<Credential> credentialSource;

  private GrantRequest(Builder b) {
    this.credential = Objects.requireNonNull(b.credential, "credential");
    this.taskId = Objects.requireNonNull(b.taskId, "taskId");
    this.purpose = Objects.requireNonNull(b.purpose, "purpose");
    this.resource = Objects.requireNonNull(b.resource, "resource");
    this.actions = Collections.unmodifiableSet(new LinkedHashSet<>(b.actions));
    this.environment = Objects.requireNonNull(b.environment, "environment");
    this.requestedTtl = Objects.requireNonNull(b.requestedTtl, "requestedTtl");
    this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(b.attributes));
    this.justification = b.justification;
    this.breakGlass = b.breakGlass;
    this.renewing = b.renewing;
    this.listeners = List.copyOf(b.listeners);
    this.keyThumbprint = b.keyThumbprint;
    this.credentialSource = b.credentialSource;
  }

  /** A copy presenting another credential (a renewing grant's re-mint re-verifies with it). */
  private GrantRequest(GrantRequest base, Credential credential) {
    this.credential = Objects.requireNonNull(credential, "credential");
    this.taskId = base.taskId;
    this.purpose = base.purpose;
    this.resource = base.resource;
    this.actions = base.actions;
    this.environment = base.environment;
    this.requestedTtl = base.requestedTtl;
    this.attributes = base.attributes;
    this.justification = base.justification;
    this.breakGlass = base.breakGlass;
    this.renewing = base.renewing;
    this.listeners = base.listeners;
    this.keyThumbprint = base.keyThumbprint;
    this.credentialSource = base.credentialSource;
  }

  /** This request presenting {@code other} instead of its credential. */
  GrantRequest withCredential(Credential other) {
    return new GrantRequest(this, other);
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this request's values, to derive a changed request. Each option copied from this
   * request may be set once more, replacing the copy ({@code actions(...)} replaces the copied actions,
   * {@code attribute(name, v)} a copied attribute of that name); options this request did not set keep
   * the set-once rule, and listeners add to the copied ones. {@code build()} checks the result as for a
   * new request.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.credential = credential;
    b.taskId = taskId;
    b.purpose = purpose;
    b.resource = resource;
    b.actions.addAll(actions);
    b.environment = environment;
    b.requestedTtl = requestedTtl;
    b.attributes.putAll(attributes);
    b.justification = justification;
    b.breakGlass = breakGlass;
    b.renewing = renewing;
    b.listeners.addAll(listeners);
    b.keyThumbprint = keyThumbprint;
    b.credentialSource = credentialSource;
    b.copied.addAll(List.of("credential", "taskId", "purpose", "resource", "actions", "environment", "ttl"));
    for (String name : attributes.keySet()) {
      b.copied.add(ATTRIBUTE + name);
    }
    if (justification != null) {
      b.copied.add("justification");
    }
    if (keyThumbprint != null) {
      b.copied.add("dpopKey");
    }
    if (credentialSource != null) {
      b.copied.add("credentialSource");
    }
    return b;
  }

  private static final String ATTRIBUTE = "attribute ";

  /** The credential the workload presents. */
  public Credential credential() {
    return credential;
  }

  /** The task this grant is for; a grant is never shared between tasks. */
  public String taskId() {
    return taskId;
  }

  /** Why the access is needed, in a word the policy knows (for example {@code deploy}, {@code backup}). */
  public String purpose() {
    return purpose;
  }

  /** The resource, which becomes the token's audience ({@code aud}). */
  public String resource() {
    return resource;
  }

  /** The actions asked for; the grant carries the subset the policy allows. */
  public Set<String> actions() {
    return actions;
  }

  /** The environment, for example {@code prod}. */
  public String environment() {
    return environment;
  }

  /**
   * How long the grant should live, as set with {@link Builder#ttl(Duration)}; the broker may shorten it,
   * never lengthen it.
   */
  public Duration ttl() {
    return requestedTtl;
  }

  /**
   * The same as {@link #ttl()}, under the name it had before the accessor took the builder's name.
   *
   * @deprecated use {@link #ttl()}; this alias goes in the next release
   */
  @Deprecated(forRemoval = true)
  @SuppressWarnings("InlineMeSuggester") // @InlineMe would add Error Prone's annotations to users' classpath
  public Duration requestedTtl() {
    return ttl();
  }

  /** Free attributes for the policy: ticket, pipeline run, risk score. Values are String, Number or Boolean. */
  public Map<String, Object> attributes() {
    return attributes;
  }

  /** A human-readable justification, if given. */
  public Optional<String> justification() {
    return Optional.ofNullable(justification);
  }

  /** Whether this is an emergency (break-glass) request. */
  public boolean breakGlass() {
    return breakGlass;
  }

  /** Whether the holder wants a renewing grant whose token is re-minted until the grant is closed. */
  public boolean renewing() {
    return renewing;
  }

  /**
   * Where a renewing grant gets a fresh credential for each re-mint, if set: the broker re-verifies the
   * identity with it before every re-mint, and ends the grant (reason CREDENTIAL) when it does not verify
   * as the same identity. Without it, each re-mint re-verifies the last credential presented (at request
   * time or through {@link Grant#renew(Credential)}), so the grant ends once that credential expires.
   */
  public Optional<java.util.function.Supplier<Credential>> credentialSource() {
    return Optional.ofNullable(credentialSource);
  }

  /** Callbacks for this grant only, called in addition to the broker's listeners. */
  public List<GrantListener> listeners() {
    return listeners;
  }

  /**
   * The RFC 7638 thumbprint (base64url SHA-256) of the holder's DPoP key, if the grant is to be bound
   * to it ({@code cnf.jkt}).
   */
  public Optional<String> keyThumbprint() {
    return Optional.ofNullable(keyThumbprint);
  }

  @Override
  public String toString() {
    return "GrantRequest[task=" + taskId + ", purpose=" + purpose + ", resource=" + resource
        + ", actions=" + actions + ", environment=" + environment + ", ttl=" + requestedTtl
        + (breakGlass ? ", breakGlass" : "") + ", credential=" + credential + "]";
  }

  /** Builds a {@link GrantRequest}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private @Nullable Credential credential;
    private @Nullable String taskId;
    private @Nullable String purpose;
    private @Nullable String resource;
    private final Set<String> actions = new LinkedHashSet<>();
    private @Nullable String environment;
    private @Nullable Duration requestedTtl;
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private @Nullable String justification;
    private boolean breakGlass;
    private boolean breakGlassSet;
    private boolean renewing;
    private boolean renewingSet;
    private final List<GrantListener> listeners = new ArrayList<>();
    private @Nullable String keyThumbprint;
    private java.util.function.@Nullable Supplier<Credential> credentialSource;
    /** Options copied by {@link GrantRequest#toBuilder()} and not replaced yet: each may be set once more. */
    private final Set<String> copied = new java.util.HashSet<>();

    private Builder() {}

    /**
     * Binds the grant to the holder's DPoP key (RFC 9449): the token carries {@code cnf.jkt}, and a
     * verifier accepts it only with a DPoP proof signed by that key.
     *
     * <p>The request keeps only the key's thumbprint, so the accessor for what this sets is
     * {@link GrantRequest#keyThumbprint()} (the same name as {@link GrantInfo#keyThumbprint()}).
     *
     * @param publicJwk the holder's public key as a JWK JSON object (EC, RSA of at least 2048 bits, or OKP); never a
     *     private key
     * @throws IllegalArgumentException if it is not such a key
     */
    public Builder dpopKey(String publicJwk) {
      Objects.requireNonNull(publicJwk, "dpopKey");
      once(this.keyThumbprint, "dpopKey");
      if (publicJwk.length() > 8192) {
        throw new IllegalArgumentException("dpopKey must be at most 8192 characters, got " + publicJwk.length());
      }
      com.nimbusds.jose.jwk.JWK jwk;
      try {
        jwk = com.nimbusds.jose.jwk.JWK.parse(publicJwk);
      } catch (java.text.ParseException | RuntimeException e) {
        // Nimbus' lenient parser throws unchecked exceptions for some inputs ("null"); all mean "not a JWK"
        throw new IllegalArgumentException("dpopKey is not a JWK");
      }
      if (jwk.isPrivate()) {
        throw new IllegalArgumentException("dpopKey must be a public key; never send a private key");
      }
      if (jwk instanceof com.nimbusds.jose.jwk.OctetSequenceKey) {
        throw new IllegalArgumentException("dpopKey must be an asymmetric key (EC, RSA or OKP)");
      }
      String shortKey = dev.jitaccess.internal.KeyMaterial.shortRsaKey(jwk);
      if (shortKey != null) {
        throw new IllegalArgumentException("dpopKey is " + shortKey);
      }
      try {
        this.keyThumbprint = jwk.computeThumbprint().toString();
      } catch (com.nimbusds.jose.JOSEException e) {
        throw new IllegalArgumentException("dpopKey has no computable thumbprint");
      }
      return this;
    }

    /** The credential presented by the workload. Required. */
    public Builder credential(Credential credential) {
      Objects.requireNonNull(credential, "credential");
      once(this.credential, "credential");
      this.credential = credential;
      return this;
    }

    /** The task id. Required. */
    public Builder taskId(String taskId) {
      once(this.taskId, "taskId");
      this.taskId = text(taskId, "taskId");
      return this;
    }

    /** The purpose. Required. */
    public Builder purpose(String purpose) {
      once(this.purpose, "purpose");
      this.purpose = text(purpose, "purpose");
      return this;
    }

    /** The resource (audience). Required. */
    public Builder resource(String resource) {
      once(this.resource, "resource");
      this.resource = text(resource, "resource");
      return this;
    }

    /** Adds actions. At least one is required. */
    public Builder actions(String... actions) {
      Objects.requireNonNull(actions, "actions");
      return actions(List.of(actions));
    }

    /** Adds actions. At least one is required. */
    public Builder actions(java.util.Collection<String> actions) {
      Objects.requireNonNull(actions, "actions");
      if (copied.remove("actions")) {
        this.actions.clear(); // the first actions of a derived builder replace the copied ones
      }
      for (String a : actions) {
        String action = text(a, "action");
        if (action.chars().anyMatch(Character::isWhitespace)) {
          throw new IllegalArgumentException("action must not contain white space: '" + action + "'");
        }
        this.actions.add(action);
      }
      if (this.actions.size() > MAX_ACTIONS) {
        throw new IllegalArgumentException("at most " + MAX_ACTIONS + " actions, got " + this.actions.size());
      }
      return this;
    }

    /** The environment. Required. */
    public Builder environment(String environment) {
      once(this.environment, "environment");
      this.environment = text(environment, "environment");
      return this;
    }

    /** The requested TTL; must be positive. Required. */
    public Builder ttl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      once(this.requestedTtl, "ttl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("ttl must be positive, got " + ttl);
      }
      this.requestedTtl = ttl;
      return this;
    }

    /**
     * Adds an attribute for the policy; the value must be a String, Number or Boolean. Names starting
     * with {@value GrantRequest#RESERVED_ATTRIBUTE_PREFIX} are reserved for the broker.
     *
     * @throws IllegalArgumentException for a reserved name, a bad value, or one attribute too many
     */
    public Builder attribute(String name, Object value) {
      text(name, "attribute name");
      if (name.regionMatches(true, 0, RESERVED_ATTRIBUTE_PREFIX, 0, RESERVED_ATTRIBUTE_PREFIX.length())) {
        throw new IllegalArgumentException("attribute '" + name + "' is reserved: only the broker sets "
            + RESERVED_ATTRIBUTE_PREFIX + "* attributes (use broker.delegate for a delegation)");
      }
      return put(name, value);
    }

    /** Adds an attribute the broker sets itself (a reserved name included). */
    Builder brokerAttribute(String name, Object value) {
      text(name, "attribute name");
      return put(name, value);
    }

    private Builder put(String name, Object value) {
      Objects.requireNonNull(value, "attribute value");
      if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
        throw new IllegalArgumentException(
            "attribute '" + name + "' must be a String, Number or Boolean, got " + value.getClass().getName());
      }
      if (value instanceof String string) {
        text(string, "attribute '" + name + "'");
      }
      if (attributes.containsKey(name) && !copied.remove(ATTRIBUTE + name)) {
        throw new IllegalStateException("attribute '" + name + "' was already set");
      }
      if (!attributes.containsKey(name) && attributes.size() >= MAX_ATTRIBUTES) {
        throw new IllegalArgumentException("at most " + MAX_ATTRIBUTES + " attributes");
      }
      attributes.put(name, value);
      return this;
    }

    /** A justification for reviewers and the audit trail. */
    public Builder justification(String justification) {
      once(this.justification, "justification");
      this.justification = text(justification, "justification");
      return this;
    }

    /** Marks the request as break-glass; needs a {@link #justification(String)}. */
    public Builder breakGlass(boolean breakGlass) {
      if (breakGlassSet) {
        throw new IllegalStateException("breakGlass was already set");
      }
      this.breakGlassSet = true;
      this.breakGlass = breakGlass;
      return this;
    }

    /** Asks for a renewing grant, re-minted before each token expires until it is closed. */
    public Builder renewing(boolean renewing) {
      if (renewingSet) {
        throw new IllegalStateException("renewing was already set");
      }
      this.renewingSet = true;
      this.renewing = renewing;
      return this;
    }

    /**
     * For a renewing grant: where each re-mint gets a fresh credential (for example the workload's
     * current SVID from the Workload API), re-verified as the same identity before the token is re-minted.
     * The supplier runs on the broker's timer thread and should return at once; if it throws, returns
     * null or gives a credential that does not verify, the grant ends (reason CREDENTIAL).
     */
    public Builder credentialSource(java.util.function.Supplier<Credential> source) {
      Objects.requireNonNull(source, "source");
      once(this.credentialSource, "credentialSource");
      this.credentialSource = source;
      return this;
    }

    /** Adds a callback for this grant only. */
    public Builder listener(GrantListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds the request.
     *
     * @throws IllegalStateException if a required option is missing or options contradict each other
     */
    public GrantRequest build() {
      require(credential, "credential");
      require(taskId, "taskId");
      require(purpose, "purpose");
      require(resource, "resource");
      require(environment, "environment");
      require(requestedTtl, "ttl");
      if (actions.isEmpty()) {
        throw new IllegalStateException("at least one action is required");
      }
      if (breakGlass && justification == null) {
        throw new IllegalStateException("a break-glass request needs a justification");
      }
      if (breakGlass && renewing) {
        throw new IllegalStateException("a break-glass request cannot be renewing");
      }
      if (credentialSource != null && !renewing) {
        throw new IllegalStateException("credentialSource is for renewing requests only");
      }
      return new GrantRequest(this);
    }

    private static void require(@Nullable Object value, String name) {
      if (value == null) {
        throw new IllegalStateException(name + " is required");
      }
    }

    /**
     * An option is set at most once: the project's one check ({@link Arguments#requireUnset}), except that
     * a value copied by {@link GrantRequest#toBuilder()} may be replaced once.
     */
    private void once(@Nullable Object current, String name) {
      if (!copied.remove(name)) {
        Arguments.requireUnset(current, name);
      }
    }

    private static String text(String value, String name) {
      return Arguments.requireText(value, name, MAX_TEXT_LENGTH);
    }
  }
}
