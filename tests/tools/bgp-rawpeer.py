#!/usr/bin/env python3
"""A hand-made BGP peer that misbehaves on purpose, for the engine's
malformed-input tests.

usage: bgp-rawpeer.py SOURCE-ADDR TARGET-ADDR PORT CASE

Connects from SOURCE-ADDR to the speaker at TARGET-ADDR:PORT (loopback
only), brings the session to Established (OPEN, KEEPALIVE) and waits for the
speaker's initial table up to its IPv4 End-of-RIB (the speaker must announce
at least one IPv4 prefix).  Then it sends what CASE says, then a
ROUTE-REFRESH, and prints one line:

  notification CODE SUBCODE   the speaker answered with a NOTIFICATION
  up                          the speaker kept the session: it answered the
                              ROUTE-REFRESH with its table
  closed                      the connection closed without a NOTIFICATION

Exit status 0 unless the session could not be brought up."""

import socket
import struct
import sys
import time

MARKER = b"\xff" * 16


def msg(mtype, body=b"", marker=MARKER, length=None):
    if length is None:
        length = 19 + len(body)
    return marker + struct.pack("!HB", length, mtype) + body


def open_msg(my_as=65030, hold=9, bgp_id="127.0.0.9"):
    # Capabilities: MP IPv4 unicast, 4-octet AS.
    caps = bytes([1, 4, 0, 1, 0, 1]) + bytes([65, 4]) + struct.pack("!I", my_as)
    params = bytes([2, len(caps)]) + caps
    body = struct.pack("!BHH4sB", 4, my_as if my_as < 65536 else 23456, hold,
                       socket.inet_aton(bgp_id), len(params)) + params
    return msg(1, body)


def attr(flags, code, value):
    if flags & 0x10:
        return struct.pack("!BBH", flags, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def update(withdrawn=b"", attrs=b"", nlri=b""):
    return msg(2, struct.pack("!H", len(withdrawn)) + withdrawn
               + struct.pack("!H", len(attrs)) + attrs + nlri)


ORIGIN = attr(0x40, 1, b"\x00")                          # IGP
AS_PATH = attr(0x40, 2, b"\x02\x01" + struct.pack("!I", 65030))
NEXT_HOP = attr(0x40, 3, socket.inet_aton("127.0.0.9"))
GOOD_ATTRS = ORIGIN + AS_PATH + NEXT_HOP
NLRI = bytes([24, 192, 0, 2])

CASES = {
    # Header errors (RFC 4271 6.1).
    "bad-marker": msg(4, marker=b"\xff" * 15 + b"\x00"),
    "short-length": msg(4, length=18),
    "long-keepalive": msg(4, body=b"\x00", length=20),
    "bad-type": msg(9),
    # UPDATE errors that reset the session (RFC 7606 keeps these).
    "attr-length-overrun": update(attrs=b"\x40\x01\x05\x00"),
    "withdrawn-overrun": msg(2, struct.pack("!H", 10) + b"\x18\x0a"),
    # UPDATE errors that are treat-as-withdraw: the session stays.
    "bad-origin": update(attrs=attr(0x40, 1, b"\x07") + AS_PATH + NEXT_HOP,
                         nlri=NLRI),
    # A segment that claims 5 ASes and holds 1.
    "as-path-overrun": update(attrs=ORIGIN + attr(0x40, 2, b"\x02\x05"
                                                  + struct.pack("!I", 65030))
                              + NEXT_HOP, nlri=NLRI),
    "unknown-optional-transitive": update(
        attrs=GOOD_ATTRS + attr(0xc0, 200, b"hello"), nlri=NLRI),
    "good-update": update(attrs=GOOD_ATTRS, nlri=NLRI),
    # An OPEN once Established: an FSM error (RFC 6608).
    "open-in-established": open_msg(),
    # A truncated NOTIFICATION body is still a NOTIFICATION.
    "notification": msg(3, b"\x06\x02"),
}


def read_msg(sock, deadline):
    buf = b""
    while len(buf) < 19:
        sock.settimeout(max(0.01, deadline - time.time()))
        chunk = sock.recv(19 - len(buf))
        if not chunk:
            return None
        buf += chunk
    length, mtype = struct.unpack("!HB", buf[16:19])
    body = b""
    while len(body) < length - 19:
        sock.settimeout(max(0.01, deadline - time.time()))
        chunk = sock.recv(length - 19 - len(body))
        if not chunk:
            return None
        body += chunk
    return mtype, body


def main():
    src, dst, port, case = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((src, 0))
    sock.settimeout(10)
    sock.connect((dst, port))
    deadline = time.time() + 10

    sock.sendall(open_msg())
    got_open = got_keepalive = False
    while not (got_open and got_keepalive):
        m = read_msg(sock, deadline)
        if m is None:
            sys.exit("rawpeer: closed before Established")
        if m[0] == 1:
            got_open = True
        elif m[0] == 4:
            got_keepalive = True
        elif m[0] == 3:
            sys.exit("rawpeer: NOTIFICATION %d/%d before Established"
                     % (m[1][0], m[1][1]))
    sock.sendall(msg(4))

    # The initial table, up to the IPv4 End-of-RIB (an empty UPDATE).
    while True:
        m = read_msg(sock, deadline)
        if m is None:
            sys.exit("rawpeer: closed before the initial table")
        if m[0] == 2 and len(m[1]) == 4:
            break

    sock.sendall(CASES[case])
    if case == "notification":
        print("sent")
        return
    # Messages are handled in order: if the session survived the case, the
    # ROUTE-REFRESH gets the table again.
    sock.sendall(msg(5, struct.pack("!HBB", 1, 0, 1)))
    deadline = time.time() + 10
    while True:
        try:
            m = read_msg(sock, deadline)
        except ConnectionResetError:
            m = None
        except socket.timeout:
            sys.exit("rawpeer: no answer to the ROUTE-REFRESH")
        if m is None:
            print("closed")
            return
        if m[0] == 3:
            print("notification %d %d" % (m[1][0], m[1][1]))
            return
        if m[0] == 2 and len(m[1]) > 4:
            print("up")
            return


if __name__ == "__main__":
    main()
