package dev.jitaccess.internal;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** Grant records for store tests. */
final class GrantRecords {
  private GrantRecords() {}

  static GrantInfo info(String grantId, String identity, String task, Instant issuedAt, Instant expiresAt) {
    return GrantInfo.builder()
        .grantId(grantId)
        .subject(identity)
        .issuer("https://broker.test")
        .resource("https://resource.test")
        .actions(Set.of("read"))
        .taskId(task)
        .purpose("test")
        .environment("dev")
        .issuedAt(issuedAt)
        .expiresAt(expiresAt)
        .owner("team-test") // one owner: records of several identities share a task
        .build();
  }

  static GrantRecord live(String grantId, String identity, String task, Instant issuedAt, Instant expiresAt) {
    return GrantRecord.live(info(grantId, identity, task, issuedAt, expiresAt), null, Instant.MAX);
  }

  static GrantRecord revoked(GrantRecord record) {
    return record.withState(GrantState.REVOKED, RevocationReason.EXPLICIT);
  }

  static GrantRecord expired(GrantRecord record) {
    return record.withState(GrantState.EXPIRED, null);
  }
}
