#!/usr/bin/env bash
# Installs what Lifeboat needs on a fresh Debian 12 machine (only what is missing) and builds it.
#   scripts/setup.sh            debug build (tests)
#   scripts/setup.sh release    release build of the lifeboat binary (demo, bench)
set -euo pipefail
cd "$(dirname "$0")/.."

# pgbackrest is the benchmark's reference (bench/run.sh, and its quick mode in the test suite).
# prometheus provides promtool, which validates contrib/prometheus/alerts.yml and `lifeboat metrics` (~96 MB).
# ceph-mon, ceph-osd, ceph-mgr and radosgw: a real S3 server (Ceph RGW) for the S3 tests (scripts/ceph-rgw.sh).
packages=(postgresql-15 postgresql-client-15 postgresql-contrib libpq-dev libzstd-dev liblz4-dev zlib1g-dev pkg-config zstd lz4 pgbackrest prometheus ceph-mon ceph-osd ceph-mgr radosgw curl)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if command -v swift >/dev/null 2>&1; then :; elif [ -x /opt/swift/usr/bin/swift ]; then export PATH=/opt/swift/usr/bin:$PATH; else
    echo "setup: swift not found (expected Swift 6.x on PATH or in /opt/swift)" >&2; exit 1
fi

case "${1:-debug}" in
    release) swift build -c release --product lifeboat --static-swift-stdlib >&2 ;;
    debug) swift build --build-tests >&2 ;;
    *) echo "usage: scripts/setup.sh [debug|release]" >&2; exit 2 ;;
esac
