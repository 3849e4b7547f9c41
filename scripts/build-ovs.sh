#!/bin/sh
# Build libopenvswitch once from Debian's openvswitch-source into a cache
# outside the work tree, keyed by the package's version, and print the path
# of the built tree.  Debian ships no libopenvswitch-dev; this is what OVN's
# own build does with an OVS source tree.
#
# Environment: OVS_CACHE_DIR (default: $XDG_CACHE_HOME or ~/.cache, then
# /ovn-bgp-speaker).
set -eu

tarball=/usr/src/openvswitch/openvswitch.tar.gz
if [ ! -r "$tarball" ]; then
    echo "$0: $tarball missing: run scripts/install-deps.sh build" >&2
    exit 1
fi
version=$(dpkg-query -W -f='${Version}' openvswitch-source 2>/dev/null \
          || echo unknown)
# Debian's own paths, so that the daemon's default pidfile and control
# socket are where Debian's ovs-appctl looks (/var/run/openvswitch).
# Optional system libraries stay out, so that the link line is what
# lib/libopenvswitch.pc says on every machine.  libunbound is one of them,
# even where it is installed: the daemon resolves host names itself
# (src/dns-resolve.c, with getaddrinfo()), and libunbound with its crypto
# libraries cost about 0.3 ms of CPU at every start (perf stat of
# --version).
configure_args="--prefix=/usr --localstatedir=/var --sysconfdir=/etc
--enable-ssl --disable-libcapng --without-dpdk --disable-shared
ac_cv_lib_unbound_ub_ctx_create=no"
cache=${OVS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ovn-bgp-speaker}
key=$(printf '%s %s' "$version" "$configure_args" | md5sum | cut -c1-8)
dir="$cache/ovs-$(echo "$version" | tr -c 'A-Za-z0-9.+\n' '_')-$key"

if [ -f "$dir/.built" ]; then
    echo "$dir"
    exit 0
fi

mkdir -p "$cache"
# One builder at a time; a second waits and then finds the stamp.
exec 9>"$cache/.lock"
flock 9
if [ -f "$dir/.built" ]; then
    echo "$dir"
    exit 0
fi

echo "building libopenvswitch $version in $dir (once; 1-2 minutes)" >&2
rm -rf "$dir" "$dir.tmp"
mkdir -p "$dir.tmp"
tar -xzf "$tarball" -C "$dir.tmp" --strip-components=1
(
    cd "$dir.tmp"
    # shellcheck disable=SC2086
    ./configure $configure_args CFLAGS="-O2 -g" >configure.log 2>&1 \
        || { tail -30 configure.log >&2; exit 1; }
    # Generated headers (BUILT_SOURCES) first, then just the library.
    printf 'built-sources: $(BUILT_SOURCES)\n' \
        | make -j"$(nproc)" -f Makefile -f - built-sources >make.log 2>&1 \
        || { tail -30 make.log >&2; exit 1; }
    make -j"$(nproc)" lib/libopenvswitch.la lib/libopenvswitchavx512.la \
        >>make.log 2>&1 \
        || { tail -30 make.log >&2; exit 1; }
)
mv "$dir.tmp" "$dir"
touch "$dir/.built"
echo "$dir"
