#!/usr/bin/env bash
# The disaster-recovery story of the reference guides, played in a sandbox: a throw-away PostgreSQL 15
# cluster and a local repository under one temp dir. An `orders` table gets rows, a full backup is
# taken, more orders arrive, the time is noted, `DELETE FROM orders` wipes the table — and Lifeboat
# restores the cluster to just before the delete.
#   scripts/demo.sh            (KEEP=1 keeps the sandbox for a look around)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
[ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH
bin_dir=$(swift build -c release --show-bin-path)

PGBIN=/usr/lib/postgresql/15/bin
sandbox=$(mktemp -d /tmp/lifeboat-demo.XXXXXX)
chmod 755 "$sandbox"
mkdir -p "$sandbox/bin" "$sandbox/socket"
cp "$bin_dir/lifeboat" "$sandbox/bin/lifeboat"
LIFEBOAT="$sandbox/bin/lifeboat"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres: "$sandbox/socket"
[ "$(id -u)" -eq 0 ] && chown postgres: "$sandbox"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
port2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export LIFEBOAT_STANZA=demo LIFEBOAT_REPO_PATH="$sandbox/repo" LIFEBOAT_PG_HOST="$sandbox/socket" LIFEBOAT_PG_PORT=$port LIFEBOAT_PG_USER=postgres
psql_primary() { as_pg "$PGBIN/psql" -X -q -At -h "$sandbox/socket" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
psql_restored() { as_pg "$PGBIN/psql" -X -q -At -h "$sandbox/socket" -p "$port2" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f} s')"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() {
    as_pg "$PGBIN/pg_ctl" -D "$sandbox/restored" -m immediate stop >/dev/null 2>&1 || true
    as_pg "$PGBIN/pg_ctl" -D "$sandbox/pg" -m immediate stop >/dev/null 2>&1 || true
    if [ "${KEEP:-0}" = 1 ]; then echo "sandbox kept in $sandbox"; else rm -rf "$sandbox"; fi
}
trap cleanup EXIT

say "1. A production cluster with WAL archiving into Lifeboat (sandbox: $sandbox)"
as_pg "$PGBIN/initdb" --data-checksums -U postgres --auth=trust -D "$sandbox/pg" >/dev/null
cat >> "$sandbox/pg/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$sandbox/socket'
wal_level = replica
archive_mode = on
archive_command = '$LIFEBOAT archive-push --stanza demo --repo-path $sandbox/repo %p'
CONF
as_pg "$PGBIN/pg_ctl" -D "$sandbox/pg" -l "$sandbox/pg.log" -w start >/dev/null
as_pg env LIFEBOAT_STANZA=demo LIFEBOAT_REPO_PATH="$sandbox/repo" LIFEBOAT_PG_HOST="$sandbox/socket" LIFEBOAT_PG_PORT=$port LIFEBOAT_PG_USER=postgres "$LIFEBOAT" init
lb() { as_pg env LIFEBOAT_STANZA=demo LIFEBOAT_REPO_PATH="$sandbox/repo" LIFEBOAT_PG_HOST="$sandbox/socket" LIFEBOAT_PG_PORT=$port LIFEBOAT_PG_USER=postgres "$LIFEBOAT" "$@"; }

say "2. Orders arrive"
psql_primary <<'SQL'
CREATE TABLE orders (id bigserial PRIMARY KEY, customer text NOT NULL, amount numeric(10,2) NOT NULL,
                     created_at timestamptz NOT NULL DEFAULT clock_timestamp());
INSERT INTO orders (customer, amount)
SELECT 'customer-' || (g % 97), round((random() * 500)::numeric, 2) FROM generate_series(1, 20000) g;
SQL
echo "orders: $(psql_primary -c 'SELECT count(*) FROM orders')"

say "3. Nightly full backup"
t0=$(now); lb backup --type full --start-fast; t1=$(now)
backup_time=$(elapsed "$t0" "$t1")

say "4. The day goes on: more orders"
psql_primary -c "INSERT INTO orders (customer, amount) SELECT 'customer-' || (g % 97), 9.99 FROM generate_series(1, 5000) g"
sleep 1
target=$(psql_primary -c "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
expected=$(psql_primary -c 'SELECT count(*) FROM orders')
echo "02:14 — the on-call notes the time: $target ($expected orders)"
sleep 1
psql_primary -c "INSERT INTO orders (customer, amount) VALUES ('late-customer', 1.00)"
echo "one more order arrives after the noted time (it must NOT come back)"

say "5. 02:17 — the accident: DELETE FROM orders"
psql_primary -c 'DELETE FROM orders'
echo "orders now: $(psql_primary -c 'SELECT count(*) FROM orders')"
psql_primary -c 'SELECT pg_switch_wal()' >/dev/null
for _ in $(seq 1 100); do
    [ "$(psql_primary -c "SELECT last_archived_wal >= pg_walfile_name(pg_current_wal_lsn() - 1) FROM pg_stat_archiver")" = t ] && break
    sleep 0.1
done
as_pg "$PGBIN/pg_ctl" -D "$sandbox/pg" -m fast stop >/dev/null
echo "the damaged cluster is stopped; what Lifeboat holds:"
lb info

say "6. Restore to just before the delete"
t2=$(now)
lb restore --pg-data "$sandbox/restored" --target-time "$target" --target-action promote
t3=$(now)
restore_time=$(elapsed "$t2" "$t3")
cat >> "$sandbox/restored/postgresql.conf" <<CONF
port = $port2
CONF
as_pg "$PGBIN/pg_ctl" -D "$sandbox/restored" -l "$sandbox/restored.log" -w -t 300 start >/dev/null
until [ "$(psql_restored -c 'SELECT pg_is_in_recovery()')" = f ]; do sleep 0.1; done
t4=$(now)
recovery_time=$(elapsed "$t3" "$t4")

say "7. The orders are back"
restored=$(psql_restored -c 'SELECT count(*) FROM orders')
late=$(psql_restored -c "SELECT count(*) FROM orders WHERE customer = 'late-customer'")
echo "orders before the target: $expected; restored: $restored; orders after the target restored: $late"
echo "backup $backup_time, restore $restore_time, WAL replay until ready $recovery_time, total time-to-ready $(elapsed "$t2" "$t4")"
if [ "$restored" = "$expected" ] && [ "$late" = 0 ]; then
    printf '\033[1;32mRECOVERED: every order committed before %s is back, none after it.\033[0m\n' "$target"
else
    printf '\033[1;31mFAILED: expected %s orders and no late one.\033[0m\n' "$expected"
    exit 1
fi
