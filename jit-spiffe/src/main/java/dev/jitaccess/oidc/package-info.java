/**
 * OIDC workload identities: GitHub Actions job tokens, Kubernetes projected service-account tokens and
 * tokens of other OIDC issuers, verified against the issuer's JWKS by
 * {@link dev.jitaccess.oidc.OidcIdentityVerifier}.
 */
package dev.jitaccess.oidc;
