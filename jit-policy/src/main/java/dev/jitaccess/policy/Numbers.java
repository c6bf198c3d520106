package dev.jitaccess.policy;

/** Number formatting for explanations. */
final class Numbers {
  private Numbers() {}

  static String format(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }
}
