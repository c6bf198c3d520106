-- V10: a bulk end (revokeTask, revokeIdentity) is announced before it is written.
--
-- Ending 10,000 grants is one UPDATE of 10,000 rows: 160-210 ms of the server's time on an idle
-- 2-core machine, plus reading the ended records back, before it commits and any replica hears of it.
-- Now the store first commits, in one short statement (jit_announce_end), the ids it is about to end with
-- their new state (a row of jit_grant_ending) and a NOTIFY asking every replica to catch up. From that commit
-- on, every read of a grant's record by the store shows a LIVE grant named by a pending end in the state and
-- reason of that end: PostgresGrantStore.find reading the database joins this table, and each replica's
-- change feed reads the announcements at every catch-up and lays them over its cached records, so every
-- verifier refuses those grants at once. The UPDATE follows in its own transaction, which also deletes the
-- announcement; its change-log row then delivers the ends to the replicas' listeners, as before.
--
-- Fail closed: if the UPDATE's transaction fails or its replica dies, the announcement stays and the grants
-- stay refused; the sweeper of any replica completes an announcement older than the sweep grace (the same
-- UPDATE, under the same locks, with the REVOKED or EXPIRED audit records in its transaction when a
-- PostgresAuditSink is linked) and deletes it.

CREATE TABLE jit_grant_ending (
  ending_id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  grant_ids         text[]      NOT NULL,
  state             text        NOT NULL CHECK (state IN ('REVOKED', 'EXPIRED')),
  revocation_reason text        CHECK ((state = 'REVOKED') = (revocation_reason IS NOT NULL)),
  announced_at      timestamptz NOT NULL DEFAULT now()
);

-- Announces an end of the given grants; returns the announcement's id, which the ending transaction
-- deletes. One round trip in auto-commit: the commit makes the announcement visible everywhere.
CREATE FUNCTION jit_announce_end(ids text[], new_state text, reason text) RETURNS bigint
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
DECLARE
  id bigint;
BEGIN
  INSERT INTO jit_grant_ending (grant_ids, state, revocation_reason) VALUES (ids, new_state, reason)
    RETURNING ending_id INTO id;
  PERFORM pg_notify('jit_grant_change_' || current_schema(), '');
  RETURN id;
END;
$$;

INSERT INTO jit_schema_version (version, description) VALUES (10, 'announced bulk ends');
