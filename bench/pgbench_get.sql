-- The read behind GET /api/v1/tasks/{id}: one row by primary key (run with
-- -M prepared, so :task_id is a parameter).
SELECT id, title, description, assignee_email, status,
       (extract(epoch FROM created_at) * 1000000)::bigint,
       (extract(epoch FROM updated_at) * 1000000)::bigint,
       (extract(epoch FROM completed_at) * 1000000)::bigint
  FROM tasks WHERE id = :task_id;
