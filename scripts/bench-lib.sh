# shellcheck shell=bash
# Helpers for scripts/bench.sh (the BGP origination benchmark): sourced,
# not run, after scripts/lib.sh (now_ns, free_port, wait_until).  Expects
# $T (a private temp dir) and $TOP.

# gen_bird_static N FILE: a BIRD "protocol static" with N /32 blackhole
# routes 10.128.0.0 + i (the addresses nb-populate.py gives the pods).
gen_bird_static() {
    python3 - "$1" > "$2" <<'EOF'
import sys
n = int(sys.argv[1])
out = ["protocol static orig { ipv4 { import all; };"]
for i in range(n):
    ip = 0x0A800000 + i
    out.append("    route %d.%d.%d.%d/32 blackhole;" % (
        ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255))
out.append("}")
print("\n".join(out))
EOF
}

# gen_mrt N NEXTHOP FILE: an MRT TABLE_DUMPv2 file (RFC 6396) with one
# PEER_INDEX_TABLE and N RIB_IPV4_UNICAST records, 10.128.0.0 + i /32,
# attributes ORIGIN IGP, empty AS_PATH, NEXT_HOP NEXTHOP, then padding; for
# `gobgp mrt inject global`.
gen_mrt() {
    python3 - "$1" "$2" "$3" <<'EOF'
import socket, struct, sys, time
n, nh, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
PAD = 2048
now = int(time.time())

def rec(subtype, body):
    return struct.pack("!IHHI", now, 13, subtype, len(body)) + body

# Peer index table: collector id, empty view name, one peer (IPv4, AS4).
pit = socket.inet_aton("127.0.0.11") + struct.pack("!H", 0) + \
    struct.pack("!H", 1) + struct.pack("!B", 0x02) + \
    socket.inet_aton("127.0.0.11") + socket.inet_aton("127.0.0.11") + \
    struct.pack("!I", 65011)
attrs = bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, 0]) + \
    bytes([0x40, 3, 4]) + socket.inet_aton(nh)
out = [rec(1, pit)]
for i in range(n):
    prefix = struct.pack("!I", 0x0A800000 + i)
    entry = struct.pack("!HIH", 0, now, len(attrs)) + attrs
    body = struct.pack("!IB", i, 32) + prefix + struct.pack("!H", 1) + entry
    out.append(rec(2, body))
# `gobgp mrt inject` (3.10) loses the last few hundred records it reads
# (the CLI exits before its stream is flushed): pad with IPv6 /128s
# (2001:db8::/64), never sent to the sink, which has IPv4 only.
# (GoBGP reads MP_REACH_NLRI here in full, not abbreviated as RFC 6396.)
for i in range(PAD):
    prefix = socket.inet_pton(socket.AF_INET6, "2001:db8::%x" % (i + 16))
    mp = struct.pack("!HBB", 2, 1, 16) + \
        socket.inet_pton(socket.AF_INET6, "2001:db8::1") + bytes([0, 128]) + prefix
    attrs6 = bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, 0]) + \
        bytes([0x80, 14, len(mp)]) + mp
    entry = struct.pack("!HIH", 0, now, len(attrs6)) + attrs6
    body = struct.pack("!IB", n + i, 128) + prefix + struct.pack("!H", 1) + entry
    out.append(rec(4, body))
with open(path, "wb") as f:
    f.write(b"".join(out))
EOF
}

# poll_sink SOCK PROTO N START_NS PID TIMEOUT_S: keeps one connection to
# the sink BIRD's control socket and asks "show protocols all PROTO" in a
# loop (1 ms apart) until the protocol has imported N routes.  Prints
#   EST_NS ALL_NS CPU_NS HWM_KB
# times from START_NS to the first Established seen and to all N imported;
# the contestant PID's CPU (all its threads' schedstat) and VmHWM read
# right then.  Non-zero on timeout or if PID dies.
poll_sink() {
    python3 - "$@" <<'EOF'
import os, re, socket, sys, time
sock_path, proto, n, start, pid, timeout = sys.argv[1:]
n, start, pid, timeout = int(n), int(start), int(pid), float(timeout)

def cpu_ns(pid):
    total = 0
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total

def hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sock_path)
f = s.makefile("rb")

def reply():
    lines = []
    while True:
        line = f.readline().decode(errors="replace")
        if not line:
            sys.exit("bench: the sink closed its control socket")
        lines.append(line)
        if re.match(r"^\d{4} ", line):
            return "".join(lines)

reply()  # greeting
est = None
deadline = time.time() + timeout
while True:
    s.sendall(("show protocols all %s\n" % proto).encode())
    text = reply()
    t = time.time_ns()
    if est is None and re.search(r"BGP state:\s+Established", text):
        est = t
    m = re.search(r"Routes:\s+(\d+) imported", text)
    if est is not None and m and int(m.group(1)) >= n:
        print(est - start, t - start, cpu_ns(pid), hwm_kb(pid))
        break
    if time.time() > deadline or not os.path.exists("/proc/%d" % pid):
        sys.exit("bench: %s: %s routes after %gs, state %s" % (
            proto, m.group(1) if m else "no", timeout,
            "Established" if est else "not established"))
    time.sleep(0.001)
EOF
}

# sink_bytes SINK_ADDR SINK_PORT: the bytes the sink received on its
# established BGP connection (TCP payload, from ss), "-" if none.
sink_bytes() {
    ss -tniH state established "( sport = :$2 )" src "$1" 2>/dev/null |
        grep -o 'bytes_received:[0-9]*' | head -1 | cut -d: -f2 |
        grep . || echo -
}

# summarize FILE: FILE has lines "CONTESTANT N RUN v1 v2 ..."; prints for
# each CONTESTANT and N one line "CONTESTANT N RUNS med1 min1 max1 ...",
# "-" for a column with no numbers.
summarize() {
    python3 - "$1" <<'EOF'
import sys
from collections import OrderedDict
groups = OrderedDict()
for line in open(sys.argv[1]):
    f = line.split()
    groups.setdefault((f[0], f[1]), []).append(f[3:])
for (c, n), rows in groups.items():
    out = [c, n, str(len(rows))]
    for col in zip(*rows):
        try:
            v = sorted(float(x) for x in col)
        except ValueError:
            out += ["-", "-", "-"]
            continue
        med = v[(len(v) - 1) // 2] if len(v) % 2 else \
            (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
        out += ["%g" % med, "%g" % v[0], "%g" % v[-1]]
    print(" ".join(out))
EOF
}
