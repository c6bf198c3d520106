package dev.jitaccess;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.jitaccess.internal.KeyMaterial;
import dev.jitaccess.internal.KeyRing;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Signing keys a team distributes to its replicas itself (from a secret store), for
 * {@link GrantBroker.Builder#signingKeys}: one active private key that signs, and verify-only keys that are
 * published in {@link GrantBroker#publicJwks()} and trusted by the broker's verifier but never sign. With
 * them shared keys rotate without a window in which one replica refuses another's tokens:
 * <ol>
 *   <li>roll out {@code active(K1).verifyOnly(K2)} to every replica (all still sign with K1, all trust K2);
 *   <li>roll out {@code active(K2).verifyOnly(K1, now + maxTtl + clockSkew)} (tokens signed with K1 stay
 *       valid until they expire; K1 drops out by itself at that instant);
 *   <li>later, roll out {@code active(K2)} alone.
 * </ol>
 * Every key must fit the broker's {@link SigningAlgorithm} (checked when the broker is built); kids are
 * the keys' own or their RFC 7638 thumbprints and must differ. Immutable; {@code toString()} shows the kids
 * only, never key material. To keep private keys from leaving their JVM at all, use a
 * {@link dev.jitaccess.spi.KeyDirectory} instead.
 */
public final class SigningKeys {
  private final JWK active;
  private final List<KeyRing.VerifyOnly> verifyOnly;

  private SigningKeys(JWK active, List<KeyRing.VerifyOnly> verifyOnly) {
    this.active = active;
    this.verifyOnly = List.copyOf(verifyOnly);
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The keys of a JWK Set (for example a file the team distributes): the key with {@code activeKid}, which
   * must hold its private part, signs; every other key is verify-only until the set is replaced.
   *
   * @throws IllegalArgumentException if the text is not a JWK Set, has no key with {@code activeKid}, or
   *     that key is public only (the message never quotes key material)
   */
  public static SigningKeys fromJwkSet(String jwkSetJson, String activeKid) {
    Objects.requireNonNull(jwkSetJson, "jwkSetJson");
    Objects.requireNonNull(activeKid, "activeKid");
    JWKSet set;
    try {
      set = JWKSet.parse(jwkSetJson);
    } catch (java.text.ParseException | RuntimeException e) {
      throw new IllegalArgumentException("signing keys: the text cannot be parsed as a JWK Set");
    }
    Builder b = builder();
    boolean found = false;
    for (JWK jwk : set.getKeys()) {
      if (activeKid.equals(jwk.getKeyID())) {
        b.active(jwk.toJSONString());
        found = true;
      } else {
        b.verifyOnly(jwk.toJSONString());
      }
    }
    if (!found) {
      throw new IllegalArgumentException("signing keys: the JWK Set has no key with kid " + activeKid
          + " (it has " + set.getKeys().stream().map(JWK::getKeyID).toList() + ")");
    }
    return b.build();
  }

  /** The active key's kid. */
  public String activeKid() {
    return active.getKeyID();
  }

  /** The kids of the verify-only keys, in the order given. */
  public List<String> verifyOnlyKids() {
    return verifyOnly.stream().map(v -> v.jwk().getKeyID()).toList();
  }

  /** The active private key, for the broker. */
  JWK active() {
    return active;
  }

  /** The verify-only keys, for the broker. */
  List<KeyRing.VerifyOnly> verifyOnly() {
    return verifyOnly;
  }

  @Override
  public String toString() {
    return "SigningKeys[active=" + activeKid() + ", verifyOnly=" + verifyOnlyKids() + "]";
  }

  /** Builds {@link SigningKeys}: exactly one active key, any number of verify-only keys. Not thread-safe. */
  public static final class Builder {
    private @Nullable JWK active;
    private final List<KeyRing.VerifyOnly> verifyOnly = new ArrayList<>();

    private Builder() {}

    /**
     * The key that signs: a private JWK JSON or PEM (PKCS#8, SEC1 or PKCS#1). Required, once.
     *
     * @throws IllegalArgumentException if it cannot be parsed or holds no private key
     */
    public Builder active(String jwkOrPem) {
      Objects.requireNonNull(jwkOrPem, "active");
      if (active != null) {
        throw new IllegalStateException("active was already set");
      }
      active = KeyMaterial.parse(jwkOrPem, "active signing key", true);
      return this;
    }

    /**
     * A key that is published and trusted but never signs, until the broker is rebuilt without it: a JWK
     * JSON or PEM, public or private (only its public part is kept).
     *
     * @throws IllegalArgumentException if it cannot be parsed
     */
    public Builder verifyOnly(String jwkOrPem) {
      return add(jwkOrPem, Instant.MAX);
    }

    /**
     * A verify-only key that stops being published and trusted at {@code retireAfter}: a retiring key,
     * trusted until the last token it signed has expired (its last signature + maxTtl + clockSkew).
     *
     * @throws IllegalArgumentException if it cannot be parsed
     */
    public Builder verifyOnly(String jwkOrPem, Instant retireAfter) {
      Objects.requireNonNull(retireAfter, "retireAfter");
      return add(jwkOrPem, retireAfter);
    }

    private Builder add(String jwkOrPem, Instant retireAfter) {
      Objects.requireNonNull(jwkOrPem, "verifyOnly");
      JWK jwk = KeyMaterial.parse(jwkOrPem, "verify-only key", false).toPublicJWK();
      verifyOnly.add(new KeyRing.VerifyOnly(jwk, retireAfter));
      return this;
    }

    /**
     * Builds the set.
     *
     * @throws IllegalStateException if no active key was given
     * @throws IllegalArgumentException if a kid appears twice
     */
    public SigningKeys build() {
      if (active == null) {
        throw new IllegalStateException("active is required");
      }
      Set<String> kids = new HashSet<>();
      kids.add(active.getKeyID());
      for (KeyRing.VerifyOnly v : verifyOnly) {
        if (!kids.add(v.jwk().getKeyID())) {
          throw new IllegalArgumentException("signing keys: the kid " + v.jwk().getKeyID() + " appears twice");
        }
      }
      return new SigningKeys(active, verifyOnly);
    }
  }
}
