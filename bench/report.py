"""The results of one bench/run.sh: each measure printed as it comes, kept
as a JSON line, and at the end a Markdown table for bench/README.md.

    bench/report.py FILE check NAME VALUE UNIT [--yardstick Y --yunit U] [--min R | --max X | --none] [--note TEXT]
    bench/report.py FILE load NAME WS_JSON PGBENCH_JSON MIN
        three rows from bench/measure.py's results of a wrk run and of its
        pgbench yardstick: the rate against pgbench's (ratio >= MIN), the
        threads created in Workstream (none), CPU per request next to pgbench's
    bench/report.py FILE cost NAME WS_JSON
        one row, no target: the rate of a wrk run and Workstream's and wrk's
        CPU per request (what a request costs with no database behind it)
    bench/report.py FILE grpc NAME FLOOR_JSON
        one row, no target: gRPC alone (bench/grpc_floor.cpp), its rate and
        the CPU per call of its client and its server
    bench/report.py FILE ceiling NAME FLOOR_JSON COLOCATED_JSON TWO_JSON PGBENCH_JSON MIN
        one row, no target: the most requests per second the machine's
        cores allow for the two-process shape when its parts cost what they
        cost measured alone: Workstream's CPU per request co-located, plus
        gRPC's per call, plus Postgres's, wrk's and the other servers' per
        request as two processes; its ratio to pgbench, whether MIN is
        above it, and the same were Workstream's own work free
    bench/report.py FILE table                   the Markdown table; exit 3 if a target was missed

With --yardstick, --min is a floor on VALUE/Y (a ratio); without, --min and
--max bound VALUE itself (--max is strict: under X); --none: VALUE is 0.
"""
import argparse
import json
import os
import sys


def number(x):
    if x is None:
        return "–"
    if float(x).is_integer() or abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def check(args):
    ratio = args.value / args.yardstick if args.yardstick else None
    subject = ratio if ratio is not None else args.value
    if args.min is not None:
        target = f"≥ {args.min:g}×" if ratio is not None else f"≥ {args.min:g} {args.unit}"
        met = subject >= args.min
    elif args.none:
        target, met = "none", args.value == 0
    elif args.max is not None:
        target = f"< {args.max:g} {args.unit}"
        met = subject < args.max
    else:
        target, met = "", None
    row = {
        "name": args.name,
        "value": f"{number(args.value)} {args.unit}",
        "yardstick": f"{number(args.yardstick)} {args.yunit}" if args.yardstick else "",
        "ratio": f"{ratio:.2f}×" if ratio is not None else "",
        "target": target,
        "met": met,
        "note": args.note or "",
    }
    verdict = {True: "met", False: "MISSED", None: ""}[met]
    line = f"{args.name}: {row['value']}"
    if args.yardstick:
        line += f" vs {row['yardstick']}, ratio {row['ratio']}"
    if target:
        line += f" (target {target}) {verdict}"
    if row["note"]:
        line += f" [{row['note']}]"
    print(line, flush=True)
    return row


def load(args):
    with open(args.ws_json) as f:
        ws = json.load(f)
    with open(args.pg_json) as f:
        pg = json.load(f)
    reqs, txs = ws["requests"], pg["requests"]
    rows = [check(argparse.Namespace(
        name=args.name, value=ws["rate"], unit="req/s", yardstick=pg["rate"], yunit="tps (pgbench)",
        min=args.min, max=None, none=False, note=""))]
    threads = sum(ws["threads"].values())
    per_process = ", ".join(f"{name} {n}" for name, n in ws["threads"].items())
    rows.append(check(argparse.Namespace(
        name="threads created, " + args.name, value=threads, unit="threads", yardstick=None, yunit="",
        min=None, max=None, none=True,
        note=f"{threads / reqs:.4f} per request ({per_process}); tasks created on the machine: {ws['last_pid_delta']}")))
    cpu = {"name": "CPU per request, " + args.name,
           "value": f"{ws['ws_cpu_us'] / reqs:.0f} µs + Postgres {ws['pg_cpu_us'] / reqs:.0f} µs",
           "yardstick": f"pgbench {pg['tool_cpu_us'] / txs:.0f} µs + Postgres {pg['pg_cpu_us'] / txs:.0f} µs",
           "ratio": "", "target": "", "met": None,
           "note": f"wrk {ws['tool_cpu_us'] / reqs:.0f} µs"
                   + "".join(f", {name} {us / reqs:.0f} µs" for name, us in ws.get("servers_cpu_us", {}).items())
                   + f"; Postgres sessions opened: {ws['pg_sessions']}"}
    print(f"{cpu['name']}: Workstream {cpu['value']} vs {cpu['yardstick']} [{cpu['note']}]", flush=True)
    return rows + [cpu]


def read_json(path):
    with open(path) as f:
        return json.load(f)


def info(name, value, note):
    """One row with no target, printed as it comes."""
    row = {"name": name, "value": value, "yardstick": "", "ratio": "", "target": "", "met": None, "note": note}
    print(f"{name}: {value} [{note}]", flush=True)
    return [row]


def cost(args):
    ws = read_json(args.ws_json)
    reqs = ws["requests"]
    return info(args.name, f"{number(ws['rate'])} req/s",
                f"CPU per request: Workstream {ws['ws_cpu_us'] / reqs:.0f} µs, wrk {ws['tool_cpu_us'] / reqs:.0f} µs")


def grpc(args):
    floor = read_json(args.floor_json)
    return info(args.name, f"{number(floor['rate'])} calls/s",
                f"CPU per call: client {floor['client_us']:.0f} µs, server {floor['server_us']:.0f} µs")


def ceiling(args):
    floor, colo, two, pg = (read_json(p) for p in (args.floor_json, args.colocated_json, args.two_json, args.pg_json))
    parts = {
        "Workstream co-located": colo["ws_cpu_us"] / colo["requests"],
        "gRPC alone": floor["client_us"] + floor["server_us"],
        "Postgres": two["pg_cpu_us"] / two["requests"],
        "wrk": two["tool_cpu_us"] / two["requests"],
    }
    for name, us in two.get("servers_cpu_us", {}).items():
        parts[name] = us / two["requests"]
    cores = len(os.sched_getaffinity(0))  # the cores this may run on, as nproc counts them
    rate = cores * 1e6 / sum(parts.values())
    ratio = rate / pg["rate"]
    bare = cores * 1e6 / (sum(parts.values()) - parts["Workstream co-located"])
    verdict = "above" if args.min > ratio else "under"
    row = {"name": args.name, "value": f"{number(rate)} req/s", "yardstick": f"{number(pg['rate'])} tps (pgbench)",
           "ratio": f"{ratio:.2f}×", "target": "", "met": None,
           "note": f"{cores} cores over " + " + ".join(f"{k} {v:.0f} µs" for k, v in parts.items())
                   + f" per request; the target, ≥ {args.min:g}×, is {verdict} it."
                   + f" Were Workstream's own work free: {number(bare)} req/s, {bare / pg['rate']:.2f}×"}
    print(f"{row['name']}: {row['value']}, ratio {row['ratio']} [{row['note']}]", flush=True)
    return [row]


def table(rows):
    print("| measure | Workstream | yardstick | ratio | target | result | details |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        verdict = {True: "met", False: "**missed**", None: ""}[r["met"]]
        print(f"| {r['name']} | {r['value']} | {r['yardstick']} | {r['ratio']} | {r['target']} | {verdict} | {r['note']} |")
    missed = [r["name"] for r in rows if r["met"] is False]
    print()
    print(f"{sum(r['met'] is True for r in rows)} targets met, {len(missed)} missed"
          + (": " + "; ".join(missed) if missed else ""))
    return 3 if missed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    sub = ap.add_subparsers(dest="verb", required=True)
    c = sub.add_parser("check")
    c.add_argument("name")
    c.add_argument("value", type=float)
    c.add_argument("unit")
    c.add_argument("--yardstick", type=float)
    c.add_argument("--yunit", default="")
    c.add_argument("--min", type=float)
    c.add_argument("--max", type=float)
    c.add_argument("--none", action="store_true")
    c.add_argument("--note")
    lo = sub.add_parser("load")
    lo.add_argument("name")
    lo.add_argument("ws_json")
    lo.add_argument("pg_json")
    lo.add_argument("min", type=float)
    co = sub.add_parser("cost")
    co.add_argument("name")
    co.add_argument("ws_json")
    g = sub.add_parser("grpc")
    g.add_argument("name")
    g.add_argument("floor_json")
    ce = sub.add_parser("ceiling")
    ce.add_argument("name")
    ce.add_argument("floor_json")
    ce.add_argument("colocated_json")
    ce.add_argument("two_json")
    ce.add_argument("pg_json")
    ce.add_argument("min", type=float)
    sub.add_parser("table")
    args = ap.parse_args()
    if args.verb == "table":
        with open(args.file) as f:
            sys.exit(table([json.loads(line) for line in f if line.strip()]))
    if args.verb == "load":
        rows = load(args)
    elif args.verb == "cost":
        rows = cost(args)
    elif args.verb == "grpc":
        rows = grpc(args)
    elif args.verb == "ceiling":
        rows = ceiling(args)
    else:
        rows = [check(args)]
    with open(args.file, "a") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
