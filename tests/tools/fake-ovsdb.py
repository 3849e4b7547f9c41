"""A scripted OVSDB server on a Unix socket, for the NB watcher's protocol
tests: it answers the speaker's two monitor requests with what a scenario
says, connection by connection, and logs what it saw.

usage: fake-ovsdb.py SOCKET SCENARIO LOG

Scenarios (each a list of connections; the last one repeats):
  relay-lost     _Server says model "relay", connected false.
  drop-in-chunk  _Server is fine; then one write holds an update2 that
                 says the member left its cluster, and right behind it the
                 NB snapshot (which must not be used), then, on the next
                 connection, a good snapshot.
  echo           the server sends an echo request with params ["hi"]
                 after the snapshot; the log gets the speaker's reply.
  snapshot-then-partial
                 one write holds the NB snapshot (switch 10.92/16) and
                 the first row of the next update2 (switch 10.93/16); the
                 rest of that update comes 3 s later.
  new-cluster    connection 1: cluster A at index 1000 (switch 10.91/16);
                 connection 2: cluster B at index 7 (switch 10.92/16): a
                 new cluster, so not "behind".  The server closes each
                 connection after its snapshot to make the speaker move.

Refusals, on every connection (for the backoff: the speaker must not come
back at once):
  refused        the NB monitor request gets an error.
  no-nb          _Server has no OVN_Northbound row: another database.
  member-lost    _Server says model "clustered", connected false.
  behind         connection 1: cluster A at index 1000, a snapshot, then
                 the server closes; later ones: cluster A at index 5.
  canceled       a snapshot, then at once "monitor_canceled".
  close          the server closes the connection as soon as it accepts it.
"""

import json
import os
import socket
import sys

SERVER_UUID = "5e000000-0000-0000-0000-000000000001"
LS_UUID = "1a000000-0000-0000-0000-0000000000%02x"


def server_row(model, connected, index=None, cid=None):
    row = {"name": "OVN_Northbound", "model": model, "connected": connected}
    if index is not None:
        row["index"] = index
    if cid is not None:
        row["cid"] = ["uuid", cid]
    return {"Database": {SERVER_UUID: {"initial": row}}}


def switch(n, cidr):
    return {"Logical_Switch": {LS_UUID % n: {"initial": {
        "name": "ls%d" % n,
        "external_ids": ["map", [["ovn.kubernetes.io/bgp", "true"],
                                 ["ovn.kubernetes.io/cidr", cidr]]]}}}}


def reply(msg_id, result):
    return {"id": msg_id, "result": result, "error": None}


class Conn:
    def __init__(self, sock, log):
        self.sock = sock
        self.log = log
        self.buf = ""

    def send(self, *msgs):
        data = "".join(json.dumps(m) for m in msgs)
        self.sock.sendall(data.encode())

    def recv(self):
        """The next message from the speaker, or None at EOF."""
        decoder = json.JSONDecoder()
        while True:
            text = self.buf.lstrip()
            if text:
                try:
                    msg, end = decoder.raw_decode(text)
                    self.buf = text[end:]
                    return msg
                except ValueError:
                    pass
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk.decode()

    def request(self, method):
        """Waits for the speaker's request 'method', skipping its echos."""
        while True:
            msg = self.recv()
            if msg is None:
                return None
            self.log.write("got %s\n" % json.dumps(msg, sort_keys=True))
            self.log.flush()
            if msg.get("method") == "echo" and msg.get("id") is not None:
                self.send(reply(msg["id"], msg.get("params")))
            elif msg.get("method") == method:
                return msg


def serve(conn, scenario, i):
    if scenario == "close":
        return
    srv = conn.request("monitor_cond")
    if srv is None:
        return
    unusable = {"relay-lost": server_row("relay", False),
                "member-lost": server_row("clustered", False, 5),
                "no-nb": {}}
    if scenario in unusable:
        conn.send(reply(srv["id"], unusable[scenario]))
        conn.request("monitor_cond")       # Must not come.
        return
    if scenario == "new-cluster":
        index, cid, sw = ((1000, "aaaaaaaa-0000-0000-0000-000000000001",
                           switch(1, "10.91.0.0/16")) if i == 0 else
                          (7, "bbbbbbbb-0000-0000-0000-000000000002",
                           switch(2, "10.92.0.0/16")))
        conn.send(reply(srv["id"], server_row("clustered", True, index,
                                              cid)))
        nb = conn.request("monitor_cond")
        conn.send(reply(nb["id"], sw))
        if i == 0:
            # Wait for the speaker's probe or nothing: close to move it.
            return
        conn.request("never")
        return
    if scenario == "behind":
        conn.send(reply(srv["id"], server_row(
            "clustered", True, 1000 if i == 0 else 5,
            "aaaaaaaa-0000-0000-0000-000000000001")))
        if i == 0:
            nb = conn.request("monitor_cond")
            conn.send(reply(nb["id"], switch(1, "10.91.0.0/16")))
            return
        conn.request("monitor_cond")       # Must not come.
        return
    conn.send(reply(srv["id"], server_row("clustered", True, 5)))
    nb = conn.request("monitor_cond")
    if nb is None:
        return
    if scenario == "refused":
        conn.send({"id": nb["id"], "result": None,
                   "error": {"error": "unknown table",
                             "details": "No table named Logical_Switch."}})
        conn.request("never")
        return
    if scenario == "canceled":
        conn.send(reply(nb["id"], switch(2, "10.92.0.0/16")),
                  {"id": None, "method": "monitor_canceled",
                   "params": [nb["params"][1]]})
        conn.request("never")
        return
    if scenario == "drop-in-chunk" and i == 0:
        left = {"id": None, "method": "update2", "params": [
            srv["params"][1], {"Database": {SERVER_UUID: {"modify": {
                "connected": False}}}}]}
        conn.send(left, reply(nb["id"], switch(1, "10.91.0.0/16")))
        conn.request("never")
        return
    if scenario == "snapshot-then-partial":
        import time
        update = json.dumps({"id": None, "method": "update2", "params": [
            "nb", switch(3, "10.93.0.0/16")]})
        cut = update.index("}}}") + 3      # The whole row, not the message.
        conn.sock.sendall((json.dumps(reply(nb["id"],
                                            switch(2, "10.92.0.0/16")))
                           + update[:cut]).encode())
        time.sleep(3)
        conn.sock.sendall(update[cut:].encode())
        conn.request("never")
        return
    conn.send(reply(nb["id"], switch(2, "10.92.0.0/16")))
    if scenario == "echo":
        conn.send({"id": "x1", "method": "echo", "params": ["hi"]})
        while True:
            msg = conn.recv()
            if msg is None:
                return
            conn.log.write("got %s\n" % json.dumps(msg, sort_keys=True))
            conn.log.flush()
    conn.request("never")


def main():
    path, scenario, log_path = sys.argv[1:]
    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(4)
    with open(log_path, "w") as log:
        i = 0
        while True:
            sock, _ = listener.accept()
            log.write("connection %d\n" % (i + 1))
            log.flush()
            try:
                serve(Conn(sock, log), scenario, i)
            except (OSError, ValueError) as e:
                log.write("error %s\n" % e)
            sock.close()
            log.write("closed %d\n" % (i + 1))
            log.flush()
            i += 1


main()
