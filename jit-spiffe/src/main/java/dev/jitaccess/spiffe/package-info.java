/** SPIFFE identities: IDs, trust domains, bundles, and JWT-SVID and X.509-SVID verification. */
package dev.jitaccess.spiffe;
