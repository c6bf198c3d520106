package dev.jitaccess.oauth;

/**
 * Decides whether the caller of introspection or revocation is allowed, for example by a client
 * credential in the {@code Authorization} header or the mTLS peer certificate. Must be thread-safe. An
 * exception means "not allowed". An allowed caller may introspect and revoke every grant of the broker.
 */
@FunctionalInterface
public interface CallerAuthorizer {
  /** Whether this request's caller may use {@code endpoint}. */
  boolean isAllowed(Endpoint endpoint, HttpRequest request);

  /** The endpoints a {@link CallerAuthorizer} is asked about. */
  enum Endpoint {
    /** RFC 7662 token introspection. */
    INTROSPECTION("introspection"),
    /** RFC 7009 token revocation. */
    REVOCATION("revocation");

    private final String path;

    Endpoint(String path) {
      this.path = path;
    }

    String path() {
      return path;
    }
  }}
