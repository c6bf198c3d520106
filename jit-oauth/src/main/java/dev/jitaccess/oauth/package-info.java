/**
 * The OAuth adapter in front of a {@link dev.jitaccess.GrantBroker}: {@link dev.jitaccess.oauth.TokenExchange}
 * serves RFC 8693 token exchange, RFC 7662 introspection and RFC 7009 revocation over framework-neutral
 * {@link dev.jitaccess.oauth.HttpRequest} / {@link dev.jitaccess.oauth.HttpResponse} values. It uses the
 * broker's public API only; nothing else in jit-core depends on this package.
 */
@NullMarked
package dev.jitaccess.oauth;

import org.jspecify.annotations.NullMarked;
