package dev.jitaccess.spiffe;

/**
 * Hears about a {@link RefreshingBundleSource}: new bundles and failed refreshes. Called on the
 * refreshing thread; an exception thrown here is logged and ignored.
 */
public interface BundleListener {

  /** A new bundle replaced the previous one (or is the first one). */
  default void onUpdate(SpiffeBundle bundle) {}

  /** A refresh failed; the last good bundle, if any, stays in use. */
  default void onFailure(TrustDomain trustDomain, Exception cause) {}
}
