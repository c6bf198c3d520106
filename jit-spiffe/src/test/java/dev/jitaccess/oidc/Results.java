package dev.jitaccess.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Credential;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.IdentityResult;

/** Assertions on verification results. */
final class Results {
  private Results() {}

  static IdentityResult verify(OidcIdentityVerifier verifier, String token) {
    return verifier.verify(Credential.oidcToken(token));
  }

  static WorkloadIdentity assertVerified(OidcIdentityVerifier verifier, String token) {
    IdentityResult result = verify(verifier, token);
    assertThat(result).isInstanceOf(IdentityResult.Verified.class);
    return ((IdentityResult.Verified) result).identity();
  }

  /** Rejected, with a reason holding {@code fragment} and no part of the token's payload or signature. */
  static String assertRejected(OidcIdentityVerifier verifier, String token, String fragment) {
    IdentityResult result = verify(verifier, token);
    assertThat(result).isInstanceOf(IdentityResult.Rejected.class);
    String reason = ((IdentityResult.Rejected) result).reason();
    assertThat(reason).contains(fragment);
    String[] parts = token.split("\\.", -1);
    for (int i = 1; i < parts.length; i++) {
      if (parts[i].length() >= 8) {
        assertThat(reason).doesNotContain(parts[i]);
      }
    }
    if (token.length() >= 8) {
      assertThat(reason).doesNotContain(token);
    }
    return reason;
  }
}
