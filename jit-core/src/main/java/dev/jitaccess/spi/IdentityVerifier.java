package dev.jitaccess.spi;

import dev.jitaccess.Credential;

/**
 * Establishes what a workload is from the credential it presents (a JWT-SVID, an X.509-SVID, an OIDC
 * token). Implementations must be thread-safe and must not throw for bad input: a bad credential is a
 * {@link IdentityResult.Rejected}. If one throws anyway, the broker denies the request (fail closed).
 */
public interface IdentityVerifier {

  /** Whether this verifier handles this kind of credential. */
  boolean supports(Credential credential);

  /** Verifies the credential; never returns null. */
  IdentityResult verify(Credential credential);
}
