#!/usr/bin/env python3
"""Holds many idle TCP connections open to one loopback port, for
tests/e2e/test-e2e-metrics-flood.sh.

    http-flood.py PORT COUNT --ready FILE [--ready-after K] [--seconds S]
                  [--max-connects N]

Opens COUNT connections to 127.0.0.1:PORT and sends nothing on them.  A
connection that the server closes is opened again, at most COUNT times a
second, so that COUNT stay open or trying for as long as it runs: a client
flooding the port, not one that gives up.  FILE gets a line once K (default
COUNT) connections have been established in all (the server may have
closed some of them since).  It stops by itself after S seconds (default
120) or N connects in all (default 20000), whichever comes first, or at
SIGTERM, and then prints how many connects it made and how many the server
closed.  Loopback only.
"""

import argparse
import errno
import selectors
import signal
import socket
import sys
import time


class Flood:
    def __init__(self, args):
        self.args = args
        self.addr = ("127.0.0.1", args.port)
        self.sel = selectors.DefaultSelector()
        self.connects = self.established = self.closed = 0

    def open_one(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex(self.addr)
        if err not in (0, errno.EINPROGRESS):
            s.close()
            return False
        self.connects += 1
        self.sel.register(s, selectors.EVENT_WRITE, "connecting")
        return True

    def drop(self, s):
        self.sel.unregister(s)
        s.close()

    def run(self):
        args = self.args
        start = time.monotonic()
        ready = False
        # Connects still allowed in the current second, and its end.
        budget, budget_end = args.count, start + 1.0
        wanted = args.count
        while True:
            now = time.monotonic()
            if (now - start >= args.seconds
                    or self.connects >= args.max_connects):
                return
            if now >= budget_end:
                budget, budget_end = args.count, now + 1.0
            while wanted > 0 and budget > 0 and \
                    self.connects < args.max_connects and self.open_one():
                wanted -= 1
                budget -= 1
            for key, _ in self.sel.select(timeout=0.05):
                s = key.fileobj
                if key.data == "connecting":
                    if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                        self.drop(s)
                        wanted += 1
                        continue
                    self.established += 1
                    self.sel.modify(s, selectors.EVENT_READ, "open")
                else:
                    # Readable: the server closed it (or, which it must
                    # not, sent something).  Either way, open another.
                    self.drop(s)
                    self.closed += 1
                    wanted += 1
            if not ready and \
                    self.established >= (args.ready_after or args.count):
                with open(args.ready, "w") as f:
                    f.write("ready\n")
                ready = True

    def close_all(self):
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("count", type=int)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--ready-after", type=int)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--max-connects", type=int, default=20000)
    flood = Flood(ap.parse_args())
    # TERM ends it the way its limits do: with the counts.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        flood.run()
    finally:
        flood.close_all()
        print("connects %d, established %d, closed by the server %d"
              % (flood.connects, flood.established, flood.closed),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
