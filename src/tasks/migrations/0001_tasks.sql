-- Tasks, their idempotency keys, and the transactional outbox.

CREATE TABLE tasks (
  id             uuid        PRIMARY KEY,
  title          text        NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  description    text        CHECK (char_length(description) <= 10000),
  assignee_email text,
  status         text        NOT NULL CHECK (status IN ('open', 'completed')),
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  completed_at   timestamptz,
  CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);

-- Keyset pagination, newest first, with and without a status filter.
CREATE INDEX tasks_newest_idx ON tasks (created_at DESC, id DESC);
CREATE INDEX tasks_status_newest_idx ON tasks (status, created_at DESC, id DESC);

-- A create retried with the same key within 24 hours returns the same task.
CREATE TABLE task_idempotency_keys (
  key        text        PRIMARY KEY,
  task_id    uuid        NOT NULL REFERENCES tasks (id),
  created_at timestamptz NOT NULL
);

-- Events written in the same transaction as the change they report; the
-- relay publishes them in `position` order and then sets published_at.
CREATE TABLE outbox (
  position     bigserial   PRIMARY KEY,
  event_id     uuid        NOT NULL UNIQUE,
  event_type   text        NOT NULL,
  routing_key  text        NOT NULL,
  aggregate_id uuid        NOT NULL,
  envelope     json        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);

CREATE INDEX outbox_pending_idx ON outbox (position) WHERE published_at IS NULL;
