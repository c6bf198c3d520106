package dev.jitaccess.store.postgres;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How {@link PostgresApprovalHandler} compares approver names: case-folded with {@link Locale#ROOT}, as
 * the in-memory handler compares an approver with the requester.
 */
final class Approvers {
  private Approvers() {}

  /** The comparison key of a name. */
  static String fold(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /** Whether {@code approver} is the requesting identity or its owner. */
  static boolean isRequester(String approver, String requesterId, @Nullable String requesterOwner) {
    String a = fold(approver);
    return fold(requesterId).equals(a) || (requesterOwner != null && fold(requesterOwner).equals(a));
  }

  /**
   * Refuses U+0000, which PostgreSQL text cannot hold.
   *
   * @throws IllegalArgumentException naming the value
   */
  static String requireText(String value, String name) {
    if (value.indexOf('\u0000') >= 0) {
      throw new IllegalArgumentException(name + " must not contain U+0000");
    }
    return value;
  }
}
