#!/usr/bin/env bash
# The whole test suite: unit tests of every layer and integration tests against a real PostgreSQL 15
# that the tests start themselves (as the postgres OS user when run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh debug
[ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH
swift test --skip-build "$@"
