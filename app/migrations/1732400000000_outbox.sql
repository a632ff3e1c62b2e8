-- Up Migration
-- The transactional outbox: what must follow a committed write (refresh the tenant's cached reads,
-- publish realtime events, enqueue background tasks) is written in the same transaction as the
-- write. The api runs it right after the commit and deletes the row; if that fails (Redis away,
-- the process killed), any api instance's sweeper runs it once the row is due. Effects are
-- idempotent, so running one twice is harmless.
CREATE TABLE outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  follow_up jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Due for the sweeper: a few seconds after the commit (time for the inline run), then after
  -- each claim the claim's lease.
  next_attempt_at timestamptz NOT NULL DEFAULT now() + interval '5 seconds',
  attempts integer NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at);

-- Down Migration
DROP TABLE outbox;
