package dev.jitaccess.store.postgres;

import dev.jitaccess.spi.ApprovalTicket;
import dev.jitaccess.testkit.ApprovalHandlerContract;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** jit-testkit's {@link ApprovalHandlerContract} against {@link PostgresApprovalHandler} on the real server. */
class PostgresApprovalHandlerContractTest extends ApprovalHandlerContract<PostgresApprovalHandler> {
  private TestDatabase db;
  private PostgresApprovalHandler handler;

  @Override
  protected PostgresApprovalHandler newHandler() {
    db = TestDatabase.migrated();
    handler = PostgresApprovalHandler.builder().dataSource(db.pool("approvals")).schema(db.schema).clock(clock)
        .group(approverGroup(), approvers().toArray(String[]::new)).pollInterval(Duration.ofMillis(200)).build();
    return handler;
  }

  @Override
  protected String approverGroup() {
    return "release";
  }

  @Override
  protected List<String> approvers() {
    return List.of("alice", "bob", "carol");
  }

  @Override
  protected void approve(PostgresApprovalHandler h, ApprovalTicket ticket, String approver) {
    h.approve(ticket.approvalId(), approver, "ok");
  }

  @Override
  protected void reject(PostgresApprovalHandler h, ApprovalTicket ticket, String approver) {
    h.reject(ticket.approvalId(), approver, "no");
  }

  @AfterEach
  void dropSchema() {
    if (handler != null) {
      handler.close();
    }
    if (db != null) {
      db.close();
    }
  }
}
