package dev.jitaccess.oidc;

/** OIDC verifier (placeholder; being written). */
public final class OidcIdentityVerifier {
  private OidcIdentityVerifier() {}
}
