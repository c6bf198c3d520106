package dev.jitaccess.internal;

import dev.jitaccess.GrantVerifier;
import dev.jitaccess.Verification;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantStore;
import java.time.Clock;
import java.time.Duration;

/** Grant token verification. */
public final class TokenVerifier implements GrantVerifier {
  private TokenVerifier() {}

  /** Builds from a JWK Set JSON. */
  public static GrantVerifier fromJwks(
      String issuer, String jwks, Clock clock, Duration skew, GrantStore store, AuditSink sink, int maxBytes) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public Verification verify(String token, String audience) {
    throw new UnsupportedOperationException();
  }
}
