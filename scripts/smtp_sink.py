"""An SMTP server for tests and local runs that keeps each message it accepts.

Each message is written to MAILDIR as <n>.eml (the raw message as received)
with <n>.json beside it (envelope sender and recipients), so tests can read
what the mailer sent. Recipients whose local part starts with "reject" are
refused for good (550), those starting with "tempfail" for now (451), so
tests can see both kinds of failure.
"""
import argparse
import asyncio
import itertools
import json
import os
import signal

from aiosmtpd.controller import Controller


class KeepEverything:
    def __init__(self, maildir):
        self.maildir = maildir
        start = len([n for n in os.listdir(maildir) if n.endswith(".eml")])
        self.counter = itertools.count(start + 1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local.startswith("tempfail"):
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        base = os.path.join(self.maildir, f"{n:06d}")
        with open(base + ".tmp", "wb") as out:
            out.write(envelope.original_content or envelope.content)
        with open(base + ".json", "w") as out:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, out)
        os.rename(base + ".tmp", base + ".eml")  # readers never see half a message
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    args = parser.parse_args()
    os.makedirs(args.maildir, exist_ok=True)
    controller = Controller(KeepEverything(args.maildir), hostname="127.0.0.1", port=args.port)
    controller.start()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
