package dev.jitaccess.spiffe;

import dev.jitaccess.spi.IdentityResult;

/** Renders a rejection as {@code "B8: reason"}: the checklist rule, then the reason in words. */
final class Rejections {
  private Rejections() {}

  static String text(IdentityResult.Rejected rejected) {
    return rejected.rule() == null ? rejected.reason() : rejected.rule() + ": " + rejected.reason();
  }

  static String text(IdentityResult result) {
    return text((IdentityResult.Rejected) result);
  }
}
