package dev.jitaccess;

/**
 * Why, in one word, a request was not granted: what a service maps to an HTTP status or an OAuth error
 * without reading the reasons' text. Closed: every denial of the broker carries exactly one.
 */
public enum DenialCategory {
  /** The credential did not verify, or the caller did not prove it holds the parent grant (HTTP 401). */
  IDENTITY,
  /** The policy, or a rule the broker applies on its behalf, refuses (HTTP 403). */
  POLICY,
  /** A quota of live grants per identity, per task or per task owner is reached (HTTP 429). */
  QUOTA,
  /** A human approval is needed, was refused, came too late or is not possible here (HTTP 403). */
  APPROVAL,
  /**
   * A component failed (identity verifier, policy, store, signer, audit sink, approval handler,
   * scheduler), so nothing was issued: fail closed (HTTP 503).
   */
  UNAVAILABLE,
  /** The request is inconsistent (for example it names a parent grant that is not live) (HTTP 400). */
  INVALID_REQUEST
}
