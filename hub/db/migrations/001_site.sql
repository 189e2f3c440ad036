-- The site hub's one schema, the same on PGlite and PostgreSQL 15. Instants are epoch ms (bigint).

-- Panels this hub holds an owner's key to: their public keys and the hub's command counter.
CREATE TABLE panels (
  panel_id    text PRIMARY KEY,
  name        text NOT NULL,
  sign_jwk    jsonb NOT NULL,
  enc_jwk     jsonb NOT NULL,
  role        text NOT NULL CHECK (role IN ('owner', 'manager')),
  counter     bigint NOT NULL DEFAULT 0,
  paired_at   bigint NOT NULL,
  last_seen   bigint
);

-- The directory.
CREATE TABLE people (
  person_id   text PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  role        text NOT NULL CHECK (role IN ('resident', 'employee', 'guest', 'service')),
  active      boolean NOT NULL DEFAULT true,
  -- The PIN sealed with the hub's data key (AES-GCM): the hub must hand it to a door added later.
  pin_sealed  text,
  created_at  bigint NOT NULL
);
CREATE TABLE person_groups (
  group_id    text PRIMARY KEY,
  name        text NOT NULL UNIQUE
);
CREATE TABLE group_members (
  group_id    text NOT NULL REFERENCES person_groups ON DELETE CASCADE,
  person_id   text NOT NULL REFERENCES people ON DELETE CASCADE,
  PRIMARY KEY (group_id, person_id)
);
CREATE TABLE door_groups (
  door_group_id text PRIMARY KEY,
  name          text NOT NULL UNIQUE
);
CREATE TABLE door_group_doors (
  door_group_id text NOT NULL REFERENCES door_groups ON DELETE CASCADE,
  panel_id      text NOT NULL REFERENCES panels ON DELETE CASCADE,
  PRIMARY KEY (door_group_id, panel_id)
);
CREATE TABLE schedules (
  schedule_id text PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  -- { timeZone, windows } exactly as a panel takes it (src/remote/command.ts parseSchedule).
  schedule    jsonb NOT NULL
);
-- A person group may use a door group, always (no schedule) or within one.
CREATE TABLE access_rules (
  group_id      text NOT NULL REFERENCES person_groups ON DELETE CASCADE,
  door_group_id text NOT NULL REFERENCES door_groups ON DELETE CASCADE,
  schedule_id   text REFERENCES schedules ON DELETE RESTRICT,
  PRIMARY KEY (group_id, door_group_id)
);

-- What each panel holds of the directory, as last confirmed by its signed reply.
CREATE TABLE panel_people (
  panel_id        text NOT NULL REFERENCES panels ON DELETE CASCADE,
  person_id       text NOT NULL,
  panel_person_id text NOT NULL,
  synced          jsonb NOT NULL,
  PRIMARY KEY (panel_id, person_id),
  UNIQUE (panel_id, panel_person_id)
);

-- The one log. Each row is chained to the one before it by hash; the signed envelope it came
-- in (the panel's event message, or its reply to a catch-up) is kept in log_proofs.
CREATE TABLE log_proofs (
  proof_hash  text PRIMARY KEY,
  panel_id    text NOT NULL,
  envelope    text NOT NULL
);
CREATE TABLE log (
  seq             bigint PRIMARY KEY,
  panel_id        text NOT NULL,
  event_id        text NOT NULL,
  at              bigint NOT NULL,
  kind            text NOT NULL,
  outcome         text,
  summary         text NOT NULL,
  panel_person_id text,
  person_id       text,
  detail          text NOT NULL,
  proof_hash      text NOT NULL REFERENCES log_proofs,
  received_at     bigint NOT NULL,
  prev_hash       text NOT NULL,
  row_hash        text NOT NULL,
  UNIQUE (panel_id, event_id)
);
CREATE INDEX log_at ON log (at);
CREATE INDEX log_person ON log (person_id, at);
CREATE INDEX log_panel ON log (panel_id, at);
-- The chain's two ends: deleting the newest rows shows as a head that no longer matches.
CREATE TABLE log_head (
  one         boolean PRIMARY KEY DEFAULT true CHECK (one),
  last_seq    bigint NOT NULL,
  last_hash   text NOT NULL,
  first_seq   bigint NOT NULL,
  first_prev  text NOT NULL,
  pruned      bigint NOT NULL DEFAULT 0
);
INSERT INTO log_head (last_seq, last_hash, first_seq, first_prev) VALUES (0, 'genesis', 1, 'genesis');

-- Append-only: rows are never updated; only retention, inside prune's own transaction, deletes.
CREATE FUNCTION log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('doorward.pruning', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER log_append_only BEFORE UPDATE OR DELETE ON log FOR EACH ROW EXECUTE FUNCTION log_append_only();
CREATE TRIGGER log_no_truncate BEFORE TRUNCATE ON log FOR EACH STATEMENT EXECUTE FUNCTION log_append_only();
