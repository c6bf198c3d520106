package dev.jitaccess.oidc;

import dev.jitaccess.internal.UntrustedText;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** A fixed JWK Set given at build time. */
final class StaticKeySource implements KeySource {
  private final JWKSet keys;

  private StaticKeySource(JWKSet keys) {
    this.keys = keys;
  }

  /**
   * Parses a JWK Set of public RSA and EC keys.
   *
   * @throws IllegalArgumentException if it is not a JWK Set, holds no keys, or holds a private or
   *     symmetric key (the message never contains key material)
   */
  static StaticKeySource parse(String json) {
    Objects.requireNonNull(json, "jwks");
    JWKSet set;
    try {
      set = JWKSet.parse(json);
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException("jwks is not a valid JWK Set");
    }
    if (set.getKeys().isEmpty()) {
      throw new IllegalArgumentException("jwks holds no keys");
    }
    for (JWK key : set.getKeys()) {
      String name = key.getKeyID() == null ? "a key without kid" : "key " + UntrustedText.excerpt(key.getKeyID());
      if (KeyType.OCT.equals(key.getKeyType())) {
        throw new IllegalArgumentException("jwks holds a symmetric (oct) key, " + name + "; only public keys are accepted");
      }
      if (key.isPrivate()) {
        throw new IllegalArgumentException("jwks holds private key material in " + name + "; pass only public keys");
      }
    }
    return new StaticKeySource(set);
  }

  @Override
  public Lookup find(JWKMatcher matcher, Instant now) {
    List<JWK> found = new JWKSelector(matcher).select(keys);
    return found.isEmpty() ? new NoMatch("") : new Found(found);
  }

  @Override
  public void close() {}
}
