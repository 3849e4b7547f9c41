#!/usr/bin/env python3
"""A hand-made BGP peer for the session edge cases of the engine
(tests/bgp/test-session-edges.sh): what a real router does too rarely, or
too slowly, to test with one.  Loopback only.

usage:
  bgp-session-peer.py collision SRC LISTEN-PORT DST DST-PORT AS
      Waits on SRC:LISTEN-PORT for the speaker's connection, answers its
      OPEN (hold time 3 s, so the speaker's keepalive interval is 1 s) and
      waits for its KEEPALIVE (the speaker is in OpenConfirm).  Then opens
      a second connection from SRC to DST:DST-PORT (a collision), waits for
      the speaker's OPEN on it, and closes the first connection without a
      word.  The speaker goes on with the second connection, in OpenSent.
      This peer is slow to send its OPEN there: 2.5 s, more than two
      keepalive intervals.  Prints "notification CODE SUBCODE" if the
      speaker sends one meanwhile, else sends OPEN and KEEPALIVE and prints
      "established" once the speaker's KEEPALIVE comes.
  bgp-session-peer.py collision-late SRC LISTEN-PORT DST DST-PORT AS
      As collision, but the session comes up on the first connection
      (KEEPALIVE) before this peer sends its OPEN on the second, with an
      identifier higher than the speaker's: an Established session stays
      (RFC 4271 section 6.8).  Prints "kept, notification 6 7 on the
      second", or "replaced (...)" if the speaker dropped the session.
  bgp-session-peer.py collision-same-id SRC LISTEN-PORT DST DST-PORT AS ID
      A collision in which this (external) peer's BGP identifier is the
      speaker's own, and its AS lower: RFC 6286 section 2.3 keeps the
      connection the speaker opened.  Prints "the speaker's kept,
      notification 6 7 on the peer's" once the session is up on it.
  bgp-session-peer.py open SRC DST DST-PORT AS BGP-ID
      Connects from SRC, sends an OPEN with that AS and identifier, and
      prints "established" (the speaker answered OPEN and KEEPALIVE) or
      "notification CODE SUBCODE".
  bgp-session-peer.py flood SRC DST DST-PORT N
      Opens N connections from SRC at once (the speaker is stopped with
      SIGSTOP, so the kernel's accept queue holds them) and prints how many
      completed the TCP handshake within 2 s.

Exit status 0 unless the exchange broke off unexpectedly."""

import selectors
import socket
import struct
import sys
import time

MARKER = b"\xff" * 16
HOLD = 3


def message(mtype, body=b""):
    return MARKER + struct.pack("!HB", 19 + len(body), mtype) + body


def open_message(my_as, bgp_id, hold=HOLD):
    caps = (bytes([1, 4, 0, 1, 0, 1]) + bytes([65, 4])
            + struct.pack("!I", my_as))
    params = bytes([2, len(caps)]) + caps
    body = struct.pack("!BHH4sB", 4, my_as if my_as < 65536 else 23456, hold,
                       socket.inet_aton(bgp_id), len(params)) + params
    return message(1, body)


KEEPALIVE = message(4)


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def read(self, deadline):
        """The next message as (type, body), or None at EOF or deadline."""
        while True:
            if len(self.buf) >= 19:
                length = struct.unpack("!H", self.buf[16:18])[0]
                if len(self.buf) >= length:
                    mtype = self.buf[18]
                    body = self.buf[19:length]
                    self.buf = self.buf[length:]
                    return mtype, body
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            except ConnectionError:
                return None
            if not chunk:
                return None
            self.buf += chunk

    def watch(self, seconds):
        """Reads for 'seconds': the body of a NOTIFICATION that comes, else
        None, or "closed" if the connection closes first."""
        deadline = time.monotonic() + seconds
        while True:
            m = self.read(deadline)
            if m is None:
                return "closed" if time.monotonic() < deadline else None
            if m[0] == 3:
                return m[1]

    def notification(self, seconds):
        """Reads up to a NOTIFICATION and returns its body."""
        body = self.watch(seconds)
        if not isinstance(body, bytes):
            fail("no NOTIFICATION")
        return body

    def expect(self, mtype, seconds=10):
        """Reads up to a message of 'mtype'; a NOTIFICATION ends the run."""
        deadline = time.monotonic() + seconds
        while True:
            m = self.read(deadline)
            if m is None:
                fail("no message of type %d" % mtype)
            if m[0] == 3:
                notification(m[1])
            if m[0] == mtype:
                return m[1]


def fail(why):
    print("error: " + why)
    sys.exit(1)


def notification(body):
    print("notification %d %d" % (body[0], body[1]))
    sys.exit(0)


def connect(src, dst, port):
    s = socket.create_connection((dst, port), timeout=10,
                                 source_address=(src, 0))
    return Conn(s)


def to_openconfirm(src, listen_port, my_as, hold, bgp_id=None):
    """Takes the speaker's connection on SRC:LISTEN-PORT and answers its OPEN
    (identifier 'bgp_id', else SRC): the speaker is in OpenConfirm on it."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((src, int(listen_port)))
    listener.listen(1)
    listener.settimeout(20)
    a = Conn(listener.accept()[0])
    listener.close()
    a.expect(1)
    a.sock.sendall(open_message(int(my_as), bgp_id or src, hold))
    a.expect(4)
    return a


def collision(src, listen_port, dst, dst_port, my_as):
    a = to_openconfirm(src, listen_port, my_as, HOLD)
    b = connect(src, dst, dst_port)
    b.expect(1)                         # Its OPEN on the second connection.
    a.sock.close()                      # The speaker moves to the second.

    # Slow to answer: a timer left over from OpenConfirm would fire now.
    body = b.watch(2.5)
    if isinstance(body, bytes):
        notification(body)
    b.sock.sendall(open_message(int(my_as), src) + KEEPALIVE)
    b.expect(4)
    print("established")
    b.sock.close()


def collision_late(src, listen_port, dst, dst_port, my_as):
    a = to_openconfirm(src, listen_port, my_as, 9)
    b = connect(src, dst, dst_port)
    b.expect(1)                         # Its OPEN on the second connection.
    a.sock.sendall(KEEPALIVE)           # Established on the first:
    a.expect(2)                         # its table comes.
    b.sock.sendall(open_message(int(my_as), src, hold=9))
    body = b.notification(5)
    # The first connection must still carry the session.
    a.sock.sendall(KEEPALIVE)
    first = a.watch(1)
    if first == "closed":
        print("replaced (the first connection closed)")
        return
    if first is not None:
        print("replaced (notification %d %d on the first)"
              % (first[0], first[1]))
        return
    print("kept, notification %d %d on the second" % (body[0], body[1]))


def collision_same_id(src, listen_port, dst, dst_port, my_as, bgp_id):
    a = to_openconfirm(src, listen_port, my_as, 9, bgp_id)
    b = connect(src, dst, dst_port)
    b.expect(1)
    b.sock.sendall(open_message(int(my_as), bgp_id, 9))
    body = b.notification(5)
    a.sock.sendall(KEEPALIVE)
    a.expect(2)                         # Established: its table comes.
    print("the speaker's kept, notification %d %d on the peer's"
          % (body[0], body[1]))


def open_exchange(src, dst, port, my_as, bgp_id):
    c = connect(src, dst, port)
    c.sock.sendall(open_message(int(my_as), bgp_id))
    c.expect(1)
    c.sock.sendall(KEEPALIVE)
    c.expect(4)
    print("established")
    c.sock.close()


def flood(src, dst, port, n):
    sel = selectors.DefaultSelector()
    socks = []
    for _ in range(int(n)):
        s = socket.socket()
        s.bind((src, 0))
        s.setblocking(False)
        s.connect_ex((dst, int(port)))
        sel.register(s, selectors.EVENT_WRITE)
        socks.append(s)
    done = 0
    deadline = time.monotonic() + 2
    while done < len(socks):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        for key, _ in sel.select(left):
            sel.unregister(key.fileobj)
            if not key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                done += 1
    print(done)
    for s in socks:
        s.close()


def main():
    cases = {"collision": (collision, 5),
             "collision-late": (collision_late, 5),
             "collision-same-id": (collision_same_id, 6),
             "open": (open_exchange, 5),
             "flood": (flood, 4)}
    if len(sys.argv) < 2 or sys.argv[1] not in cases \
            or len(sys.argv) - 2 != cases[sys.argv[1]][1]:
        sys.exit(__doc__)
    cases[sys.argv[1]][0](*sys.argv[2:])


if __name__ == "__main__":
    main()
