-- Holiday exceptions of a schedule (issue #15): a date closed all day, or open on its own spans
-- instead of the weekly windows. Sent with the schedule in each door's slice (hub/directory.ts).
CREATE TABLE schedule_exceptions (
  schedule_id text NOT NULL REFERENCES schedules ON DELETE CASCADE,
  -- The local calendar date in the schedule's zone, YYYY-MM-DD.
  date        text NOT NULL CHECK (date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  kind        text NOT NULL CHECK (kind IN ('closed', 'open')),
  -- [{ start, end }] for an open date; null: open all day (or closed).
  spans       jsonb,
  note        text CHECK (char_length(note) BETWEEN 1 AND 80),
  CHECK (kind = 'open' OR spans IS NULL),
  PRIMARY KEY (schedule_id, date)
);
