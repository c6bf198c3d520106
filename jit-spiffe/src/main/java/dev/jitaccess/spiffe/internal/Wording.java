package dev.jitaccess.spiffe.internal;

import java.time.Duration;

/** How rejection reasons write values, so that every verifier writes them alike. */
public final class Wording {
  private Wording() {}

  /** A duration in seconds: {@code 30 s}, {@code 0 s}, {@code 1.5 s}. */
  public static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
  }
}
