-- jit-access schema, version 6: live-grant counters for the quotas, and grant updates that can be HOT.
--
-- Plain SQL, applied after V5 by PostgresSchema.migrate() or by Flyway/Liquibase, with search_path set
-- to the target schema (names are unqualified). It locks jit_grant against writes while it runs, so the
-- counters start exact even when replicas on V5 keep inserting during an upgrade.
LOCK TABLE jit_grant IN SHARE ROW EXCLUSIVE MODE;

-- How many LIVE rows of jit_grant each identity has, and each (task, task owner) pair (the task owner of a
-- row as GrantRecord.taskOwner(): the owner, else the last delegator, else the identity). The triggers
-- below keep both exact in the transaction that inserts, changes or deletes grant rows (by jit-access or
-- by hand), so the quota check of jit_insert_grant reads one row instead of counting every live grant of
-- the identity. Rows at zero are deleted by the sweeper.
CREATE TABLE jit_live_by_identity (
  identity_id text   PRIMARY KEY,
  live        bigint NOT NULL
);

CREATE TABLE jit_live_by_task (
  task_id     text   NOT NULL,
  owner       text   NOT NULL,
  live        bigint NOT NULL,
  PRIMARY KEY (task_id, owner)
);

INSERT INTO jit_live_by_identity (identity_id, live)
  SELECT identity_id, count(*) FROM jit_grant WHERE state = 'LIVE' GROUP BY identity_id;
INSERT INTO jit_live_by_task (task_id, owner, live)
  SELECT task_id, coalesce(owner, delegators[cardinality(delegators)], identity_id), count(*) FROM jit_grant
  WHERE state = 'LIVE' GROUP BY 1, 2;

-- Applies the change of LIVE rows by one statement on jit_grant to the counters: -1 for each LIVE row it
-- took away (an UPDATE's old rows, a DELETE's rows), +1 for each LIVE row it left (an INSERT's rows, an
-- UPDATE's new rows); an UPDATE that changes no state (a heartbeat, a use) writes no counter. Counter rows
-- are written in one global order, identities before tasks and each by key, so two transactions changing
-- counters never deadlock (a hand-made UPDATE moving LIVE rows between identities aside). A counter that
-- would go below zero (out of step, say after a hand edit with triggers disabled) fails the statement:
-- nothing is ended or removed then, and the quotas never count too few. jit_insert_grant reads the
-- counters after its advisory locks, and an insert's +1 commits before the next insert of the same
-- identity or task can read, so the quotas stay exact across replicas; an end not yet committed still
-- counts as live, as the count over the rows did before.
CREATE FUNCTION jit_grants_counted() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
AS $$
DECLARE
  gone_identities text[];
  gone_tasks text[];
  gone_owners text[];
  came_identities text[];
  came_tasks text[];
  came_owners text[];
  lowest bigint;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    SELECT array_agg(identity_id), array_agg(task_id),
        array_agg(coalesce(owner, delegators[cardinality(delegators)], identity_id))
      INTO gone_identities, gone_tasks, gone_owners FROM old_rows WHERE state = 'LIVE';
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT array_agg(identity_id), array_agg(task_id),
        array_agg(coalesce(owner, delegators[cardinality(delegators)], identity_id))
      INTO came_identities, came_tasks, came_owners FROM new_rows WHERE state = 'LIVE';
  END IF;
  IF gone_identities IS NULL AND came_identities IS NULL THEN
    RETURN NULL;
  END IF;
  WITH up AS (
    INSERT INTO jit_live_by_identity AS c (identity_id, live)
      SELECT identity_id, sum(k) FROM (
          SELECT unnest(gone_identities) AS identity_id, -1 AS k
          UNION ALL SELECT unnest(came_identities), 1) d
        GROUP BY identity_id HAVING sum(k) <> 0 ORDER BY identity_id
      ON CONFLICT (identity_id) DO UPDATE SET live = c.live + EXCLUDED.live
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

CREATE TRIGGER jit_grant_inserted_counted
  AFTER INSERT ON jit_grant REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jit_grants_counted();

CREATE TRIGGER jit_grant_updated_counted
  AFTER UPDATE ON jit_grant REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jit_grants_counted();

CREATE TRIGGER jit_grant_deleted_counted
  AFTER DELETE ON jit_grant REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jit_grants_counted();

-- TRUNCATE fires no row or statement trigger above: it empties the counters with the table.
CREATE FUNCTION jit_grants_truncated() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
AS $$
BEGIN
  DELETE FROM jit_live_by_identity;
  DELETE FROM jit_live_by_task;
  RETURN NULL;
END;
$$;

CREATE TRIGGER jit_grant_truncated
  AFTER TRUNCATE ON jit_grant
  FOR EACH STATEMENT EXECUTE FUNCTION jit_grants_truncated();

-- GrantStore.insert, as in V5 (same parameters, results and order of checks, same advisory locks), with
-- the counts read from the counters instead of counted over the identity's and the task's live rows.
CREATE OR REPLACE FUNCTION jit_insert_grant(g jit_grant_row, max_per_identity integer, max_per_task integer,
    check_owner boolean, task_owner text, identity_lock bigint, task_lock bigint) RETURNS text
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
DECLARE
  held bigint;
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
  SELECT live INTO held FROM jit_live_by_identity WHERE identity_id = g.identity_id;
  IF coalesce(held, 0) >= max_per_identity THEN
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

-- Ending a grant (state LIVE -> REVOKED or EXPIRED) can now be a HOT update, which writes no index entry:
-- no index names state any more, neither as a column nor in a predicate (the V1 partial indexes over live
-- grants did, so each of the 10,000 rows of a revokeTask wrote a new entry into all five indexes), and
-- each page keeps half its room for the new versions of its rows. The quotas read the counters; live by
-- task, by identity and past the deadline read these indexes and check the state in the row.
DROP INDEX jit_grant_live_by_identity;
DROP INDEX jit_grant_live_by_task;
DROP INDEX jit_grant_live_by_deadline;
CREATE INDEX jit_grant_by_identity ON jit_grant (identity_id);
CREATE INDEX jit_grant_by_task ON jit_grant (task_id);
CREATE INDEX jit_grant_by_deadline ON jit_grant (deadline_s, deadline_n);
ALTER TABLE jit_grant SET (fillfactor = 50);

INSERT INTO jit_schema_version (version, description) VALUES (6, 'live-grant counters, HOT-friendly grant indexes');
