-- The same two inserts a created task makes: the task row and its outbox row, in one transaction.
\set n random(1, 1000000000)
BEGIN;
INSERT INTO tasks (id, title, description, assignee_email, status, created_at, updated_at)
  VALUES (gen_random_uuid(), 'benchmark task', NULL, 'bench@example.com', 'open', now(), now());
INSERT INTO outbox (event_id, event_type, routing_key, aggregate_id, envelope)
  VALUES (gen_random_uuid(), 'workstream.task.created.v1', 'workstream.task.created', gen_random_uuid(),
          '{"event_id":"x","event_type":"workstream.task.created.v1","occurred_at":"2026-01-01T00:00:00.000000Z","producer":"workstream-tasks","trace_id":"0af7651916cd43dd8448eb211c80319c","payload":{"task_id":"x","title":"benchmark task","status":"open"}}');
COMMIT;
