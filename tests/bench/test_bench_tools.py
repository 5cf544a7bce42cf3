"""The tools bench/run.sh runs beside Workstream: gRPC's floor
(bench/grpc_floor.cpp) and the report's ceiling of the two-process shape."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOOR = os.environ["WORKSTREAM_GRPC_FLOOR"]


@pytest.mark.parametrize("concurrency", ["1", "2"])
def test_the_floor_tool_measures_calls_between_two_processes(concurrency):
    run = subprocess.run([FLOOR, concurrency, "0.5"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["calls"] > 0
    assert 0.4 < result["seconds"] < 5
    assert result["rate"] == pytest.approx(result["calls"] / result["seconds"], rel=0.01)
    # Both processes spend CPU on every call; none is free.
    assert result["client_us"] > 0 and result["server_us"] > 0


def test_the_floor_tool_refuses_bad_arguments_and_says_how_to_call_it():
    for args in ([], ["0", "1"], ["8"], ["8", "-1"], ["x", "1"], ["8x", "1"], ["8", "inf"], ["8", "1s"],
                 ["1001", "1"], ["8", "1", "extra"]):
        run = subprocess.run([FLOOR, *args], capture_output=True, text=True, timeout=10)
        assert run.returncode == 2, args
        assert "usage: workstream_grpc_floor CONCURRENCY SECONDS" in run.stderr


def write(path, value):
    path.write_text(json.dumps(value))
    return str(path)


def ceiling(tmp_path, minimum):
    floor = write(tmp_path / "floor.json", {"calls": 1000, "seconds": 1, "rate": 1000, "client_us": 60, "server_us": 40})
    colo = write(tmp_path / "colo.json", {"requests": 1000, "ws_cpu_us": 30_000})
    two = write(tmp_path / "two.json", {"requests": 500, "pg_cpu_us": 10_000, "tool_cpu_us": 4_000,
                                        "servers_cpu_us": {"broker": 1_000}})
    pg = write(tmp_path / "pg.json", {"rate": 20_000})
    results = tmp_path / "results.jsonl"
    run = subprocess.run([sys.executable, str(ROOT / "bench/report.py"), str(results), "ceiling", "ceiling, get",
                          floor, colo, two, pg, str(minimum)], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    return json.loads(results.read_text().splitlines()[-1])


def test_the_ceiling_is_the_cores_over_what_each_part_costs_alone(tmp_path):
    # 30 (co-located) + 60 + 40 (gRPC) + 20 (Postgres) + 8 (wrk) + 2 (broker) = 160 µs a request.
    row = ceiling(tmp_path, 0.35)
    expected = len(os.sched_getaffinity(0)) * 1e6 / 160
    assert row["value"] == f"{expected:,.0f} req/s"
    assert row["ratio"] == f"{expected / 20_000:.2f}×"
    assert "Workstream co-located 30 µs + gRPC alone 100 µs + Postgres 20 µs + wrk 8 µs + broker 2 µs" in row["note"]
    assert row["met"] is None
    # The same without the 30 µs that are Workstream's own.
    bare = len(os.sched_getaffinity(0)) * 1e6 / 130
    assert row["note"].endswith(f"Were Workstream's own work free: {bare:,.0f} req/s, {bare / 20_000:.2f}×")


def test_the_ceiling_says_whether_the_target_is_above_it(tmp_path):
    ratio = len(os.sched_getaffinity(0)) * 1e6 / 160 / 20_000
    assert f"the target, ≥ {ratio + 0.1:g}×, is above it." in ceiling(tmp_path, ratio + 0.1)["note"]
    assert f"the target, ≥ {ratio - 0.1:g}×, is under it." in ceiling(tmp_path, ratio - 0.1)["note"]
