package dev.jitaccess.internal;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The Bouncy Castle provider instance jit-access uses for ECDSA, created once on first use and never
 * registered with {@link java.security.Security}: jit-access changes no JVM-wide state.
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
