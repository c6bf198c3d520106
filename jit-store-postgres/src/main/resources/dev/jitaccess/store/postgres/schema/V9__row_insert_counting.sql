-- V9: a grant insert is counted by a row-level trigger.
--
-- V6 counted inserts, ends and deletes with one statement-level trigger that reads the statement's
-- transition tables. That is right for a bulk end (10,000 rows, counters written once, in one global
-- order), but every grant insert is a single-row statement (jit_insert_grant), and for one row the
-- transition table and the function's four aggregate queries cost about as much as the rest of the insert:
-- pgbench of jit_insert_grant at 8 clients, CPU-bound (synchronous_commit off), made 2,190-3,127 inserts/s
-- with the statement trigger and 2,924-3,859/s with this row trigger on the same schema; with commits
-- flushed, 1,169/s against 1,392/s (a loaded 2-core machine, 2026-12-05).
--
-- Now an INSERT adds one to the identity's counter row of the grant's slot and to the (task, owner) row,
-- per LIVE row, identities before tasks as V6 and V7 order them; UPDATE and DELETE keep V7's statement
-- trigger. A statement inserting several rows counts them row by row, in its own row order; two such
-- statements (the store never makes one) could then deadlock on counter rows, which PostgreSQL detects
-- and reports as an error: nothing is miscounted. The counters stay exact: the same transaction writes the
-- grant and its counts, and an insert only adds.

CREATE FUNCTION jit_grant_counted_on_insert() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
AS $$
BEGIN
  INSERT INTO jit_live_by_identity_slot AS c (identity_id, slot, live)
    VALUES (NEW.identity_id, jit_counter_slot(NEW.grant_id), 1)
    ON CONFLICT (identity_id, slot) DO UPDATE SET live = c.live + 1;
  INSERT INTO jit_live_by_task AS c (task_id, owner, live)
    VALUES (NEW.task_id, coalesce(NEW.owner, NEW.delegators[cardinality(NEW.delegators)], NEW.identity_id), 1)
    ON CONFLICT (task_id, owner) DO UPDATE SET live = c.live + 1;
  RETURN NULL;
END;
$$;

DROP TRIGGER jit_grant_inserted_counted ON jit_grant;

CREATE TRIGGER jit_grant_inserted_counted
  AFTER INSERT ON jit_grant
  FOR EACH ROW WHEN (NEW.state = 'LIVE') EXECUTE FUNCTION jit_grant_counted_on_insert();

INSERT INTO jit_schema_version (version, description) VALUES (9, 'row-level insert counting');
