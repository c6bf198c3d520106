package dev.jitaccess.spiffe.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The one rule for plain-{@code http} endpoints that hand out keys or trust bundles (the OIDC JWKS URL,
 * the SPIFFE bundle endpoint): allowed only on loopback. A host is loopback when it resolves and every
 * address it resolves to is a loopback address ({@code 127.0.0.0/8}, {@code ::1}); a name that does not
 * resolve, or that resolves to any other address, is not. IP literals are not looked up.
 */
public final class Endpoints {
  private Endpoints() {}

  /** Whether {@code host} (a name, an IPv4 literal, or an IPv6 literal with or without brackets) is loopback. */
  public static boolean isLoopback(@Nullable String host) {
    if (host == null || host.isBlank()) {
      return false;
    }
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    try {
      InetAddress[] all = InetAddress.getAllByName(h);
      return all.length > 0 && Arrays.stream(all).allMatch(InetAddress::isLoopbackAddress);
    } catch (UnknownHostException | SecurityException e) {
      return false;
    }
  }
}
