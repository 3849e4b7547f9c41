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

# poll_sink SOCK PROTO N TIMEOUT_S: keeps one connection to the sink
# BIRD's control socket.  Once connected it prints "ready" and reads
# "START_NS PID" from its standard input (the contestant's start time and
# pid), then asks "show protocols all PROTO" in a loop (1 ms apart) until
# the protocol has imported N routes, and prints
#   EST_NS ALL_NS P99_NS CPU_NS HWM_KB
# the times from START_NS to the first Established seen, to all N imported
# and to 99% of N (rounded up) imported; the contestant PID's CPU (all its
# threads' schedstat) and VmHWM read when all N are in.  Non-zero on
# timeout or if PID dies.  (Started ahead, so that Python's start-up, some
# 100 ms, falls neither into the times nor on the contestant's CPUs.)
poll_sink() {
    python3 /dev/fd/3 "$@" 3<<'EOF'
import os, re, socket, sys, time
sock_path, proto, n, timeout = sys.argv[1:]
n, timeout = int(n), float(timeout)

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
s.settimeout(timeout)
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
print("ready", flush=True)
line = sys.stdin.readline().split()
if len(line) != 2:
    sys.exit("bench: poll_sink: no start time and pid")
start, pid = int(line[0]), int(line[1])
est = p99 = None
n99 = -(-99 * n // 100)
deadline = time.time() + timeout
while True:
    s.sendall(("show protocols all %s\n" % proto).encode())
    text = reply()
    t = time.time_ns()
    if est is None and re.search(r"BGP state:\s+Established", text):
        est = t
    m = re.search(r"Routes:\s+(\d+) imported", text)
    got = int(m.group(1)) if est is not None and m else 0
    if p99 is None and got >= n99:
        p99 = t
    if got >= n:
        print(est - start, t - start, p99 - start, cpu_ns(pid), hwm_kb(pid),
              flush=True)
        break
    if time.time() > deadline or not os.path.exists("/proc/%d" % pid):
        sys.exit("bench: %s: %s routes after %gs, state %s" % (
            proto, m.group(1) if m else "no", timeout,
            "Established" if est else "not established"))
    time.sleep(0.001)
EOF
}

# watch_start SOCK PROTO N TIMEOUT_S: poll_sink as the coprocess WATCH
# (pid in WATCHER), returning once it is connected.  watch_go START_NS
# PID: tells it the contestant has started.  watch_result: sets
# WATCH_LINE to poll_sink's "EST ALL P99 CPU HWM"; non-zero if it failed.
watch_start() {
    local line
    coproc WATCH { poll_sink "$@"; }
    WATCHER=$WATCH_PID
    pids+=("$WATCHER")
    read -r -t 10 line <&"${WATCH[0]}" && [ "$line" = ready ]
}
watch_go() {
    echo "$1 $2" >&"${WATCH[1]}"
}
watch_result() {
    WATCH_LINE=
    read -r WATCH_LINE <&"${WATCH[0]}" || true
    wait "$WATCHER" && [ -n "$WATCH_LINE" ]
}

# sink_bytes SINK_ADDR SINK_PORT [PEER_PORT]: the bytes the sink received
# on its established BGP connection (TCP payload, from ss), "-" if none:
# the one to its port SINK_PORT, or with PEER_PORT, the one it dialed to
# that port.  (Ports, not just addresses: other sessions may use the same
# loopback addresses meanwhile.)
sink_bytes() {
    local match="( sport = :$2 )"
    [ -z "${3:-}" ] || match="( dport = :$3 )"
    ss -tniH state established "$match" src "$1" 2>/dev/null |
        grep -o 'bytes_received:[0-9]*' | head -1 | cut -d: -f2 |
        grep . || echo -
}

# report FILE RUNS: FILE has lines "CONTESTANT N RUN v1 v2 ...", the
# columns in COLS below; prints the table (each cell the value, or with
# more than one run "median (min-max)"; "-" where there are no numbers) and
# the ratios of the speaker's medians to each other contestant's.
report() {
    python3 - "$@" <<'EOF'
import sys
from collections import OrderedDict

# (heading, decimals, in the ratio table)
COLS = [("start->all (s)", 3, True), ("start->est (s)", 3, False),
        ("est->all (s)", 3, True), ("est->99% (s)", 3, True),
        ("CPU (s)", 4, True), ("peak RSS (MB)", 1, True),
        ("UPDATEs", 0, True), ("bytes", 0, True)]
path, runs = sys.argv[1], int(sys.argv[2])

groups = OrderedDict()
for line in open(path):
    f = line.split()
    groups.setdefault((f[0], int(f[1])), []).append(f[3:])


def median(v):
    v = sorted(v)
    k = len(v)
    return v[k // 2] if k % 2 else (v[k // 2 - 1] + v[k // 2]) / 2


# stats[(c, n)][col]: (median, min, max), or None without numbers.
stats = OrderedDict()
for key, rows in groups.items():
    cells = []
    for col in zip(*rows):
        try:
            v = [float(x) for x in col]
        except ValueError:
            cells.append(None)
            continue
        cells.append((median(v), min(v), max(v)))
    stats[key] = cells


def cell(s, dec):
    if s is None:
        return "-"
    if runs == 1:
        return "%.*f" % (dec, s[0])
    return "%.*f (%.*f-%.*f)" % (dec, s[0], dec, s[1], dec, s[2])


def table(head, rows):
    widths = [max(len(r[i]) for r in [head] + rows)
              for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))).rstrip())


order = sorted(stats, key=lambda k: k[1])
table(["contestant", "N"] + [c[0] for c in COLS],
      [[c, str(n)] + [cell(s, col[1]) for s, col in zip(stats[(c, n)], COLS)]
       for c, n in order])

rows = []
for c, n in order:
    if c == "speaker" or ("speaker", n) not in stats:
        continue
    line = ["speaker/" + c, str(n)]
    for i, col in enumerate(COLS):
        if not col[2]:
            continue
        a, b = stats[("speaker", n)][i], stats[(c, n)][i]
        line.append("%.2f" % (a[0] / b[0]) if a and b and b[0] else "-")
    rows.append(line)
if rows:
    print()
    print("ratios of the medians, speaker/other (below 1: the speaker "
          "does better)")
    table(["", "N"] + [c[0].split(" (")[0] for c in COLS if c[2]], rows)
EOF
}
