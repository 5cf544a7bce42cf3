-- wrk: POST /api/v1/tasks with a small JSON body.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title": "benchmark task", "assignee_email": "bench@example.com"}'
