#!/usr/bin/env python3
"""Send one OVSDB transaction that fills an OVN Northbound database with
PORTS annotated pods spread over SWITCHES subnets, shaped like Kube-OVN's
rows (external_ids pod/ls/vendor, options:requested-chassis).

usage: nb-populate.py [--unannotated] UNIX-SOCKET PORTS SWITCHES [FIRST]

The transaction goes to the ovsdb-server at UNIX-SOCKET as one JSON-RPC
"transact" (too large for ovsdb-client's command line).  Pod i gets
10.128.0.0 + i for i from FIRST (default 0) on, and the port name
"pod-i.ns-(i % SWITCHES)"; switch j is "bench-j".  With FIRST above 0, only
ports are added, to the switches that already exist.  With --unannotated
the ports lack the ovn.kubernetes.io/bgp annotation (the change benchmark
adds it later, port by port)."""

import argparse
import json
import socket
import sys


def transact(path, txn):
    """Sends 'txn' to the server at 'path'; fails unless every op did."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    request = {"method": "transact", "params": txn, "id": 1}
    sock.sendall(json.dumps(request, separators=(",", ":")).encode())
    decoder = json.JSONDecoder()
    buf = ""
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            sys.exit("nb-populate: connection closed before the reply")
        buf += chunk.decode()
        try:
            msg, _ = decoder.raw_decode(buf.lstrip())
        except ValueError:
            continue
        if msg.get("id") != 1:
            buf = ""
            continue
        break
    sock.close()
    errors = [r for r in msg.get("result") or [] if r and "error" in r]
    if msg.get("error") or errors:
        sys.exit("nb-populate: transaction failed: %s"
                 % (msg.get("error") or errors[0]))


def main():
    parser = argparse.ArgumentParser(
        description="Fill an OVN NB database with bench ports.")
    parser.add_argument("--unannotated", action="store_true",
                        help="leave out the ovn.kubernetes.io/bgp key")
    parser.add_argument("socket")
    parser.add_argument("ports", type=int)
    parser.add_argument("switches", type=int)
    parser.add_argument("first", type=int, nargs="?", default=0)
    args = parser.parse_args()
    path, n_ports, n_switches, first = \
        args.socket, args.ports, args.switches, args.first
    bgp = [] if args.unannotated else [["ovn.kubernetes.io/bgp", "true"]]
    ops = []
    ports_of = [[] for _ in range(n_switches)]
    for i in range(first, first + n_ports):
        ip = 0x0A800000 + i
        addr = "%d.%d.%d.%d" % (ip >> 24, (ip >> 16) & 255,
                                (ip >> 8) & 255, ip & 255)
        mac = "0a:58:%02x:%02x:%02x:%02x" % (ip >> 24, (ip >> 16) & 255,
                                             (ip >> 8) & 255, ip & 255)
        sw = i % n_switches
        name = "pod-%d.ns-%d" % (i, sw)
        ops.append({
            "op": "insert", "table": "Logical_Switch_Port",
            "uuid-name": "p%d" % i,
            "row": {
                "name": name,
                "addresses": "%s %s" % (mac, addr),
                "external_ids": ["map", bgp + [
                    ["pod", "ns-%d/pod-%d" % (sw, i)],
                    ["ls", "bench-%d" % sw],
                    ["vendor", "kube-ovn"]]],
                "options": ["map", [["requested-chassis", "node-%d" % (i % 50)]]],
            },
        })
        ports_of[sw].append(["named-uuid", "p%d" % i])
    for sw in range(n_switches):
        if first:
            ops.append({
                "op": "mutate", "table": "Logical_Switch",
                "where": [["name", "==", "bench-%d" % sw]],
                "mutations": [["ports", "insert", ["set", ports_of[sw]]]],
            })
        else:
            ops.append({
                "op": "insert", "table": "Logical_Switch",
                "row": {
                    "name": "bench-%d" % sw,
                    "ports": ["set", ports_of[sw]],
                    "other_config": ["map", [
                        ["subnet", "10.%d.%d.0/24" % (64 + sw // 256,
                                                      sw % 256)]]],
                },
            })
    transact(path, ["OVN_Northbound"] + ops)


if __name__ == "__main__":
    main()
