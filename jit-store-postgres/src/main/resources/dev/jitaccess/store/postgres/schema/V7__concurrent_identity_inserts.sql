-- jit-access schema, version 7: inserts for one identity no longer wait for each other's commit while the
-- identity is far from its quota.
--
-- Plain SQL, applied after V6 by PostgresSchema.migrate() or by Flyway/Liquibase, with search_path set
-- to the target schema (names are unqualified). Like V6 it locks jit_grant against writes while it runs,
-- so the counters it rebuilds start exact.
--
-- Why: under V6 every insert of an identity took the identity's exclusive advisory lock and updated the
-- identity's one counter row; both are held until the transaction has committed, and a commit waits for
-- its WAL flush (fdatasync, 2-3 ms on the benchmark machine). So one identity's inserts ran one flush at
-- a time: 590-700 inserts/s for one identity against 1,900-2,300/s for distinct identities at 8 clients
-- (pgbench, same server), whatever the number of client threads.
LOCK TABLE jit_grant IN SHARE ROW EXCLUSIVE MODE;

-- The counter rows of an identity: 64 per identity instead of one, the row of a grant chosen by its id (the
-- first byte of its SHA-256, stable across servers and versions), so that the insert and the end of a grant
-- change the same row: each row counts the LIVE grants of the identity that fall on it and never goes below
-- zero; the identity's count is the sum of its rows, which the view jit_live_by_identity shows under V6's
-- name and columns. Two concurrent inserts of one identity wait for each other's commit only when their
-- grant ids fall on the same row (1 in 64).
CREATE FUNCTION jit_counter_slot(grant_id text) RETURNS smallint
  LANGUAGE sql
  IMMUTABLE
  PARALLEL SAFE
  RETURN (get_byte(sha256(convert_to(grant_id, 'UTF8')), 0) & 63)::smallint;

CREATE TABLE jit_live_by_identity_slot (
  identity_id text     NOT NULL,
  slot        smallint NOT NULL,
  live        bigint   NOT NULL,
  PRIMARY KEY (identity_id, slot)
);
INSERT INTO jit_live_by_identity_slot (identity_id, slot, live)
  SELECT identity_id, jit_counter_slot(grant_id), count(*) FROM jit_grant WHERE state = 'LIVE' GROUP BY 1, 2;
DROP TABLE jit_live_by_identity;
CREATE VIEW jit_live_by_identity AS
  SELECT identity_id, sum(live)::bigint AS live FROM jit_live_by_identity_slot GROUP BY identity_id;

-- TRUNCATE empties the counters with the table, as in V6.
CREATE OR REPLACE FUNCTION jit_grants_truncated() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
AS $$
BEGIN
  DELETE FROM jit_live_by_identity_slot;
  DELETE FROM jit_live_by_task;
  RETURN NULL;
END;
$$;

-- As in V6, with the identity's counter row chosen by jit_counter_slot: -1 for each LIVE row a statement
-- took away, +1 for each LIVE row it left, rows written in one global order (identities before tasks, each
-- by key), a row that would go below zero fails the statement.
CREATE OR REPLACE FUNCTION jit_grants_counted() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
AS $$
DECLARE
  gone_identities text[];
  gone_slots smallint[];
  gone_tasks text[];
  gone_owners text[];
  came_identities text[];
  came_slots smallint[];
  came_tasks text[];
  came_owners text[];
  lowest bigint;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    SELECT array_agg(identity_id), array_agg(jit_counter_slot(grant_id)), array_agg(task_id),
        array_agg(coalesce(owner, delegators[cardinality(delegators)], identity_id))
      INTO gone_identities, gone_slots, gone_tasks, gone_owners FROM old_rows WHERE state = 'LIVE';
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT array_agg(identity_id), array_agg(jit_counter_slot(grant_id)), array_agg(task_id),
        array_agg(coalesce(owner, delegators[cardinality(delegators)], identity_id))
      INTO came_identities, came_slots, came_tasks, came_owners FROM new_rows WHERE state = 'LIVE';
  END IF;
  IF gone_identities IS NULL AND came_identities IS NULL THEN
    RETURN NULL;
  END IF;
  WITH up AS (
    INSERT INTO jit_live_by_identity_slot AS c (identity_id, slot, live)
      SELECT identity_id, slot, sum(k) FROM (
          SELECT unnest(gone_identities) AS identity_id, unnest(gone_slots) AS slot, -1 AS k
          UNION ALL SELECT unnest(came_identities), unnest(came_slots), 1) d
        GROUP BY identity_id, slot HAVING sum(k) <> 0 ORDER BY identity_id, slot
      ON CONFLICT (identity_id, slot) DO UPDATE SET live = c.live + EXCLUDED.live
      RETURNING live)
  SELECT min(live) INTO lowest FROM up;
  IF lowest < 0 THEN
    RAISE EXCEPTION 'jit_live_by_identity went below zero: the counters are out of step with jit_grant'
      USING ERRCODE = 'data_corrupted';
  END IF;
  WITH up AS (
    INSERT INTO jit_live_by_task AS c (task_id, owner, live)
      SELECT task_id, owner, sum(k) FROM (
          SELECT unnest(gone_tasks) AS task_id, unnest(gone_owners) AS owner, -1 AS k
          UNION ALL SELECT unnest(came_tasks), unnest(came_owners), 1) d
        GROUP BY task_id, owner HAVING sum(k) <> 0 ORDER BY task_id, owner
      ON CONFLICT (task_id, owner) DO UPDATE SET live = c.live + EXCLUDED.live
      RETURNING live)
  SELECT min(live) INTO lowest FROM up;
  IF lowest < 0 THEN
    RAISE EXCEPTION 'jit_live_by_task went below zero: the counters are out of step with jit_grant'
      USING ERRCODE = 'data_corrupted';
  END IF;
  RETURN NULL;
END;
$$;

-- GrantStore.insert, same parameters, results and order of checks as V6; only the identity's lock changed.
--
-- Far from the quota (the identity's committed count plus 16 at most max_per_identity), an insert takes
-- the identity's lock SHARED and one of its 16 insert slots (a transaction-level advisory lock on the pair
-- (identity, slot), the first free one, else it waits for one), then re-reads the count. Every insert past
-- that check holds a slot until it commits, so at most 16 are ever in flight, and the committed count plus
-- the inserts in flight never exceeds the quota. Near the quota (or when the re-read finds it near: the
-- shared lock and the slot are then given back with the subtransaction), the insert takes the identity's
-- lock EXCLUSIVE as in V6: it waits until every insert in flight for the identity has committed or rolled
-- back, and lets none start, so its count is exact. The task's lock stays exclusive. Locks are taken in
-- one order, identity, slot, task, by every insert, so inserts never deadlock on each other.
CREATE OR REPLACE FUNCTION jit_insert_grant(g jit_grant_row, max_per_identity integer, max_per_task integer,
    check_owner boolean, task_owner text, identity_lock bigint, task_lock bigint) RETURNS text
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
DECLARE
  slots CONSTANT integer := 16;
  slot_key integer := (identity_lock >> 32)::integer;
  slot_base integer := ((identity_lock & 134217727) << 4)::integer;
  first_slot integer := pg_backend_pid() % 16;
  held bigint;
  owned bigint;
  shared boolean := false;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'jit_insert_grant needs READ COMMITTED to keep quotas exact, the transaction is %',
      current_setting('transaction_isolation') USING ERRCODE = 'invalid_transaction_state';
  END IF;
  SELECT coalesce(sum(live), 0) INTO held FROM jit_live_by_identity_slot WHERE identity_id = g.identity_id;
  IF held + slots <= max_per_identity THEN
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(identity_lock);
      FOR i IN 0 .. slots - 1 LOOP
        shared := pg_try_advisory_xact_lock(slot_key, slot_base | ((first_slot + i) % slots));
        EXIT WHEN shared;
      END LOOP;
      IF NOT shared THEN
        PERFORM pg_advisory_xact_lock(slot_key, slot_base | first_slot);
        shared := true;
      END IF;
      SELECT coalesce(sum(live), 0) INTO held FROM jit_live_by_identity_slot WHERE identity_id = g.identity_id;
      IF held + slots > max_per_identity THEN
        RAISE EXCEPTION 'near the quota' USING ERRCODE = 'JIT01';
      END IF;
    EXCEPTION WHEN SQLSTATE 'JIT01' THEN
      shared := false; -- the subtransaction gave back the shared lock and the slot
    END;
  END IF;
  IF NOT shared THEN
    PERFORM pg_advisory_xact_lock(identity_lock);
    SELECT coalesce(sum(live), 0) INTO held FROM jit_live_by_identity_slot WHERE identity_id = g.identity_id;
  END IF;
  IF identity_lock <> task_lock THEN
    PERFORM pg_advisory_xact_lock(task_lock);
  END IF;
  IF EXISTS (SELECT 1 FROM jit_grant WHERE grant_id = g.grant_id) THEN
    RETURN 'DUPLICATE';
  END IF;
  IF held >= max_per_identity THEN
    RETURN 'IDENTITY_QUOTA_EXCEEDED';
  END IF;
  SELECT live INTO owned FROM jit_live_by_task t WHERE t.task_id = g.task_id AND t.owner = task_owner;
  owned := coalesce(owned, 0);
  IF check_owner AND owned = 0 AND EXISTS (SELECT 1 FROM jit_live_by_task t WHERE t.task_id = g.task_id
      AND t.owner <> task_owner AND t.live > 0) THEN
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

INSERT INTO jit_schema_version (version, description) VALUES (7, 'concurrent inserts for one identity far from its quota');
