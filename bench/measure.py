"""Runs one load command (wrk or pgbench) and measures, from /proc, what it
cost: CPU of the Workstream processes and of Postgres, the threads created
in each Workstream process, and the load tool's own CPU.

    bench/measure.py --ws NAME=PID[,NAME=PID] --pg POSTMASTER_PID --pg-url URL
                     [--servers NAME=PID[,NAME=PID]] --out FILE -- COMMAND...

The command's output goes to FILE; one JSON object goes to stdout:
  requests      wrk's "N requests" or pgbench's processed transactions
  rate          wrk's Requests/sec or pgbench's tps
  errors        wrk's non-2xx and socket errors
  ws_cpu_us     utime+stime of the Workstream processes (all their threads,
                living or exited), after minus before
  pg_cpu_us     Postgres: the postmaster and its living children, plus the
                postmaster's cutime+cstime, which collects every child it
                reaped (backends that exited during the run keep their ticks)
  tool_cpu_us   the command's own CPU (wait4's rusage)
  servers_cpu_us  per --servers NAME: that process's CPU, its living
                children's, and its reaped children's (cutime+cstime), as
                for Postgres
  pg_sessions   sessions opened on the database during the run
                (pg_stat_database.sessions: every client's, not only ours)
  threads       per Workstream process NAME: TIDs seen during the run that were not
                there before (sampled every 5 ms, plus the set difference
                of the TIDs after and before)
  last_pid_delta  /proc/sys/kernel/ns_last_pid after minus before: every
                task (process or thread) created on the machine, an upper bound
"""
import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time

import psycopg

TICK_US = 1_000_000 / os.sysconf("SC_CLK_TCK")


def stat_fields(pid):
    """/proc/PID/stat split after the command name (which may hold spaces)."""
    with open("/proc/%d/stat" % pid) as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()


def cpu_ticks(pid, children=False):
    # After the name: state is [0], utime [11], stime [12], cutime [13], cstime [14].
    f = stat_fields(pid)
    ticks = int(f[11]) + int(f[12])
    if children:
        ticks += int(f[13]) + int(f[14])
    return ticks


def children_of(ppid):
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if int(stat_fields(int(name))[1]) == ppid:
                out.append(int(name))
        except (OSError, ValueError, IndexError):
            pass
    return out


def tree_ticks(root):
    """CPU ticks of a process, its reaped children (cutime+cstime) and its
    living children."""
    total = cpu_ticks(root, children=True)
    for pid in children_of(root):
        try:
            total += cpu_ticks(pid)
        except OSError:
            pass  # exited between listing and reading: the parent's cutime has it
    return total


def tids(pid):
    try:
        return set(os.listdir("/proc/%d/task" % pid))
    except OSError:
        return set()


def sessions(db):
    db.execute("SELECT pg_stat_clear_snapshot()")
    return db.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()").fetchone()[0]


def pid_max():
    with open("/proc/sys/kernel/pid_max") as f:
        return int(f.read())


def last_pid():
    with open("/proc/sys/kernel/ns_last_pid") as f:
        return int(f.read())


class ThreadSampler(threading.Thread):
    """Every 5 ms, the TIDs of each process: a thread that lives less than
    that between two samples can be missed, hence the set difference too."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = pids
        self.before = {pid: tids(pid) for pid in pids}
        self.seen = {pid: set() for pid in pids}
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            for pid in self.pids:
                self.seen[pid] |= tids(pid)
            time.sleep(0.005)

    def created(self):
        return {pid: len((self.seen[pid] | tids(pid)) - self.before[pid]) for pid in self.pids}


def parse_tool(text):
    out = {"requests": 0, "rate": 0.0, "errors": 0}
    m = re.search(r"(\d+) requests in", text)
    if m:  # wrk
        out["requests"] = int(m.group(1))
        out["rate"] = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        out["errors"] += int(m.group(1)) if m else 0
        m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
        out["errors"] += sum(int(g) for g in m.groups()) if m else 0
        return out
    m = re.search(r"number of transactions actually processed: (\d+)", text)
    if m:  # pgbench
        out["requests"] = int(m.group(1))
        out["rate"] = float(re.search(r"tps = ([\d.]+)", text).group(1))
        m = re.search(r"number of failed transactions: (\d+)", text)
        out["errors"] += int(m.group(1)) if m else 0
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ws", default="", help="Workstream processes: NAME=PID, comma-separated")
    ap.add_argument("--pg", type=int, required=True, help="the postmaster's PID")
    ap.add_argument("--pg-url", required=True)
    ap.add_argument("--servers", default="", help="other servers: NAME=PID, comma-separated")
    ap.add_argument("--out", required=True)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    names = dict((int(p), n) for n, p in (item.split("=") for item in args.ws.split(",") if item))
    ws = list(names)
    servers = dict((n, int(p)) for n, p in (item.split("=") for item in args.servers.split(",") if item))

    db = psycopg.connect(args.pg_url, autocommit=True)
    sampler = ThreadSampler(ws)
    sampler.start()
    ws_before = sum(cpu_ticks(p) for p in ws)
    pg_before = tree_ticks(args.pg)
    servers_before = {n: tree_ticks(p) for n, p in servers.items()}
    sessions_before = sessions(db)
    pid_before = last_pid()
    with open(args.out, "w") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    pid_after = last_pid()
    ws_after = sum(cpu_ticks(p) for p in ws)
    # The postmaster reaps an exited backend (adding it to cutime) soon
    # after its exit; give it that moment before the final reading.
    time.sleep(0.1)
    pg_after = tree_ticks(args.pg)
    servers_after = {n: tree_ticks(p) for n, p in servers.items()}
    sessions_after = sessions(db)
    sampler.stop.set()
    sampler.join()
    with open(args.out) as f:
        text = f.read()
    result = parse_tool(text)
    result.update({
        "exit": os.waitstatus_to_exitcode(status),
        "ws_cpu_us": (ws_after - ws_before) * TICK_US,
        "pg_cpu_us": (pg_after - pg_before) * TICK_US,
        "tool_cpu_us": (usage.ru_utime + usage.ru_stime) * 1e6,
        "servers_cpu_us": {n: (servers_after[n] - servers_before[n]) * TICK_US for n in servers},
        "pg_sessions": sessions_after - sessions_before,
        "threads": {names[pid]: n for pid, n in sampler.created().items()},
        "last_pid_delta": (pid_after - pid_before) % pid_max(),
    })
    json.dump(result, sys.stdout)
    print()
    if result["exit"] != 0:
        sys.exit("measure.py: %s exited %d; see %s" % (command[0], result["exit"], args.out))


if __name__ == "__main__":
    main()
