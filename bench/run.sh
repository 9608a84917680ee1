#!/usr/bin/env bash
# Lifeboat vs pgBackRest vs pg_basebackup, side by side on the same data (see bench/bench.py --help).
#   bench/run.sh                         build the release binary, full benchmark (scale 50, 3 runs)
#   bench/run.sh --quick                 small and fast; asserts every tool's restore starts and is complete
#   bench/run.sh --lifeboat PATH ...     benchmark that binary instead of building
set -euo pipefail
cd "$(dirname "$0")/.."

lifeboat=""
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --lifeboat) [ $# -ge 2 ] || { echo "run.sh: --lifeboat needs a path" >&2; exit 2; }; lifeboat="$2"; shift 2 ;;
        --lifeboat=*) lifeboat="${1#--lifeboat=}"; shift ;;
        *) args+=("$1"); shift ;;
    esac
done

if [ -z "$lifeboat" ]; then
    scripts/setup.sh release
    lifeboat=.build/release/lifeboat
fi
case "$lifeboat" in /*) ;; *) lifeboat="$PWD/$lifeboat" ;; esac

command -v pgbackrest >/dev/null 2>&1 || { echo "run.sh: pgbackrest is not installed (apt-get install pgbackrest)" >&2; exit 2; }

if [ "$(id -u)" -ne 0 ]; then
    exec sudo python3 bench/bench.py --lifeboat "$lifeboat" ${args[@]+"${args[@]}"}
fi
exec python3 bench/bench.py --lifeboat "$lifeboat" ${args[@]+"${args[@]}"}
