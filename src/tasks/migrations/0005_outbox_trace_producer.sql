-- The envelope's trace_id and producer, copied beside it when the event is
-- written, so the relay reads columns instead of parsing every envelope.
-- Rows written before this migration keep NULL; readers fall back to the
-- envelope for them. Adding nullable columns without a default rewrites
-- nothing, but it takes a brief exclusive lock: rather than queue behind a
-- long transaction (and every insert behind it), give up and fail the start.
SET LOCAL lock_timeout = '5s';
ALTER TABLE outbox ADD COLUMN trace_id text, ADD COLUMN producer text;
