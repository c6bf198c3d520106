/** OIDC workload identities: GitHub Actions, Kubernetes service-account tokens and other OIDC issuers. */
package dev.jitaccess.oidc;
