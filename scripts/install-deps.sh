#!/bin/sh
# Install, from Debian's packages only, everything ovn-bgp-speaker needs to
# build, test and benchmark.  Idempotent: a package already present is not
# touched, and when nothing is missing the script does no network I/O.
#
# Usage: scripts/install-deps.sh [build|test|all]   (default: all)
set -eu

# python3: Open vSwitch's build generates sources with it.  ovn-central
# (tests, benchmarks): ovsdb-server, ovn-nbctl and the NB schema.  openssl:
# the ssl: test makes its certificates with it.
BUILD_PKGS="build-essential python3 autoconf automake libtool pkg-config
libevent-dev libssl-dev libcmocka-dev openvswitch-source"
TEST_PKGS="ovn-central ovn-common openvswitch-common clang
libclang-rt-14-dev iproute2 procps bird2 frr gobgpd yamllint curl openssl"

case "${1:-all}" in
    build) want="$BUILD_PKGS" ;;
    test|all) want="$BUILD_PKGS $TEST_PKGS" ;;
    *) echo "usage: $0 [build|test|all]" >&2; exit 1 ;;
esac

missing=
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
            | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "$0: missing packages:$missing; run as root to install them" >&2
    exit 1
fi

echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Packages such as ovn-central, frr and bird2 would start their services on
# install; the tests start their own instances, so keep the system ones off.
policy=/usr/sbin/policy-rc.d
added_policy=
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    added_policy=1
fi
trap '[ -n "$added_policy" ] && rm -f "$policy"' EXIT

# An old or empty package list finds nothing: refresh it when a package is
# not known yet.
if ! apt-cache show $missing >/dev/null 2>&1; then
    apt-get update -q
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
