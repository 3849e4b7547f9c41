#!/usr/bin/env python3
"""The change-latency phase of scripts/bench.sh: with the speaker's routes
at the sink, annotate ports that lack the annotation and time how long the
route takes to get there.

usage: bench-change.py NB-SOCKET SINK-CTL SINK-ADDR SINK-PORT PROTO
                       FIRST CHANGES BULK SWITCHES HELD TIMEOUT

NB-SOCKET is the NB ovsdb-server's unix socket; ports FIRST to
FIRST + CHANGES + BULK - 1 (names and addresses as nb-populate.py gives
them) exist there without the annotation.  SINK-CTL is the sink BIRD's
control socket, PROTO its BGP protocol, which holds HELD routes now.
SINK-ADDR and SINK-PORT are where the speaker's UPDATEs go.

CHANGES transactions, one at a time, each the one `ovn-nbctl set
Logical_Switch_Port P external_ids:ovn.kubernetes.io/bgp=true` sends (a
"mutate" of the row by _uuid that inserts the key, and a "comment"), all
on one JSON-RPC connection.  Then one transaction with BULK such mutates.
Each is timed from just before it is sent to
  - wire: the UPDATE that carries the last of its prefixes reaching the
    sink's address (kernel timestamp from a packet socket on "lo", TCP
    reassembled, BGP parsed); needs CAP_NET_RAW, "-" without it;
  - sink: the sink answering, through its control socket, that it has
    the route (for BULK: that PROTO has imported them all), asked in a
    loop with no pause, from the moment the wire saw the UPDATE (or from
    the send, without the capture).
Prints the p50, p99 (nearest rank) and max of the single changes, the
three slowest with their order numbers, and the times of the bulk one.
TIMEOUT (s) bounds each wait."""

import ctypes
import json
import math
import re
import select
import socket
import struct
import sys
import time

BGP_KEY = "ovn.kubernetes.io/bgp"
BASE = 0x0A800000            # 10.128.0.0, as in nb-populate.py


def fail(msg):
    sys.exit("bench-change: " + msg)


def addr_of(i):
    return BASE + i


def dotted(ip):
    return socket.inet_ntoa(struct.pack("!I", ip))


class Ovsdb:
    """A JSON-RPC client on one unix-socket connection."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = ""
        self.next_id = 0
        self.decoder = json.JSONDecoder()

    def send(self, ops):
        self.next_id += 1
        msg = {"method": "transact", "params": ["OVN_Northbound"] + ops,
               "id": self.next_id}
        self.sock.sendall(json.dumps(msg, separators=(",", ":")).encode())
        return self.next_id

    def reply(self, want, deadline):
        """The reply to request 'want'; answers echo requests meanwhile."""
        while True:
            text = self.buf.lstrip()
            try:
                msg, end = self.decoder.raw_decode(text)
            except ValueError:
                msg = None
            if msg is not None:
                self.buf = text[end:]
                if msg.get("method") == "echo":
                    echo = {"id": msg.get("id"), "result": msg.get("params"),
                            "error": None}
                    self.sock.sendall(json.dumps(echo).encode())
                    continue
                if msg.get("id") != want:
                    continue
                errors = [r for r in msg.get("result") or []
                          if r and "error" in r]
                if msg.get("error") or errors:
                    fail("transaction failed: %s"
                         % (msg.get("error") or errors[0]))
                return msg["result"]
            left = deadline - time.monotonic()
            if left <= 0:
                fail("no reply from the NB server")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout:
                fail("no reply from the NB server")
            if not chunk:
                fail("the NB server closed the connection")
            self.buf += chunk.decode()


def annotate_op(uuid):
    """What ovn-nbctl's `set` of one map key sends (ovsdb-idl's partial
    map update of a key the row does not have yet)."""
    return {
        "op": "mutate", "table": "Logical_Switch_Port",
        "where": [["_uuid", "==", ["uuid", uuid]]],
        "mutations": [["external_ids", "insert",
                       ["map", [[BGP_KEY, "true"]]]]],
    }


def comment(text):
    return {"op": "comment", "comment": "ovn-nbctl: " + text}


class Birdc:
    """One connection to a BIRD control socket; each answer within
    'timeout' seconds."""

    def __init__(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.f = self.sock.makefile("rb")
        self._reply()

    def _reply(self):
        lines = []
        while True:
            try:
                line = self.f.readline().decode(errors="replace")
            except socket.timeout:
                fail("the sink does not answer on its control socket")
            if not line:
                fail("the sink closed its control socket")
            lines.append(line)
            if re.match(r"^\d{4} ", line):
                return "".join(lines)

    def ask(self, cmd):
        self.sock.sendall((cmd + "\n").encode())
        return self._reply()


class Wire:
    """The TCP stream to SINK-ADDR:SINK-PORT seen on "lo", as BGP
    messages; prefixes() returns the IPv4 prefixes (as ints, /32 only)
    of each UPDATE with the kernel timestamp of its last segment."""

    SO_ATTACH_FILTER = 26
    SO_TIMESTAMPNS = 35
    PACKET_OUTGOING = 4

    def __init__(self, addr, port):
        dst = struct.unpack("!I", socket.inet_aton(addr))[0]
        # Classic BPF on the Ethernet-framed packets of "lo": IPv4, TCP,
        # to 'addr', to 'port'.
        insns = [
            (0x28, 0, 0, 12),          # ldh [12]
            (0x15, 0, 8, 0x0800),      # jeq IPv4 else drop
            (0x30, 0, 0, 23),          # ldb [23]
            (0x15, 0, 6, 6),           # jeq TCP else drop
            (0x20, 0, 0, 30),          # ld [30]
            (0x15, 0, 4, dst),         # jeq dst else drop
            (0xb1, 0, 0, 14),          # ldxb 4 * ([14] & 0xf)
            (0x48, 0, 0, 16),          # ldh [x + 16]
            (0x15, 0, 1, port),        # jeq port else drop
            (0x06, 0, 0, 0x40000),     # accept
            (0x06, 0, 0, 0),           # drop
        ]
        prog = b"".join(struct.pack("HBBI", *i) for i in insns)
        self._prog = ctypes.create_string_buffer(prog, len(prog))
        fprog = struct.pack("HL", len(insns), ctypes.addressof(self._prog))
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(3))
        self.sock.setsockopt(socket.SOL_SOCKET, self.SO_ATTACH_FILTER, fprog)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, self.SO_TIMESTAMPNS, 1)
        self.sock.bind(("lo", 0))
        self.dst, self.port = dst, port
        self.next_seq = None
        self.pending = {}
        self.stream = b""

    def _segment(self, pkt):
        """The sequence number and payload of a captured frame, or None."""
        ip = pkt[14:]
        if len(ip) < 20 or ip[9] != 6:
            return None
        ihl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        if struct.unpack("!I", ip[16:20])[0] != self.dst:
            return None
        tcp = ip[ihl:total]
        if len(tcp) < 20 or struct.unpack("!H", tcp[2:4])[0] != self.port:
            return None
        seq = struct.unpack("!I", tcp[4:8])[0]
        return seq, tcp[(tcp[12] >> 4) * 4:]

    def _append(self, seq, data):
        """Adds a segment to the in-order stream (segments ahead wait)."""
        if not data:
            return
        if self.next_seq is None:
            self.next_seq = seq
        off = (seq - self.next_seq) & 0xFFFFFFFF
        if off >= 0x80000000:               # starts before: old or overlap
            skip = (self.next_seq - seq) & 0xFFFFFFFF
            if skip >= len(data):
                return
            data, off = data[skip:], 0
        if off:
            self.pending[seq] = data
            return
        self.stream += data
        self.next_seq = (self.next_seq + len(data)) & 0xFFFFFFFF
        while self.next_seq in self.pending:
            self._append(self.next_seq, self.pending.pop(self.next_seq))

    def _messages(self):
        """Complete BGP messages from the stream."""
        out = []
        while len(self.stream) >= 19:
            if self.stream[:16] != b"\xff" * 16:
                fail("capture: lost the BGP message boundaries")
            size = struct.unpack("!H", self.stream[16:18])[0]
            if size < 19:
                fail("capture: bad BGP message length %d" % size)
            if len(self.stream) < size:
                break
            out.append(self.stream[:size])
            self.stream = self.stream[size:]
        return out

    @staticmethod
    def _nlri(data):
        out = []
        i = 0
        while i < len(data):
            plen = data[i]
            n = (plen + 7) // 8
            raw = data[i + 1:i + 1 + n] + b"\0" * (4 - n)
            if plen == 32:
                out.append(struct.unpack("!I", raw)[0])
            i += 1 + n
        return out

    @classmethod
    def _announced(cls, msg):
        """IPv4 unicast /32s announced by an UPDATE (NLRI field or
        MP_REACH_NLRI)."""
        if msg[18] != 2:
            return []
        body = msg[19:]
        wlen = struct.unpack("!H", body[0:2])[0]
        alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
        attrs = body[4 + wlen:4 + wlen + alen]
        out = cls._nlri(body[4 + wlen + alen:])
        i = 0
        while i + 3 <= len(attrs):
            flags, code = attrs[i], attrs[i + 1]
            if flags & 0x10:
                size = struct.unpack("!H", attrs[i + 2:i + 4])[0]
                val = attrs[i + 4:i + 4 + size]
                i += 4 + size
            else:
                size = attrs[i + 2]
                val = attrs[i + 3:i + 3 + size]
                i += 3 + size
            if code == 14 and val[:3] == b"\x00\x01\x01":
                nhlen = val[3]
                out += cls._nlri(val[4 + nhlen + 1:])
        return out

    def wait(self, want, deadline):
        """Waits until every prefix in the set 'want' has been announced;
        returns the kernel timestamp (ns, CLOCK_REALTIME) of the segment
        that completed the last of them."""
        want = set(want)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                fail("capture: %d of the prefixes not seen" % len(want))
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                continue
            pkt, anc, _, addr = self.sock.recvmsg(1 << 17, 64)
            if addr[2] == self.PACKET_OUTGOING:
                continue
            stamp = None
            for level, kind, data in anc:
                if level == socket.SOL_SOCKET and kind == self.SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", data[:16])
                    stamp = sec * 1000000000 + nsec
            seg = self._segment(pkt)
            if seg is None:
                continue
            self._append(*seg)
            for msg in self._messages():
                want.difference_update(self._announced(msg))
            if not want:
                return stamp if stamp is not None else time.time_ns()


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    v = sorted(values)
    return v[max(0, math.ceil(p / 100.0 * len(v)) - 1)]


def main():
    if len(sys.argv) != 12:
        fail("usage: bench-change.py NB-SOCKET SINK-CTL SINK-ADDR SINK-PORT "
             "PROTO FIRST CHANGES BULK SWITCHES HELD TIMEOUT")
    (nb_path, ctl, sink_addr, sink_port, proto, first, changes, bulk,
     switches, held, timeout) = sys.argv[1:]
    sink_port, first, changes, bulk, switches, held = map(
        int, (sink_port, first, changes, bulk, switches, held))
    timeout = float(timeout)

    db = Ovsdb(nb_path)
    birdc = Birdc(ctl, timeout)
    try:
        wire = Wire(sink_addr, sink_port)
    except PermissionError:
        wire = None
        print("(no packet capture without CAP_NET_RAW: sink times only)")

    # The rows' UUIDs, as ovn-nbctl would know them from its replica.
    req = db.send([{
        "op": "select", "table": "Logical_Switch_Port",
        "where": [["external_ids", "excludes",
                   ["map", [[BGP_KEY, "true"]]]]],
        "columns": ["_uuid", "name"]}])
    rows = db.reply(req, time.monotonic() + timeout)[0]["rows"]
    uuid_of = {r["name"]: r["_uuid"][1] for r in rows}
    ports = []
    for i in range(first, first + changes + bulk):
        name = "pod-%d.ns-%d" % (i, i % switches)
        if name not in uuid_of:
            fail("no unannotated port %s in the NB" % name)
        ports.append((name, uuid_of[name], addr_of(i)))

    wire_ms, sink_ms = [], []
    for name, uuid, ip in ports[:changes]:
        op = annotate_op(uuid)
        text = "set Logical_Switch_Port %s external_ids:%s=true" % (name,
                                                                     BGP_KEY)
        t0 = time.time_ns()
        req = db.send([op, comment(text)])
        deadline = time.monotonic() + timeout
        if wire:
            wire_ms.append((wire.wait([ip], deadline) - t0) / 1e6)
        query = "show route %s/32" % dotted(ip)
        while "%s/32" % dotted(ip) not in birdc.ask(query):
            if time.monotonic() > deadline:
                fail("the sink did not get %s/32" % dotted(ip))
        sink_ms.append((time.time_ns() - t0) / 1e6)
        db.reply(req, deadline)

    bulk_wire = bulk_sink = None
    if bulk:
        batch = ports[changes:]
        ops = [annotate_op(uuid) for _, uuid, _ in batch]
        ops.append(comment("set Logical_Switch_Port ... (%d ports)" % bulk))
        total = held + changes + bulk
        t0 = time.time_ns()
        req = db.send(ops)
        deadline = time.monotonic() + timeout
        if wire:
            bulk_wire = (wire.wait([ip for _, _, ip in batch], deadline)
                         - t0) / 1e6
        while True:
            m = re.search(r"Routes:\s+(\d+) imported",
                          birdc.ask("show protocols all %s" % proto))
            if m and int(m.group(1)) >= total:
                break
            if time.monotonic() > deadline:
                fail("the sink holds %s of %d routes"
                     % (m.group(1) if m else "no", total))
        bulk_sink = (time.time_ns() - t0) / 1e6
        db.reply(req, deadline)

    def ms(v):
        return "-" if v is None else "%.2f" % v

    if changes:
        table = [["", "p50 (ms)", "p99 (ms)", "max (ms)"]]
        for label, v in (("txn -> UPDATE at the sink's address", wire_ms),
                         ("txn -> route in the sink's table", sink_ms)):
            table.append([label] + ([ms(percentile(v, 50)),
                                     ms(percentile(v, 99)), ms(max(v))]
                                    if v else ["-", "-", "-"]))
        print("%d single-port annotations, one at a time:" % changes)
        widths = [max(len(r[i]) for r in table) for i in range(4)]
        for r in table:
            print("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(r, widths))))
        slow = sorted(range(changes), key=lambda i: -sink_ms[i])[:3]
        print("  slowest (in the sink's table): "
              + ", ".join("#%d %s ms" % (i + 1, ms(sink_ms[i])) for i in slow))
    if bulk:
        print("one transaction annotating %d ports:" % bulk)
        print("  all at the sink's address (ms): %s" % ms(bulk_wire))
        print("  all in the sink's table (ms):   %s" % ms(bulk_sink))


if __name__ == "__main__":
    main()
