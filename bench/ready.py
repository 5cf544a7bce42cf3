"""Starts a command in the background and times it from exec to the first
200 from http://ADMIN/ready, polled every 2 ms. Prints "PID MS"; the process
keeps running (its caller stops it by that PID). Exits 1, killing it, if it
exits or is not ready within 30 s.

    bench/ready.py ADMIN_ADDR LOG_FILE -- COMMAND...
"""
import http.client
import os
import signal
import subprocess
import sys
import time


def ready(host, port):
    try:
        conn = http.client.HTTPConnection(host, port, timeout=1)
        conn.request("GET", "/ready")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def main():
    admin, log = sys.argv[1], sys.argv[2]
    command = sys.argv[4:] if sys.argv[3:4] == ["--"] else sys.argv[3:]
    host, port = admin.rsplit(":", 1)
    with open(log, "ab") as out:
        began = time.monotonic()
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    while not ready(host, int(port)):
        if proc.poll() is not None or time.monotonic() - began > 30:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            sys.exit("ready.py: %s not ready (exit %s); see %s" % (" ".join(command), proc.poll(), log))
        time.sleep(0.002)
    print(proc.pid, round((time.monotonic() - began) * 1000))


if __name__ == "__main__":
    main()
