-- jit-access schema, version 1: grants, one-time values and the change feed.
--
-- Plain SQL, applied in order by PostgresSchema.migrate() (one transaction, under an advisory lock) or
-- by Flyway/Liquibase. Names are unqualified: run it with search_path set to the target schema (the
-- default schema of jit-access is "jit"). Every script records its version in jit_schema_version, so a
-- schema applied by another tool passes the start-up check of PostgresGrantStore.
--
-- Instants are stored exactly, as epoch seconds (bigint) plus nanoseconds (integer): timestamptz keeps
-- microseconds only and cannot hold Instant.MAX ("never"). The *_s column alone orders and compares.

CREATE TABLE jit_schema_version (
  version     integer     PRIMARY KEY,
  description text        NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per grant: its public facts and lifecycle state. Never a token.
CREATE TABLE jit_grant (
  grant_id               text     PRIMARY KEY,
  identity_id            text     NOT NULL,            -- GrantInfo.subject
  task_id                text     NOT NULL,
  state                  text     NOT NULL CHECK (state IN ('LIVE', 'REVOKED', 'EXPIRED')),
  revocation_reason      text     CHECK ((state = 'REVOKED') = (revocation_reason IS NOT NULL)),
  issuer                 text     NOT NULL,
  resource               text     NOT NULL,
  actions                text[]   NOT NULL,
  purpose                text     NOT NULL,
  environment            text     NOT NULL,
  owner                  text,
  issued_at_s            bigint   NOT NULL,
  issued_at_n            integer  NOT NULL,
  expires_at_s           bigint   NOT NULL,
  expires_at_n           integer  NOT NULL,
  approval_id            text,
  approvers              text[]   NOT NULL,            -- the approvals, as parallel arrays
  approved_at_s          bigint[] NOT NULL,
  approved_at_n          integer[] NOT NULL,
  approval_comments      text[]   NOT NULL,
  break_glass            boolean  NOT NULL,
  single_use             boolean  NOT NULL,
  rule_ids               text[]   NOT NULL,
  parent_grant_id        text,
  delegators             text[]   NOT NULL,
  delegations_left       integer  NOT NULL,
  certificate_thumbprint text,
  key_thumbprint         text,
  idle_timeout_s         bigint,                       -- NULL: no heartbeat
  idle_timeout_n         integer,
  idle_deadline_s        bigint   NOT NULL,
  idle_deadline_n        integer  NOT NULL,
  deadline_s             bigint   NOT NULL,            -- the earlier of expiry and idle deadline
  deadline_n             integer  NOT NULL,
  uses                   integer  NOT NULL CHECK (uses >= 0),
  version                bigint   NOT NULL DEFAULT 1   -- +1 on every change
);

-- Quotas, revokeTask and revokeIdentity read only live grants.
CREATE INDEX jit_grant_live_by_identity ON jit_grant (identity_id) WHERE state = 'LIVE';
CREATE INDEX jit_grant_live_by_task ON jit_grant (task_id) WHERE state = 'LIVE';
-- The sweeper claims live grants past their deadline, oldest first.
CREATE INDEX jit_grant_live_by_deadline ON jit_grant (deadline_s, deadline_n) WHERE state = 'LIVE';
-- Rows are deleted after expiry plus the store's retention.
CREATE INDEX jit_grant_by_expiry ON jit_grant (expires_at_s);
CREATE INDEX jit_grant_by_parent ON jit_grant (parent_grant_id) WHERE parent_grant_id IS NOT NULL;

-- One-time values (DPoP proof ids and the like), by SHA-256, until the end of their window.
CREATE TABLE jit_used_value (
  value_sha256 bytea  PRIMARY KEY,
  until_s      bigint NOT NULL,
  until_n      integer NOT NULL
);
CREATE INDEX jit_used_value_by_until ON jit_used_value (until_s);

-- The change log behind the change feed: one row per committed change of jit_grant, written by the
-- trigger below in the changing transaction. txid is that transaction's id: a reader remembers the
-- snapshot of its last read and next reads the rows whose transaction that snapshot did not see, so
-- transactions committing out of id order are never skipped. change_id only makes rows unique.
CREATE TABLE jit_grant_change (
  change_id  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  txid       xid8        NOT NULL DEFAULT pg_current_xact_id(),
  grant_id   text        NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jit_grant_change_by_txid ON jit_grant_change (txid);
CREATE INDEX jit_grant_change_by_time ON jit_grant_change (changed_at);

-- The highest transaction id of the change rows pruned so far: a reader whose last snapshot is older
-- may have missed a pruned row and drops its whole cache instead.
CREATE TABLE jit_grant_change_pruned (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  upto_txid  xid8    NOT NULL
);
INSERT INTO jit_grant_change_pruned (upto_txid) VALUES ('0'::xid8);

-- Every change of a grant row, by jit-access or by hand, is logged and announced on the channel
-- jit_grant_change_<schema> with the grant id as payload (delivered at commit, once per transaction
-- and id). search_path is pinned to the schema this function is created in.
CREATE FUNCTION jit_grant_changed() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
AS $$
DECLARE
  id text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    id := OLD.grant_id;
  ELSE
    id := NEW.grant_id;
  END IF;
  INSERT INTO jit_grant_change (grant_id) VALUES (id);
  PERFORM pg_notify('jit_grant_change_' || TG_TABLE_SCHEMA, id);
  RETURN NULL;
END;
$$;

CREATE TRIGGER jit_grant_changed
  AFTER INSERT OR UPDATE OR DELETE ON jit_grant
  FOR EACH ROW EXECUTE FUNCTION jit_grant_changed();

INSERT INTO jit_schema_version (version, description) VALUES (1, 'grants, one-time values, change feed');
