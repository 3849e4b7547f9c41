#!/usr/bin/env python3
"""Offline checks of deploy/speaker.yaml (kubectl needs an API server even
with --dry-run=client) and helpers that read deploy/Containerfile.

    manifest.py daemonset FILE   the DaemonSet has what a speaker needs
    manifest.py args FILE        the container's command and args, one a line
    manifest.py copies FILE      the Containerfile's COPY --from lines: SRC DST
    manifest.py runtime-pkgs FILE  the packages its runtime stage installs
    manifest.py entrypoint FILE  the ENTRYPOINT's program

A failed check prints why on stderr and exits 1."""
import re
import shlex
import sys

import yaml


def fail(why):
    sys.stderr.write(why + "\n")
    sys.exit(1)


def expect(cond, why):
    if not cond:
        fail(why)


def docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def daemonset(path):
    ds = [d for d in docs(path) if d.get("kind") == "DaemonSet"]
    expect(len(ds) == 1, "expected one DaemonSet, found %d" % len(ds))
    return ds[0]


def container(ds):
    cs = ds["spec"]["template"]["spec"]["containers"]
    expect(len(cs) == 1, "expected one container")
    return cs[0]


def check_daemonset(path):
    all_docs = docs(path)
    for d in all_docs:
        for field in ("apiVersion", "kind", "metadata"):
            expect(field in d, "a document has no %s" % field)
        expect("name" in d["metadata"], "%s has no name" % d["kind"])
    by_kind = {d["kind"]: d for d in all_docs}
    ds = daemonset(path)
    expect(ds["apiVersion"] == "apps/v1", "DaemonSet is not apps/v1")
    spec = ds["spec"]
    labels = spec["template"]["metadata"]["labels"]
    expect(spec["selector"]["matchLabels"].items() <= labels.items(),
           "selector.matchLabels does not select the pod template")
    pod = spec["template"]["spec"]
    expect(pod.get("hostNetwork") is True, "hostNetwork is not true")
    expect(pod.get("nodeSelector", {}).get("ovn.kubernetes.io/bgp") == "true",
           'nodeSelector lacks ovn.kubernetes.io/bgp: "true" (a string)')
    ns = ds["metadata"].get("namespace")

    # The ServiceAccount and the Secret it refers to are in the file, in
    # the same namespace; no API token is mounted.
    sa = pod.get("serviceAccountName")
    if sa:
        expect("ServiceAccount" in by_kind
               and by_kind["ServiceAccount"]["metadata"]["name"] == sa
               and by_kind["ServiceAccount"]["metadata"].get("namespace")
               == ns, "ServiceAccount %s is not defined beside it" % sa)
    expect(pod.get("automountServiceAccountToken") is False,
           "an API token is mounted, but no API access is needed")

    c = container(ds)
    for field in ("name", "image"):
        expect(field in c, "container has no %s" % field)
    args = c.get("args", [])
    flags = {a.split("=", 1)[0]: (a.split("=", 1) + [None])[1] for a in args}
    for flag in ("--neighbor-address", "--neighbor-as", "--cluster-as",
                 "--node-name", "--auth-password-file",
                 "--metrics-address"):
        expect(flag in flags, "args lack %s" % flag)

    env = {e["name"]: e for e in c.get("env", [])}
    expect(flags["--node-name"] == "$(NODE_NAME)",
           "--node-name is not $(NODE_NAME)")
    for a in args:
        for var in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", a):
            expect(var in env, "%s uses $(%s), which env lacks" % (a, var))
    expect(env["NODE_NAME"].get("valueFrom", {}).get("fieldRef", {})
           .get("fieldPath") == "spec.nodeName",
           "NODE_NAME is not the downward API's spec.nodeName")

    # Every file a flag names is on a volume, and the right one.
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    for m in mounts.values():
        expect(m["name"] in vols, "mount of undefined volume %s" % m["name"])

    def mount_of(path):
        best = None
        for mp in mounts:
            if path.startswith(mp.rstrip("/") + "/") and \
                    (best is None or len(mp) > len(best)):
                best = mp
        expect(best is not None, "%s is on no volume" % path)
        return best, vols[mounts[best]["name"]]

    pw = flags["--auth-password-file"]
    mp, vol = mount_of(pw)
    expect("secret" in vol, "%s is not on a Secret volume" % pw)
    secret = vol["secret"]["secretName"]
    key = pw[len(mp.rstrip("/")) + 1:]
    expect("Secret" in by_kind
           and by_kind["Secret"]["metadata"]["name"] == secret
           and by_kind["Secret"]["metadata"].get("namespace") == ns,
           "Secret %s is not defined beside it" % secret)
    sdata = dict(by_kind["Secret"].get("stringData") or {})
    sdata.update(by_kind["Secret"].get("data") or {})
    expect(key in sdata, "Secret %s has no key %s" % (secret, key))

    db = flags.get("--ovnnb-db", "unix:/var/run/ovn/ovnnb_db.sock")
    if db.startswith("unix:"):
        mp, vol = mount_of(db[5:])
        expect(vol.get("hostPath", {}).get("path") == "/var/run/ovn",
               "the NB socket is not on the host's /var/run/ovn")
    if "--unixctl" in flags:
        mount_of(flags["--unixctl"])

    # Probes: HTTP GET of /healthz and /readyz on --metrics-address's port.
    port = int(flags["--metrics-address"].rsplit(":", 1)[1])
    ports = {p.get("name"): p for p in c.get("ports", [])}
    expect(any(p["containerPort"] == port for p in ports.values()),
           "the metrics port %d is not among the ports" % port)
    for probe, path in (("livenessProbe", "/healthz"),
                        ("readinessProbe", "/readyz")):
        expect(probe in c, "no %s" % probe)
        get = c[probe].get("httpGet")
        expect(get is not None, "%s is not an httpGet" % probe)
        expect(get.get("path") == path, "%s path is not %s" % (probe, path))
        p = get.get("port")
        if isinstance(p, str):
            expect(p in ports, "%s names no declared port" % probe)
            p = ports[p]["containerPort"]
        expect(p == port, "%s port %s is not the metrics port %d"
               % (probe, p, port))

    req = c.get("resources", {}).get("requests", {})
    expect("cpu" in req and "memory" in req,
           "resources.requests lacks cpu or memory")


def print_args(path):
    c = container(daemonset(path))
    for a in c.get("command", []) + c.get("args", []):
        print(a)


def containerfile(path):
    """Its instructions, continuation lines joined, comments dropped."""
    out, cur = [], ""
    with open(path) as f:
        for line in f:
            s = line.rstrip("\n")
            if not cur and (not s.strip() or s.lstrip().startswith("#")):
                continue
            if s.endswith("\\"):
                cur += s[:-1] + " "
                continue
            out.append((cur + s).strip())
            cur = ""
    return out


def stages(path):
    st = []
    for ins in containerfile(path):
        if ins.upper().startswith("FROM "):
            st.append([])
        st[-1].append(ins)
    return st


def print_copies(path):
    for ins in stages(path)[-1]:
        if ins.upper().startswith("COPY "):
            words = shlex.split(ins)[1:]
            opts = [w for w in words if w.startswith("--")]
            paths = [w for w in words if not w.startswith("--")]
            expect("--from=build" in opts, "COPY without --from=build: " + ins)
            expect(len(paths) == 2, "COPY of more than one file: " + ins)
            print(paths[0], paths[1])


def print_runtime_pkgs(path):
    for ins in stages(path)[-1]:
        m = re.search(r"apt-get install (.*?)(&&|$)", ins)
        if m:
            for w in m.group(1).split():
                if not w.startswith("-"):
                    print(w)


def print_entrypoint(path):
    import json
    for ins in stages(path)[-1]:
        if ins.upper().startswith("ENTRYPOINT "):
            print(json.loads(ins.split(None, 1)[1])[0])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        fail(__doc__)
    {"daemonset": check_daemonset, "args": print_args,
     "copies": print_copies, "runtime-pkgs": print_runtime_pkgs,
     "entrypoint": print_entrypoint}[sys.argv[1]](sys.argv[2])
