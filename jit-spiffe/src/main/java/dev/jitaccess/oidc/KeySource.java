package dev.jitaccess.oidc;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Where the issuer's verification keys come from: a static JWK Set or the issuer's JWKS URL. */
interface KeySource extends AutoCloseable {

  /** The keys matching, looked up at the injected clock's time; never throws for an unreachable issuer. */
  Lookup find(JWKMatcher matcher, Instant now);

  /** Releases background resources; idempotent. */
  @Override
  void close();

  /** What a key lookup found. */
  sealed interface Lookup {}

  /**
   * Candidate keys.
   *
   * @param keys at least one key matching the token's header
   */
  record Found(List<JWK> keys) implements Lookup {
    public Found {
      keys = List.copyOf(keys);
    }
  }

  /**
   * No key matched, though a key set was available.
   *
   * @param detail why, for the reason; may be empty
   */
  record NoMatch(String detail) implements Lookup {
    public NoMatch {
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * No key set could be obtained: fail closed.
   *
   * @param reason why, for the rejection
   */
  record Unavailable(String reason) implements Lookup {
    public Unavailable {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
