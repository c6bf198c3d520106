-- jit-access schema, version 2: the audit trail (PostgresAuditSink).
--
-- Plain SQL, applied after V1 by PostgresSchema.migrate() or by Flyway/Liquibase, with search_path set
-- to the target schema (names are unqualified).
--
-- One hash chain shared by every replica. An append takes the row lock on the single jit_audit_head row,
-- so appends from all replicas are serialised and seq is gap-free; in the same transaction it inserts
-- the record and moves the head to it. Each record is one line in the JSON-lines format of
-- AuditSink.jsonLines ({"seq":n,"type":...,"at":...,"fields":{...},"prev":"<hash of record n-1>"}), and
-- hash is the base64url SHA-256 of that line's UTF-8 bytes: selecting line ordered by seq gives a file
-- that AuditTrail.verify(Path) accepts. The head anchors the end of the chain: rows removed from the end
-- leave the head pointing past the last row, so PostgresAuditSink.verify() detects the truncation
-- (which the file sink cannot).

CREATE TABLE jit_audit (
  seq         bigint      PRIMARY KEY CHECK (seq >= 1),
  line        text        NOT NULL,
  hash        text        NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()   -- the server's time; informational, not chained
);

CREATE TABLE jit_audit_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  seq       bigint  NOT NULL CHECK (seq >= 0),
  hash      text    NOT NULL
);
INSERT INTO jit_audit_head (seq, hash) VALUES (0, 'GENESIS');

-- Appends one record whose middle part (type, time, fields: printable ASCII, written by
-- PostgresAuditSink) is body; returns its seq and hash. Takes the head's row lock, so every appender in
-- every replica waits here for the one before it, and the record and the head change in the caller's
-- transaction: both commit or neither.
CREATE FUNCTION jit_audit_append(body text, OUT out_seq bigint, OUT out_hash text)
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
AS $$
DECLARE
  head_seq  bigint;
  head_hash text;
  record    text;
BEGIN
  SELECT h.seq, h.hash INTO STRICT head_seq, head_hash FROM jit_audit_head h FOR UPDATE;
  out_seq := head_seq + 1;
  record := '{"seq":' || out_seq || ',' || body || ',"prev":"' || head_hash || '"}';
  out_hash := rtrim(translate(encode(sha256(convert_to(record, 'UTF8')), 'base64'), '+/', '-_'), '=');
  INSERT INTO jit_audit (seq, line, hash) VALUES (out_seq, record, out_hash);
  UPDATE jit_audit_head SET seq = out_seq, hash = out_hash;
END;
$$;

-- Append-only: records are never changed or removed through SQL. (A table owner can still disable
-- these triggers; the hash chain and the head are what make such edits visible.)
CREATE FUNCTION jit_audit_append_only() RETURNS trigger
  LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION 'the jit-access audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER jit_audit_no_update_or_delete
  BEFORE UPDATE OR DELETE ON jit_audit
  FOR EACH ROW EXECUTE FUNCTION jit_audit_append_only();
CREATE TRIGGER jit_audit_no_truncate
  BEFORE TRUNCATE ON jit_audit
  FOR EACH STATEMENT EXECUTE FUNCTION jit_audit_append_only();
CREATE TRIGGER jit_audit_head_no_delete
  BEFORE DELETE ON jit_audit_head
  FOR EACH ROW EXECUTE FUNCTION jit_audit_append_only();
CREATE TRIGGER jit_audit_head_no_truncate
  BEFORE TRUNCATE ON jit_audit_head
  FOR EACH STATEMENT EXECUTE FUNCTION jit_audit_append_only();

-- The head only moves forward, and only onto a record that exists with the same hash. Deferred to the
-- end of the transaction, so an append may insert the record and move the head in one statement.
CREATE FUNCTION jit_audit_head_moves_forward() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path FROM CURRENT
AS $$
BEGIN
  IF NEW.seq <= OLD.seq OR NOT EXISTS (SELECT 1 FROM jit_audit a WHERE a.seq = NEW.seq AND a.hash = NEW.hash) THEN
    RAISE EXCEPTION 'the jit-access audit head may only move forward onto an appended record (from % to %)',
      OLD.seq, NEW.seq USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER jit_audit_head_forward
  AFTER UPDATE ON jit_audit_head
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION jit_audit_head_moves_forward();

INSERT INTO jit_schema_version (version, description) VALUES (2, 'audit trail');
