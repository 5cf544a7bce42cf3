-- The id of the REST request that caused each event, for `workstream trace`.
-- The envelope's contract has no place for it, so it stays beside the
-- envelope; rows written before this migration keep NULL.
ALTER TABLE outbox ADD COLUMN request_id text;
