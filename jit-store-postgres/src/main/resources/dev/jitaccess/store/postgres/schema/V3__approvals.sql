-- jit-access schema, version 3: pending approvals (PostgresApprovalHandler).
--
-- Plain SQL, applied after V2 by PostgresSchema.migrate() or by Flyway/Liquibase, with search_path set
-- to the target schema (names are unqualified).
--
-- One row per approval the broker asked for, from request to decision, whichever replica holds the
-- waiting request; one row per approver's vote. Only the facts an approver needs are kept: never the
-- requester's credential. Instants are epoch seconds plus nanoseconds, as in V1.

CREATE TABLE jit_approval (
  approval_id      text     PRIMARY KEY,
  state            text     NOT NULL CHECK (state IN ('PENDING', 'APPROVED', 'REJECTED', 'TIMED_OUT', 'CANCELLED')),
  requester_id     text     NOT NULL,
  requester_owner  text,
  task_id          text     NOT NULL,
  resource         text     NOT NULL,
  actions          text[]   NOT NULL,
  purpose          text     NOT NULL,
  environment      text     NOT NULL,
  approver_group   text     NOT NULL,
  approvals_needed integer  NOT NULL CHECK (approvals_needed >= 1),
  rule_ids         text[]   NOT NULL,
  requested_at_s   bigint   NOT NULL,
  requested_at_n   integer  NOT NULL,
  deadline_s       bigint   NOT NULL,
  deadline_n       integer  NOT NULL,
  decided_at_s     bigint,
  decided_at_n     integer,
  decided_by       text,                              -- the rejecting approver; NULL otherwise
  decision_comment text
);
CREATE INDEX jit_approval_pending_by_deadline ON jit_approval (deadline_s, deadline_n) WHERE state = 'PENDING';

CREATE TABLE jit_approval_vote (
  approval_id  text    NOT NULL REFERENCES jit_approval (approval_id) ON DELETE CASCADE,
  approver_key text    NOT NULL,                      -- the approver, case-folded: one vote per person
  approver     text    NOT NULL,                      -- as configured in the approver group
  at_s         bigint  NOT NULL,
  at_n         integer NOT NULL,
  comment      text    NOT NULL,
  PRIMARY KEY (approval_id, approver_key)
);

-- A decided approval is announced on jit_approval_<schema> with its id as payload (delivered at commit),
-- so the replica holding the waiting request completes it without polling.
CREATE FUNCTION jit_approval_decided() RETURNS trigger
  LANGUAGE plpgsql
AS $$
BEGIN
  IF NEW.state <> OLD.state THEN
    PERFORM pg_notify('jit_approval_' || TG_TABLE_SCHEMA, NEW.approval_id);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER jit_approval_decided
  AFTER UPDATE OF state ON jit_approval
  FOR EACH ROW EXECUTE FUNCTION jit_approval_decided();

INSERT INTO jit_schema_version (version, description) VALUES (3, 'pending approvals');
