-- jit-access schema, version 8: the audit trail becomes 16 hash chains instead of one, so that appends
-- from concurrent transactions no longer wait for each other's commit.
--
-- Plain SQL, applied after V7 by PostgresSchema.migrate() or by Flyway/Liquibase, with search_path set
-- to the target schema (names are unqualified).
--
-- Why: under V2 every append took the row lock of the single jit_audit_head row and held it until its
-- transaction had committed, and a commit waits for its WAL flush (2-3 ms on the benchmark machine). A
-- grant's row commits together with its ISSUED record (IssuanceLink), so every grant of every replica
-- committed strictly one after another, one flush each, and PostgreSQL's group commit never had two
-- commits to group: 750-830 grants/s at 8 client threads whatever the CPU.
--
-- Now: chains 0 to 15, each with its own head row, its own gap-free seq from 1 and its own hash chain (the
-- first record of every chain has prev GENESIS); a record's line has the same format as before, so each
-- chain read in seq order is a file that AuditTrail.verify(Path) accepts. The records already there
-- become chain 0, unchanged. An append names a preferred chain (PostgresAuditSink: chosen by the grant
-- id, so a grant's records go to one chain) and takes the first head row among the sink's chains that no
-- other transaction holds, starting at the preferred one (FOR UPDATE SKIP LOCKED); only when every one of
-- them is held does it wait, on the preferred chain. A transaction that already holds a head finds that
-- head free for itself, so appenders never wait for each other in a cycle.
LOCK TABLE jit_audit IN SHARE ROW EXCLUSIVE MODE;
LOCK TABLE jit_audit_head IN SHARE ROW EXCLUSIVE MODE;

ALTER TABLE jit_audit ADD COLUMN chain smallint NOT NULL DEFAULT 0 CHECK (chain BETWEEN 0 AND 15);
ALTER TABLE jit_audit DROP CONSTRAINT jit_audit_pkey;
ALTER TABLE jit_audit ADD PRIMARY KEY (chain, seq);

ALTER TABLE jit_audit_head DROP CONSTRAINT jit_audit_head_pkey;
ALTER TABLE jit_audit_head DROP COLUMN singleton;
ALTER TABLE jit_audit_head ADD COLUMN chain smallint NOT NULL DEFAULT 0 CHECK (chain BETWEEN 0 AND 15);
ALTER TABLE jit_audit_head ALTER COLUMN chain DROP DEFAULT;
ALTER TABLE jit_audit_head ADD PRIMARY KEY (chain);
INSERT INTO jit_audit_head (chain, seq, hash) SELECT c, 0, 'GENESIS' FROM generate_series(1, 15) c;

-- No head row is ever added or removed again: all 16 exist, the primary key and the check refuse a 17th,
-- and deletes were refused since V2.
CREATE TRIGGER jit_audit_head_no_insert
  BEFORE INSERT ON jit_audit_head
  FOR EACH ROW EXECUTE FUNCTION jit_audit_append_only();

DROP FUNCTION jit_audit_append(text);

-- Appends one record whose middle part (type, time, fields: printable ASCII, written by
-- PostgresAuditSink) is body to one of the chains 0 .. chains - 1, preferably to chain preferred; returns
-- its chain, seq and hash. The record and its head's move happen in the caller's transaction: both commit
-- or neither.
CREATE FUNCTION jit_audit_append(body text, preferred integer, chains integer,
    OUT out_chain smallint, OUT out_seq bigint, OUT out_hash text)
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
AS $$
DECLARE
  head_seq  bigint;
  head_hash text;
  record    text;
BEGIN
  IF chains IS NULL OR chains < 1 OR chains > 16 OR preferred IS NULL OR preferred < 0 OR preferred >= chains THEN
    RAISE EXCEPTION 'jit_audit_append: chains must be 1 to 16 and preferred 0 to chains - 1, got chains % preferred %',
      chains, preferred USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR i IN 0 .. chains - 1 LOOP
    out_chain := (preferred + i) % chains;
    SELECT h.seq, h.hash INTO head_seq, head_hash FROM jit_audit_head h WHERE h.chain = out_chain
      FOR UPDATE SKIP LOCKED;
    EXIT WHEN FOUND;
  END LOOP;
  IF head_seq IS NULL THEN
    out_chain := preferred;
    SELECT h.seq, h.hash INTO STRICT head_seq, head_hash FROM jit_audit_head h WHERE h.chain = out_chain FOR UPDATE;
  END IF;
  out_seq := head_seq + 1;
  record := '{"seq":' || out_seq || ',' || body || ',"prev":"' || head_hash || '"}';
  out_hash := rtrim(translate(encode(sha256(convert_to(record, 'UTF8')), 'base64'), '+/', '-_'), '=');
  INSERT INTO jit_audit (chain, seq, line, hash) VALUES (out_chain, out_seq, record, out_hash);
  UPDATE jit_audit_head SET seq = out_seq, hash = out_hash WHERE chain = out_chain;
END;
$$;

-- The head of a chain only moves forward, within its chain, and only onto a record of that chain that
-- exists with the same hash.
CREATE OR REPLACE FUNCTION jit_audit_head_moves_forward() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
AS $$
BEGIN
  IF NEW.chain <> OLD.chain OR NEW.seq <= OLD.seq
      OR NOT EXISTS (SELECT 1 FROM jit_audit a WHERE a.chain = NEW.chain AND a.seq = NEW.seq AND a.hash = NEW.hash) THEN
    RAISE EXCEPTION 'the jit-access audit head may only move forward onto an appended record (chain % from % to chain % %)',
      OLD.chain, OLD.seq, NEW.chain, NEW.seq USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END;
$$;

INSERT INTO jit_schema_version (version, description) VALUES (8, 'audit chains');
