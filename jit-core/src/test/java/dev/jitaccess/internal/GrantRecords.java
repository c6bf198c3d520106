package dev.jitaccess.internal;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Grant records for store tests. */
final class GrantRecords {
  private GrantRecords() {}

  static GrantInfo info(String grantId, String identity, String task, Instant issuedAt, Instant expiresAt) {
    return new GrantInfo(
        grantId,
        identity,
        "https://broker.test",
        "https://resource.test",
        Set.of("read"),
        task,
        "test",
        "dev",
        Optional.empty(),
        issuedAt,
        expiresAt,
        Optional.empty(),
        List.of(),
        false,
        false,
        List.of(),
        Optional.empty());
  }

  static GrantRecord live(String grantId, String identity, String task, Instant issuedAt, Instant expiresAt) {
    return GrantRecord.live(info(grantId, identity, task, issuedAt, expiresAt), Optional.empty(), Instant.MAX);
  }

  static GrantRecord revoked(GrantRecord record) {
    return record.withState(GrantState.REVOKED, Optional.of(RevocationReason.EXPLICIT));
  }

  static GrantRecord expired(GrantRecord record) {
    return record.withState(GrantState.EXPIRED, Optional.empty());
  }
}
