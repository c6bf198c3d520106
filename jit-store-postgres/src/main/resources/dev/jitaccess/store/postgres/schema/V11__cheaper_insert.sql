-- V11: a grant insert does less work on the server: one read of the identity's counters where V7 made two,
-- no duplicate probe before an insert that detects duplicates anyway, one read of the task's counters where
-- V7 made two, and the identity's counter row updated in place.
--
-- Why: on a machine where the database shares its CPU with the brokers, every grant's server time is time
-- the brokers do not get, and jit_insert_grant with its counting trigger was half a millisecond of it
-- (pg_stat_statements, BENCHMARKS.md session 11). Results, their order (DUPLICATE, then
-- IDENTITY_QUOTA_EXCEEDED, TASK_BOUND_TO_ANOTHER_OWNER, TASK_QUOTA_EXCEEDED, then INSERTED), the locks and
-- their order (identity, insert slot, task) and the guarantee (the committed count plus the inserts in
-- flight never exceeds the identity's quota; the task's count is exact) are V7's. What changed:
--
-- 1. V7 summed the identity's 64 counter rows before taking the identity's lock shared, to keep inserts near
--    the quota off the shared path, and again under the lock. That first sum only chose the path; the sum
--    under the lock is the check. Now every insert tries the shared path first: it takes the identity's lock
--    shared and a slot, sums once, and if the identity is near its quota it gives the lock and the slot back
--    (the subtransaction's rollback) and takes the exclusive lock as before. Far from the quota (every insert
--    but those of an identity within 16 grants of it) that is one sum instead of two; near it, the same two.
-- 2. The duplicate probe (a read of jit_grant's primary key before the insert) now runs only when the insert
--    is refused for a quota, so that a duplicate id is still reported as DUPLICATE first; an insert that
--    passes the checks relies on ON CONFLICT DO NOTHING, which reports the duplicate as before.
-- 3. The task's own count and "another owner holds live grants of this task" come from one read of the
--    task's counter rows.
-- 4. The insert trigger updates the identity's counter row where it exists (every insert after the first of
--    a slot) and inserts it otherwise; V9 always ran INSERT .. ON CONFLICT DO UPDATE, a speculative insert
--    that finds the conflict before updating.

CREATE OR REPLACE FUNCTION jit_grant_counted_on_insert() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
AS $$
DECLARE
  s smallint := jit_counter_slot(NEW.grant_id);
BEGIN
  UPDATE jit_live_by_identity_slot SET live = live + 1 WHERE identity_id = NEW.identity_id AND slot = s;
  IF NOT FOUND THEN
    -- a slot's first live grant, or its row was deleted at zero by the sweeper
    INSERT INTO jit_live_by_identity_slot AS c (identity_id, slot, live) VALUES (NEW.identity_id, s, 1)
      ON CONFLICT (identity_id, slot) DO UPDATE SET live = c.live + 1;
  END IF;
  INSERT INTO jit_live_by_task AS c (task_id, owner, live)
    VALUES (NEW.task_id, coalesce(NEW.owner, NEW.delegators[cardinality(NEW.delegators)], NEW.identity_id), 1)
    ON CONFLICT (task_id, owner) DO UPDATE SET live = c.live + 1;
  RETURN NULL;
END;
$$;

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
  others boolean;
  shared boolean := false;
  refusal text;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'jit_insert_grant needs READ COMMITTED to keep quotas exact, the transaction is %',
      current_setting('transaction_isolation') USING ERRCODE = 'invalid_transaction_state';
  END IF;
  IF slots <= max_per_identity THEN
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
  IF held >= max_per_identity THEN
    refusal := 'IDENTITY_QUOTA_EXCEEDED';
  ELSE
    SELECT coalesce(sum(t.live) FILTER (WHERE t.owner = task_owner), 0),
        coalesce(bool_or(t.owner <> task_owner AND t.live > 0), false)
      INTO owned, others FROM jit_live_by_task t WHERE t.task_id = g.task_id;
    IF check_owner AND owned = 0 AND others THEN
      refusal := 'TASK_BOUND_TO_ANOTHER_OWNER';
    ELSIF owned >= max_per_task THEN
      refusal := 'TASK_QUOTA_EXCEEDED';
    END IF;
  END IF;
  IF refusal IS NOT NULL THEN
    IF EXISTS (SELECT 1 FROM jit_grant WHERE grant_id = g.grant_id) THEN
      RETURN 'DUPLICATE';
    END IF;
    RETURN refusal;
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

INSERT INTO jit_schema_version (version, description) VALUES (11, 'cheaper grant insert');
