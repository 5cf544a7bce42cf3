-- wrk: GET /api/v1/tasks/{id} for the id in the TASK_ID environment variable.
wrk.path = "/api/v1/tasks/" .. os.getenv("TASK_ID")
