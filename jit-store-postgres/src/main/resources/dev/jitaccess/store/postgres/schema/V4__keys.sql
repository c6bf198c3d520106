-- jit-access schema, version 4: the public signing keys of every replica (PostgresKeyDirectory).
--
-- Plain SQL, applied after V3 by PostgresSchema.migrate() or by Flyway/Liquibase, with search_path set
-- to the target schema (names are unqualified).
--
-- One row per public key a replica registered before signing with it. Never a private key: the broker
-- publishes the public JWK only, and verifiers refuse (and log by kid) an entry holding a private part.
-- A key is trusted from not_before up to (not including) retire_after; retire_after only ever moves
-- earlier (jit_signing_key_retire_forward). Instants are epoch seconds plus nanoseconds, as in V1.

CREATE TABLE jit_signing_key (
  kid            text        PRIMARY KEY CHECK (length(kid) BETWEEN 1 AND 200),
  jwk            text        NOT NULL CHECK (length(jwk) BETWEEN 1 AND 16384),
  not_before_s   bigint      NOT NULL,
  not_before_n   integer     NOT NULL,
  retire_after_s bigint      NOT NULL,
  retire_after_n integer     NOT NULL,
  published_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((retire_after_s, retire_after_n) > (not_before_s, not_before_n))
);
CREATE INDEX jit_signing_key_by_retire_after ON jit_signing_key (retire_after_s, retire_after_n);

-- A key's material and start never change, and its end only moves earlier.
CREATE FUNCTION jit_signing_key_retire_forward() RETURNS trigger
  LANGUAGE plpgsql
AS $$
BEGIN
  IF NEW.kid <> OLD.kid OR NEW.jwk <> OLD.jwk OR NEW.not_before_s <> OLD.not_before_s
      OR NEW.not_before_n <> OLD.not_before_n THEN
    RAISE EXCEPTION 'jit_signing_key: only retire_after may change (key %)', OLD.kid;
  END IF;
  IF (NEW.retire_after_s, NEW.retire_after_n) > (OLD.retire_after_s, OLD.retire_after_n) THEN
    RAISE EXCEPTION 'jit_signing_key: retire_after may only move earlier (key %)', OLD.kid;
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER jit_signing_key_retire_forward
  BEFORE UPDATE ON jit_signing_key
  FOR EACH ROW EXECUTE FUNCTION jit_signing_key_retire_forward();

-- A published or retired key is announced on jit_key_<schema> with its kid as payload (delivered at
-- commit), so every replica's verifier re-reads the set without waiting for its refresh interval.
CREATE FUNCTION jit_signing_key_changed() RETURNS trigger
  LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM pg_notify('jit_key_' || TG_TABLE_SCHEMA, NEW.kid);
  RETURN NULL;
END;
$$;

CREATE TRIGGER jit_signing_key_changed
  AFTER INSERT OR UPDATE ON jit_signing_key
  FOR EACH ROW EXECUTE FUNCTION jit_signing_key_changed();

INSERT INTO jit_schema_version (version, description) VALUES (4, 'signing keys of every replica');
