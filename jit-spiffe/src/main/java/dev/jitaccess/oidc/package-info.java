/**
 * OIDC workload identities: GitHub Actions job tokens, Kubernetes projected service-account tokens and
 * tokens of other OIDC issuers, verified against the issuer's JWKS by
 * {@link dev.jitaccess.oidc.OidcIdentityVerifier}.
 */
@NullMarked
package dev.jitaccess.oidc;

import org.jspecify.annotations.NullMarked;
