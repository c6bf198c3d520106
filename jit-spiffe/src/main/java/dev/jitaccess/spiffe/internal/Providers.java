package dev.jitaccess.spiffe.internal;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The Bouncy Castle provider jit-spiffe verifies ECDSA signatures with (about twice as fast as the JDK's
 * SunEC here), created once on first use and never registered with {@link java.security.Security}.
 */
public final class Providers {
  private Providers() {}

  private static final class Holder {
    static final Provider BC = new BouncyCastleProvider();
  }

  /** The unregistered Bouncy Castle provider. */
  public static Provider bouncyCastle() {
    return Holder.BC;
  }
}
