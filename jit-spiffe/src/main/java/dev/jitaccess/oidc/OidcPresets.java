package dev.jitaccess.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import java.util.List;
import dev.jitaccess.internal.Arguments;
import java.util.Objects;

/**
 * The platform presets behind {@link OidcIdentityVerifier#githubActions} and {@link
 * OidcIdentityVerifier#kubernetes}: each one a builder with the platform's issuer, JWKS URL, algorithms
 * and owner claim filled in as replaceable presets.
 */
final class OidcPresets {
  /** The issuer of GitHub Actions OIDC tokens. */
  static final String GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";
  /** Where GitHub Actions publishes its token signing keys. */
  static final String GITHUB_ACTIONS_JWKS_URL = GITHUB_ACTIONS_ISSUER + "/.well-known/jwks";
  /** GitHub signs its tokens with RS256 only. */
  static final List<JWSAlgorithm> GITHUB_ACTIONS_ALGORITHMS = List.of(JWSAlgorithm.RS256);
  /** The claim naming the repository's owner (organization or user). */
  static final String GITHUB_ACTIONS_OWNER_CLAIM = "repository_owner";
  /** The pod's namespace in a projected service-account token. */
  static final String KUBERNETES_OWNER_CLAIM = "/kubernetes.io/namespace";

  private OidcPresets() {}

  /** GitHub Actions: its issuer, its JWKS URL, RS256, owner from {@code repository_owner}. */
  static OidcIdentityVerifier.Builder githubActions(String audience) {
    return new OidcIdentityVerifier.Builder(GITHUB_ACTIONS_ISSUER, GITHUB_ACTIONS_JWKS_URL,
        GITHUB_ACTIONS_ALGORITHMS, ClaimPointer.parse(GITHUB_ACTIONS_OWNER_CLAIM, "ownerClaim"))
        .audience(audience);
  }

  /** Kubernetes: the cluster's issuer and JWKS URL, RS256 and ES256, owner from the pod's namespace. */
  static OidcIdentityVerifier.Builder kubernetes(String issuer, String jwksUrl, String audience) {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(jwksUrl, "jwksUrl");
    Arguments.requireNotBlank(issuer, "issuer");
    KeySourceOptions.checkUrl(jwksUrl);
    return new OidcIdentityVerifier.Builder(issuer, jwksUrl, OidcIdentityVerifier.Builder.DEFAULT_ALGORITHMS,
        ClaimPointer.parse(KUBERNETES_OWNER_CLAIM, "ownerClaim"))
        .audience(audience);
  }
}
