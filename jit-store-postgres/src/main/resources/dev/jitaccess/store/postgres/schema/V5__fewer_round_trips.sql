-- jit-access schema, version 5: a grant insert in one statement, and one change-feed NOTIFY per
-- statement instead of one per row.
--
-- Plain SQL, applied after V4 by PostgresSchema.migrate() or by Flyway/Liquibase, with search_path set
-- to the target schema (names are unqualified).

-- The columns of a grant as PostgresGrantStore writes them (every column of jit_grant but version), so
-- that a whole record travels as one parameter of jit_insert_grant, independent of the table's column
-- order.
CREATE TYPE jit_grant_row AS (
  grant_id               text,
  identity_id            text,
  task_id                text,
  state                  text,
  revocation_reason      text,
  issuer                 text,
  resource               text,
  actions                text[],
  purpose                text,
  environment            text,
  owner                  text,
  issued_at_s            bigint,
  issued_at_n            integer,
  expires_at_s           bigint,
  expires_at_n           integer,
  approval_id            text,
  approvers              text[],
  approved_at_s          bigint[],
  approved_at_n          integer[],
  approval_comments      text[],
  break_glass            boolean,
  single_use             boolean,
  rule_ids               text[],
  parent_grant_id        text,
  delegators             text[],
  delegations_left       integer,
  certificate_thumbprint text,
  key_thumbprint         text,
  idle_timeout_s         bigint,
  idle_timeout_n         integer,
  idle_deadline_s        bigint,
  idle_deadline_n        integer,
  deadline_s             bigint,
  deadline_n             integer,
  uses                   integer
);

-- GrantStore.insert in one round trip: takes the transaction-level advisory locks of the identity and
-- of the task (lower key first, so two inserts never deadlock), then checks, in this order, that the
-- grant id is new, the identity's live grants are below max_per_identity, the task is not bound to
-- another owner (when check_owner), and the owner's live grants of the task are below max_per_task;
-- then inserts. Returns the GrantStore.InsertResult name.
--
-- Exact across replicas because every statement after the locks takes a new snapshot (READ COMMITTED,
-- a VOLATILE function): it sees every insert that committed before the locks were granted, and no insert
-- for the same identity or task can commit until this transaction ends. Under REPEATABLE READ or
-- SERIALIZABLE the snapshot would be older than the locks, so the function refuses to run there.
CREATE FUNCTION jit_insert_grant(g jit_grant_row, max_per_identity integer, max_per_task integer,
    check_owner boolean, task_owner text, identity_lock bigint, task_lock bigint) RETURNS text
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
DECLARE
  owned bigint;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'jit_insert_grant needs READ COMMITTED to keep quotas exact, the transaction is %',
      current_setting('transaction_isolation') USING ERRCODE = 'invalid_transaction_state';
  END IF;
  PERFORM pg_advisory_xact_lock(least(identity_lock, task_lock));
  IF identity_lock <> task_lock THEN
    PERFORM pg_advisory_xact_lock(greatest(identity_lock, task_lock));
  END IF;
  IF EXISTS (SELECT 1 FROM jit_grant WHERE grant_id = g.grant_id) THEN
    RETURN 'DUPLICATE';
  END IF;
  IF (SELECT count(*) FROM (SELECT 1 FROM jit_grant WHERE identity_id = g.identity_id AND state = 'LIVE'
      LIMIT max_per_identity) i) >= max_per_identity THEN
    RETURN 'IDENTITY_QUOTA_EXCEEDED';
  END IF;
  -- the task owner of a row, as GrantRecord.taskOwner(): the owner, else the last delegator, else the identity
  SELECT count(*) INTO owned FROM (SELECT 1 FROM jit_grant WHERE task_id = g.task_id AND state = 'LIVE'
      AND coalesce(owner, delegators[cardinality(delegators)], identity_id) = task_owner LIMIT max_per_task) t;
  IF check_owner AND owned = 0 AND EXISTS (SELECT 1 FROM jit_grant WHERE task_id = g.task_id AND state = 'LIVE'
      AND coalesce(owner, delegators[cardinality(delegators)], identity_id) <> task_owner) THEN
    RETURN 'TASK_BOUND_TO_ANOTHER_OWNER';
  END IF;
  IF owned >= max_per_task THEN
    RETURN 'TASK_QUOTA_EXCEEDED';
  END IF;
  INSERT INTO jit_grant (grant_id, identity_id, task_id, state, revocation_reason, issuer, resource, actions,
      purpose, environment, owner, issued_at_s, issued_at_n, expires_at_s, expires_at_n, approval_id, approvers,
      approved_at_s, approved_at_n, approval_comments, break_glass, single_use, rule_ids, parent_grant_id,
      delegators, delegations_left, certificate_thumbprint, key_thumbprint, idle_timeout_s, idle_timeout_n,
      idle_deadline_s, idle_deadline_n, deadline_s, deadline_n, uses)
    VALUES (g.grant_id, g.identity_id, g.task_id, g.state, g.revocation_reason, g.issuer, g.resource, g.actions,
      g.purpose, g.environment, g.owner, g.issued_at_s, g.issued_at_n, g.expires_at_s, g.expires_at_n,
      g.approval_id, g.approvers, g.approved_at_s, g.approved_at_n, g.approval_comments, g.break_glass,
      g.single_use, g.rule_ids, g.parent_grant_id, g.delegators, g.delegations_left, g.certificate_thumbprint,
      g.key_thumbprint, g.idle_timeout_s, g.idle_timeout_n, g.idle_deadline_s, g.idle_deadline_n, g.deadline_s,
      g.deadline_n, g.uses)
    ON CONFLICT (grant_id) DO NOTHING;
  IF NOT FOUND THEN
    RETURN 'DUPLICATE';
  END IF;
  RETURN 'INSERTED';
END;
$$;

-- The change feed, per statement: the V1 trigger logged and announced every row, inserts included.
-- Now an UPDATE or DELETE statement writes one change-log row holding the ids of every grant it changed
-- (grant_ids; rows logged by V1 keep grant_id) and sends one NOTIFY: the grant id when it changed one
-- row, an empty payload ("catch up") when it changed several (a revokeTask of 10,000 grants is one row
-- and one notification, not 10,000 of each). Inserts are neither logged nor announced: no replica can
-- hold a stale copy of a grant that did not exist (the local cache never records an absence), and the
-- broker's listener acts on ended grants only.
DROP TRIGGER jit_grant_changed ON jit_grant;
DROP FUNCTION jit_grant_changed();

ALTER TABLE jit_grant_change ALTER COLUMN grant_id DROP NOT NULL;
ALTER TABLE jit_grant_change ADD COLUMN grant_ids text[];
ALTER TABLE jit_grant_change ADD CHECK ((grant_id IS NULL) <> (grant_ids IS NULL));

CREATE FUNCTION jit_grants_changed() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
AS $$
DECLARE
  ids text[];
BEGIN
  ids := ARRAY(SELECT grant_id FROM changed);
  IF cardinality(ids) = 0 THEN
    RETURN NULL;
  END IF;
  INSERT INTO jit_grant_change (grant_ids) VALUES (ids);
  IF cardinality(ids) = 1 THEN
    PERFORM pg_notify('jit_grant_change_' || TG_TABLE_SCHEMA, ids[1]);
  ELSE
    PERFORM pg_notify('jit_grant_change_' || TG_TABLE_SCHEMA, '');
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER jit_grant_updated
  AFTER UPDATE ON jit_grant REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION jit_grants_changed();

CREATE TRIGGER jit_grant_deleted
  AFTER DELETE ON jit_grant REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION jit_grants_changed();

INSERT INTO jit_schema_version (version, description) VALUES (5, 'one-statement insert, per-statement change feed');
