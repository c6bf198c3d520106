/**
 * SPIFFE workload identities: {@link dev.jitaccess.spiffe.SpiffeId} and
 * {@link dev.jitaccess.spiffe.TrustDomain} (go-spiffe's strict syntax), bundles
 * ({@link dev.jitaccess.spiffe.SpiffeBundle}, {@link dev.jitaccess.spiffe.BundleSet}) and where they
 * come from ({@link dev.jitaccess.spiffe.BundleSource}, {@link dev.jitaccess.spiffe.RefreshingBundleSource}),
 * the two {@link dev.jitaccess.spi.IdentityVerifier}s ({@link dev.jitaccess.spiffe.JwtSvidVerifier},
 * {@link dev.jitaccess.spiffe.X509SvidVerifier}) and {@link dev.jitaccess.spiffe.SpiffeIdMatcher} for
 * policies. Rejection reasons name the rule of the conformance checklist (A1-D11); see CONFORMANCE.md.
 */
@NullMarked
package dev.jitaccess.spiffe;

import org.jspecify.annotations.NullMarked;
