#!/usr/bin/env python3
"""Lifeboat benchmark: Lifeboat side by side with pgBackRest and pg_basebackup on the same data.

Runs as root; every PostgreSQL-facing command runs as the postgres OS user. Everything lives in one
throw-away sandbox under /tmp. Prints a Markdown report on stdout (progress goes to stderr) and writes
bench/results/<timestamp>.json plus bench/results/latest.json (not in --quick mode unless --json).

    bench/run.sh                       # release build, scale 50, 3 runs, both datasets
    bench/run.sh --quick               # scale 5, 1 run, zstd-3 / process-max 2, asserts every restore starts
    bench/run.sh --lifeboat PATH --scale 20 --runs 5 --datasets pgbench --keep

Timing: wall seconds of each child; CPU = user+sys from os.wait4 (the child plus the children it
waited for); peak RSS = ru_maxrss of that child tree; "server CPU" = CPU burnt meanwhile by the
PostgreSQL server's processes (walsender compression for pg_basebackup, the checkpoint, backends).
"""

import argparse
import atexit
import datetime
import filecmp
import json
import os
import platform
import pwd
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

PG_BIN = "/usr/lib/postgresql/15/bin"
STANZA = "bench"
SEGMENT_SIZE = 16 * 1024 * 1024
BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
CLK_TCK = os.sysconf("SC_CLK_TCK")

LIFEBOAT = "Lifeboat"
PGBACKREST = "pgBackRest"
BB_CLIENT = "pg_basebackup (client)"
BB_SERVER = "pg_basebackup (server)"
BB = "pg_basebackup"


class BenchError(Exception):
    pass


def log(message):
    elapsed = time.monotonic() - STARTED
    print(f"[bench {elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)


STARTED = time.monotonic()


# --------------------------------------------------------------------------------------------------
# Processes


class Result:
    def __init__(self, argv, code, wall, user, sys_, maxrss_kb, stdout, stderr, server_cpu=0.0):
        self.argv = argv
        self.code = code
        self.wall = wall
        self.user = user
        self.sys = sys_
        self.maxrss_kb = maxrss_kb
        self.stdout = stdout
        self.stderr = stderr
        self.server_cpu = server_cpu

    @property
    def cpu(self):
        return self.user + self.sys

    def describe(self):
        text = (self.stderr.strip() or self.stdout.strip())[-3000:]
        return f"`{' '.join(self.argv)}` exited {self.code}: {text}"


class Runner:
    """Spawns children (as postgres unless told otherwise) and measures them with wait4."""

    def __init__(self):
        self.current = None  # pid of the running child, killed on abnormal exit
        pw = pwd.getpwnam("postgres")
        self.pg_uid = pw.pw_uid
        self.pg_gid = pw.pw_gid
        self.pg_home = pw.pw_dir
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LIFEBOAT_", "PG"))}
        env["PATH"] = PG_BIN + ":" + env.get("PATH", "/usr/bin:/bin")
        env["HOME"] = self.pg_home
        env["USER"] = env["LOGNAME"] = "postgres"
        env.setdefault("LANG", "C.UTF-8")
        self.pg_env = env
        root_env = dict(env)
        root_env["HOME"] = os.environ.get("HOME", "/root")
        root_env["USER"] = root_env["LOGNAME"] = "root"
        self.root_env = root_env

    def run(self, argv, as_pg=True, check=True, env=None, cwd=None, server=None, timeout=None):
        """Runs argv to completion. `server` (a Cluster) adds the server's CPU spent meanwhile."""
        base_env = dict(self.pg_env if as_pg else self.root_env)
        if env:
            base_env.update(env)
        out = tempfile.TemporaryFile()
        err = tempfile.TemporaryFile()
        kwargs = {}
        if as_pg:
            kwargs = {"user": self.pg_uid, "group": self.pg_gid, "extra_groups": []}
        server_before = server.server_cpu() if server else 0.0
        started = time.monotonic()
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=base_env, cwd=cwd or SANDBOX.root,
            start_new_session=True, **kwargs)
        self.current = proc.pid  # stays set if a signal interrupts the wait: clean-up kills it
        deadline = None if timeout is None else started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, 0 if deadline is None else os.WNOHANG)
            if pid != 0:
                break
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                deadline = None
            else:
                time.sleep(0.05)
        wall = time.monotonic() - started
        self.current = None
        proc.returncode = os.waitstatus_to_exitcode(status)
        server_cpu = (server.server_cpu() - server_before) if server else 0.0
        out.seek(0)
        err.seek(0)
        result = Result(argv, proc.returncode, wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss,
                        out.read().decode(errors="replace"), err.read().decode(errors="replace"), server_cpu)
        out.close()
        err.close()
        if check and result.code != 0:
            raise BenchError(result.describe())
        return result

    def shell(self, script, **kwargs):
        return self.run(["/bin/sh", "-c", script], **kwargs)

    def kill_current(self):
        """Stops the child (and its process group) that an interrupted run() left behind."""
        pid, self.current = self.current, None
        if not pid:
            return
        for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pid, sig)
            except OSError:
                return
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                try:
                    if os.waitpid(pid, os.WNOHANG)[0] != 0:
                        break
                except ChildProcessError:
                    break
                time.sleep(0.05)
            # the group may outlive its leader (pgBackRest's local workers)
            try:
                os.killpg(pid, 0)
            except OSError:
                return


RUN = None  # the Runner


# --------------------------------------------------------------------------------------------------
# Sandbox and clean-up


class Sandbox:
    def __init__(self, keep):
        self.keep = keep
        self.root = tempfile.mkdtemp(prefix="lifeboat-bench-", dir="/tmp")
        os.chmod(self.root, 0o755)
        os.chown(self.root, RUN.pg_uid, RUN.pg_gid)
        self.clusters = []
        self.locks = self.dir("locks", mode=0o1777)

    def dir(self, *parts, mode=0o700):
        path = os.path.join(self.root, *parts)
        os.makedirs(path, exist_ok=True)
        os.chown(path, RUN.pg_uid, RUN.pg_gid)
        os.chmod(path, mode)
        return path

    def cleanup(self):
        RUN.kill_current()
        for cluster in list(self.clusters):
            cluster.stop(quiet=True)
        if self.keep:
            log(f"sandbox kept: {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


SANDBOX = None
_cleaned = False


def cleanup():
    global _cleaned
    if _cleaned or SANDBOX is None:
        return
    _cleaned = True
    try:
        SANDBOX.cleanup()
    except Exception as error:  # clean-up must never mask the real failure
        print(f"bench: clean-up problem: {error}", file=sys.stderr)


def on_signal(signum, _frame):
    print(f"bench: interrupted by signal {signum}; cleaning up", file=sys.stderr, flush=True)
    raise SystemExit(128 + signum)


# --------------------------------------------------------------------------------------------------
# PostgreSQL clusters


def free_port():
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if 20000 <= port <= 60000:
            return port


class Cluster:
    def __init__(self, home, data=None):
        self.home = home
        self.data = data or os.path.join(home, "data")
        self.sock = SANDBOX.dir(os.path.relpath(home, SANDBOX.root), "sock", mode=0o755)
        self.port = free_port()
        self.logfile = os.path.join(home, "postgres.log")
        self.running = False

    def initdb(self, settings):
        RUN.run([f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "--data-checksums", "-A", "trust",
                 "-E", "UTF8", "--locale", "C.UTF-8", "--no-sync"])
        with open(os.path.join(self.data, "postgresql.conf"), "a") as conf:
            conf.write("\n# lifeboat bench\n")
            for line in self.base_settings() + settings:
                conf.write(line + "\n")

    def base_settings(self):
        return [
            "listen_addresses = ''",
            f"unix_socket_directories = '{self.sock}'",
            f"port = {self.port}",
            "shared_buffers = 128MB",
            "fsync = on",
            "max_wal_size = 2GB",
            "max_wal_senders = 10",
        ]

    def start(self, options=None):
        argv = [f"{PG_BIN}/pg_ctl", "-D", self.data, "-l", self.logfile, "-w", "-t", "300", "start"]
        if options:
            argv[1:1] = ["-o", options]
        SANDBOX.clusters.append(self)
        self.running = True
        result = RUN.run(argv, check=False)
        if result.code != 0:
            raise BenchError(f"cluster {self.data} did not start: {result.describe()}\n{self.log_tail()}")

    def stop(self, quiet=False):
        if not self.running:
            return
        result = RUN.run([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "60", "stop"], check=False)
        if result.code != 0:
            RUN.run([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "immediate", "-w", "-t", "60", "stop"], check=False)
        self.running = False
        if self in SANDBOX.clusters:
            SANDBOX.clusters.remove(self)

    def log_tail(self, lines=30):
        try:
            with open(self.logfile, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def psql(self, sql, db="postgres", variables=None, file=None):
        argv = [f"{PG_BIN}/psql", "-h", self.sock, "-p", str(self.port), "-U", "postgres", "-d", db,
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        for key, value in (variables or {}).items():
            argv += ["-v", f"{key}={value}"]
        argv += ["-f", file] if file else ["-c", sql]
        return RUN.run(argv).stdout.strip()

    def postmaster_pid(self):
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            return int(f.readline())

    def server_cpu(self):
        """CPU seconds of the postmaster, its live children (not their children: the archiver's
        archive_command runs are not the measured tool's) and every child it has reaped."""
        try:
            master = self.postmaster_pid()
        except (OSError, ValueError):
            return 0.0
        ticks = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ppid = int(fields[1])
            utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
            if int(entry) == master:
                ticks += utime + stime + cutime + cstime
            elif ppid == master:
                ticks += utime + stime
        return ticks / CLK_TCK

    def wait_archived(self, timeout=600):
        """Switches WAL and waits until the archiver has pushed everything up to the switch."""
        name = self.psql("SELECT pg_walfile_name(pg_current_wal_lsn())")
        self.psql("SELECT pg_switch_wal()")
        failed_before = int(self.psql("SELECT failed_count FROM pg_stat_archiver"))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.psql("SELECT coalesce(last_archived_wal, ''), failed_count, coalesce(last_failed_wal, '') "
                            "FROM pg_stat_archiver").split("|")
            if row[0] and row[0][:24] >= name:
                return
            if int(row[1]) > failed_before:
                raise BenchError(f"archive_command failed for {row[2]}:\n{self.log_tail()}")
            time.sleep(0.2)
        raise BenchError(f"WAL {name} not archived within {timeout} s:\n{self.log_tail()}")


# --------------------------------------------------------------------------------------------------
# Datasets


REALISTIC_SQL = """
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  created_at timestamptz NOT NULL,
  customer text NOT NULL,
  token text NOT NULL,
  note text NOT NULL,
  amount numeric(12,2) NOT NULL,
  details jsonb NOT NULL
);
WITH words AS (
  SELECT string_to_array('order shipped delayed customer refund warehouse parcel express standard invoice '
    'payment pending received cancelled returned damaged replacement courier tracking address billing discount '
    'coupon loyalty premium basket checkout mobile desktop newsletter support ticket resolved escalated priority '
    'normal low high urgent morning evening weekend holiday gift wrap fragile heavy light small medium large '
    'extra blue red green black white silver gold', ' ') AS w
)
INSERT INTO orders
SELECT g,
       timestamptz '2024-01-01' + (random() * interval '700 days'),
       md5(random()::text),
       md5(g::text || random()::text),
       (SELECT string_agg(words.w[1 + ((floor(random() * 56)::int + s.i * 0) % 56)], ' ')
          FROM generate_series(1, 6 + (g % 13) + floor(random() * 3)::int) AS s(i)),
       round((random() * 5000)::numeric, 2),
       jsonb_build_object(
         'status', (ARRAY['new','paid','shipped','delivered','cancelled','refunded'])[1 + floor(random() * 6)::int],
         'items', 1 + floor(random() * 9)::int,
         'channel', (ARRAY['web','mobile','store','phone'])[1 + floor(random() * 4)::int],
         'country', (ARRAY['FR','DE','US','GB','ES','IT','NL','JP','BR','CA'])[1 + floor(random() * 10)::int],
         'sku', 'SKU-' || lpad((floor(random() * 100000))::int::text, 6, '0'),
         'score', round(random()::numeric, 4),
         'ref', substr(md5(random()::text), 1, 16))
FROM words, generate_series(:first, :last) AS g;
"""

REALISTIC_INDEXES = """
CREATE INDEX orders_created_at ON orders (created_at);
CREATE INDEX orders_customer ON orders (customer);
CREATE INDEX orders_status ON orders ((details->>'status'));
VACUUM ANALYZE orders;
"""


class Dataset:
    name = ""

    def __init__(self, scale):
        self.scale = scale

    def load(self, cluster):
        raise NotImplementedError

    def check(self, cluster):
        """(query, expected value) proving a restored cluster holds the whole dataset."""
        raise NotImplementedError


class PgbenchDataset(Dataset):
    name = "pgbench"

    def describe(self):
        return f"pgbench -i -s {self.scale}"

    def load(self, cluster):
        RUN.run([f"{PG_BIN}/pgbench", "-h", cluster.sock, "-p", str(cluster.port), "-U", "postgres", "-i", "-q",
                 "-s", str(self.scale), "postgres"])

    def check(self):
        return "SELECT count(*) FROM pgbench_accounts", str(self.scale * 100000)


class RealisticDataset(Dataset):
    name = "realistic"

    @property
    def rows(self):
        return self.scale * 33000  # about the size of pgbench at the same scale

    def describe(self):
        return f"{self.rows} orders: md5 strings, random text, jsonb, timestamps, 4 indexes"

    def load(self, cluster):
        path = os.path.join(cluster.home, "realistic.sql")
        with open(path, "w") as f:
            f.write(REALISTIC_SQL + REALISTIC_INDEXES)
        os.chmod(path, 0o644)
        cluster.psql(None, variables={"first": 1, "last": self.rows}, file=path)

    def check(self):
        return "SELECT count(*) FROM orders", str(self.rows)


# --------------------------------------------------------------------------------------------------
# The tools


def pgbr_type(kind):
    """pgBackRest spells zstd 'zst'."""
    return "zst" if kind == "zstd" else kind


def tree_bytes(path):
    total = 0
    for directory, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(directory, name)).st_size
            except OSError:
                pass
    return total


def make_empty_dir(path):
    if os.path.exists(path):
        shutil.rmtree(path)
    os.makedirs(path)
    os.chown(path, RUN.pg_uid, RUN.pg_gid)
    os.chmod(path, 0o700)
    return path


class Bench:
    """One dataset's cluster archiving into both Lifeboat and pgBackRest."""

    def __init__(self, args, dataset):
        self.args = args
        self.dataset = dataset
        self.home = SANDBOX.dir(dataset.name, mode=0o755)
        self.cluster = Cluster(self.home)
        self.lifeboat = SANDBOX.lifeboat
        self.lb_repo = SANDBOX.dir(dataset.name, "lifeboat-repo")
        self.pgbr_repo = SANDBOX.dir(dataset.name, "pgbackrest-repo")
        self.pgbr_conf = os.path.join(self.home, "pgbackrest.conf")
        self.work = SANDBOX.dir(dataset.name, "work", mode=0o755)

    # --- configuration -------------------------------------------------------------------------

    def lb_common(self, repo=None):
        return ["--stanza", STANZA, "--repo-path", repo or self.lb_repo, "--lock-path", SANDBOX.locks]

    def lb_pg(self):
        return ["--pg-host", self.cluster.sock, "--pg-port", str(self.cluster.port), "--pg-user", "postgres",
                "--pg-data", self.cluster.data]

    def pgbr(self, *args, repo=None):
        argv = ["pgbackrest", f"--config={self.pgbr_conf}", f"--stanza={STANZA}"]
        if repo:
            argv.append(f"--repo1-path={repo}")
        return argv + list(args)

    def write_pgbackrest_conf(self):
        for sub in ("log", "lock", "spool"):
            SANDBOX.dir(self.dataset.name, "pgbackrest-" + sub)
        with open(self.pgbr_conf, "w") as f:
            f.write("[global]\n"
                    f"repo1-path={self.pgbr_repo}\n"
                    "repo1-retention-full=100\n"
                    f"log-path={self.home}/pgbackrest-log\n"
                    f"lock-path={self.home}/pgbackrest-lock\n"
                    f"spool-path={self.home}/pgbackrest-spool\n"
                    "log-level-console=warn\n"
                    "log-level-stderr=warn\n"
                    "log-level-file=off\n"
                    "start-fast=y\n"
                    "compress-type=zst\n"
                    "compress-level=3\n"
                    f"\n[{STANZA}]\n"
                    f"pg1-path={self.cluster.data}\n"
                    f"pg1-socket-path={self.cluster.sock}\n"
                    f"pg1-port={self.cluster.port}\n")
        os.chmod(self.pgbr_conf, 0o644)

    def setup(self):
        log(f"{self.dataset.name}: initdb (data checksums) and start")
        self.write_pgbackrest_conf()
        # Both tools archive every segment, side by side, so that neither tool's backup waits for the
        # other's archive-push of its stop segment; the command fails if either push fails.
        # (pgBackRest's backup refuses an archive_command that does not contain "pgbackrest".)
        script = os.path.join(self.home, "archive-push-lifeboat-and-pgbackrest.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\n"
                    f"{self.lifeboat} archive-push --stanza {STANZA} --repo-path {self.lb_repo} "
                    f"--lock-path {SANDBOX.locks} \"$1\" & lifeboat=$!\n"
                    f"pgbackrest --config={self.pgbr_conf} --stanza={STANZA} archive-push \"$1\" & pgbackrest=$!\n"
                    f"{self.encryption_archive_push()}"
                    "wait $lifeboat; a=$?\n"
                    "wait $pgbackrest; b=$?\n"
                    "[ $a -eq 0 ] && [ $b -eq 0 ]\n")
        os.chmod(script, 0o755)
        self.cluster.initdb(["wal_level = replica", "archive_mode = on", f"archive_command = '{script} %p'"])
        self.cluster.start()
        RUN.run([self.lifeboat, "init"] + self.lb_common() + self.lb_pg())
        RUN.run(self.pgbr("stanza-create"))
        if self.measures_encryption():
            RUN.run([self.lifeboat, "init"] + self.lb_encrypted_common() + self.lb_pg())

    def load(self):
        log(f"{self.dataset.name}: loading ({self.dataset.describe()})")
        started = time.monotonic()
        self.dataset.load(self.cluster)
        self.cluster.psql("CHECKPOINT")
        load_seconds = time.monotonic() - started
        log(f"{self.dataset.name}: loaded in {load_seconds:.1f} s; waiting for both archives to catch up")
        self.cluster.wait_archived()
        archive_wait = time.monotonic() - started - load_seconds
        raw = int(self.tar_stream("wc -c").stdout.strip())
        zstd = int(self.tar_stream("zstd -q -3 -T2 -c | wc -c").stdout.strip())
        info = {
            "description": self.dataset.describe(),
            "load_seconds": round(load_seconds, 2),
            "archive_catch_up_seconds": round(archive_wait, 2),
            "database_bytes": int(self.cluster.psql("SELECT pg_database_size('postgres')")),
            "data_dir_bytes_without_wal": raw,
            "zstd3_bytes": zstd,
            "zstd3_ratio": round(raw / zstd, 2) if zstd else None,
        }
        log(f"{self.dataset.name}: {raw / 2**20:.0f} MiB (tar without pg_wal), zstd -3 ratio {info['zstd3_ratio']}")
        return info

    def tar_stream(self, consumer, **kwargs):
        return RUN.shell(f"tar -cf - -C {self.cluster.data} --exclude=./pg_wal --warning=no-file-changed "
                         f"--ignore-failed-read . 2>/dev/null | {consumer}", **kwargs)

    # --- ceiling -----------------------------------------------------------------------------------

    def ceiling(self):
        log(f"{self.dataset.name}: machine ceiling (warm cache)")
        self.tar_stream("cat > /dev/null")  # warm the page cache
        pipelines = [
            ("tar | cat > /dev/null", "cat > /dev/null"),
            ("tar | zstd -T1 -3 > /dev/null", "zstd -q -T1 -3 -c > /dev/null"),
            ("tar | zstd -T2 -3 > /dev/null", "zstd -q -T2 -3 -c > /dev/null"),
            ("tar | lz4 -1 > /dev/null", "lz4 -q -1 -c > /dev/null"),
        ]
        raw = tree_bytes(self.cluster.data) - tree_bytes(os.path.join(self.cluster.data, "pg_wal"))
        rows = []
        for label, consumer in pipelines:
            runs = [self.tar_stream(consumer) for _ in range(max(1, min(self.args.runs, 3)))]
            rows.append(summarise(label, runs, extra={"bytes_in": raw}))
        copy_runs = []
        for _ in range(max(1, min(self.args.runs, 3))):
            target = make_empty_dir(os.path.join(self.work, "ceiling-copy"))
            RUN.run(["sync"], as_pg=False)
            copy = self.tar_stream(f"tar -xf - -C {target}")
            sync = RUN.run(["sync"], as_pg=False)
            copy_runs.append(combine(copy, sync))
            shutil.rmtree(target)
        rows.append(summarise("tar | tar -x (copy) && sync", copy_runs, extra={"bytes_in": raw}))
        return rows

    # --- backups -----------------------------------------------------------------------------------

    def backup(self, tool, config):
        kind, level, procs = config
        if tool == LIFEBOAT:
            before = set(self.lb_backups())
            result = RUN.run([self.lifeboat, "backup", "--type", "full", "--start-fast", "--process-max", str(procs),
                              "--compress-type", kind, "--compress-level", str(level)]
                             + self.lb_common() + self.lb_pg(), server=self.cluster, check=False)
            if result.code != 0:
                raise BenchError(f"Lifeboat backup failed: {result.describe()}")
            new = sorted(set(self.lb_backups()) - before)
            if len(new) != 1:
                raise BenchError(f"Lifeboat backup made {len(new)} new backup directories: {new}")
            path = os.path.join(self.lb_repo, STANZA, "backup", new[0])
            return result, {"label": new[0], "stored_bytes": tree_bytes(path)}
        if tool == PGBACKREST:
            before = set(self.pgbr_backups())
            result = RUN.run(self.pgbr(f"--process-max={procs}", f"--compress-type={pgbr_type(kind)}",
                                       f"--compress-level={level}", "--type=full", "backup"),
                             server=self.cluster, check=False)
            if result.code != 0:
                raise BenchError(f"pgBackRest backup failed: {result.describe()}")
            new = sorted(set(self.pgbr_backups()) - before)
            if len(new) != 1:
                raise BenchError(f"pgBackRest backup made {len(new)} new backup directories: {new}")
            path = os.path.join(self.pgbr_repo, "backup", STANZA, new[0])
            return result, {"label": new[0], "stored_bytes": tree_bytes(path)}
        # pg_basebackup, tar format, compressed on the client or by the server
        side = "client" if tool == BB_CLIENT else "server"
        detail = f"level={level}"
        if kind == "zstd" and procs > 1:
            detail += f",workers={procs}"
        out = os.path.join(self.work, f"basebackup-{side}")
        if os.path.exists(out):
            shutil.rmtree(out)
        wal = "fetch" if self.args.verify else "none"
        result = RUN.run([f"{PG_BIN}/pg_basebackup", "-h", self.cluster.sock, "-p", str(self.cluster.port),
                          "-U", "postgres", "-D", out, "-Ft", "-c", "fast", "-X", wal,
                          f"--compress={side}-{kind}:{detail}"], server=self.cluster, check=False)
        if result.code != 0:
            raise BenchError(f"pg_basebackup failed: {result.describe()}")
        return result, {"path": out, "stored_bytes": tree_bytes(out)}

    def lb_backups(self):
        path = os.path.join(self.lb_repo, STANZA, "backup")
        return os.listdir(path) if os.path.isdir(path) else []

    def pgbr_backups(self):
        path = os.path.join(self.pgbr_repo, "backup", STANZA)
        if not os.path.isdir(path):
            return []
        return [n for n in os.listdir(path) if re.fullmatch(r"\d{8}-\d{6}F(_\d{8}-\d{6}[DI])?", n)]

    def drop_backups(self):
        for label in self.lb_backups():
            shutil.rmtree(os.path.join(self.lb_repo, STANZA, "backup", label))
        if len(self.pgbr_backups()) > 1:
            RUN.run(self.pgbr("--repo1-retention-full=1", "expire"))
        for side in ("client", "server"):
            shutil.rmtree(os.path.join(self.work, f"basebackup-{side}"), ignore_errors=True)

    # --- restores ----------------------------------------------------------------------------------

    def restore(self, tool, config):
        kind, _level, procs = config
        target = make_empty_dir(os.path.join(self.work, "restore-" + re.sub(r"\W", "", tool)))
        RUN.run(["sync"], as_pg=False)
        if tool == LIFEBOAT:
            result = RUN.run([self.lifeboat, "restore", "--pg-data", target, "--archive-mode", "off",
                              "--process-max", str(procs)] + self.lb_common(), check=False)
        elif tool == PGBACKREST:
            result = RUN.run(self.pgbr(f"--pg1-path={target}", f"--process-max={procs}", "--archive-mode=off",
                                       "restore"), check=False)
        else:
            source = os.path.join(self.work, "basebackup-client")
            archive = "base.tar.zst" if kind == "zstd" else "base.tar.lz4"
            decompressor = "zstd -d" if kind == "zstd" else "lz4 -d"
            result = RUN.run(["tar", "-I", decompressor, "-xf", os.path.join(source, archive), "-C", target],
                             check=False)
        if result.code != 0:
            raise BenchError(f"{tool} restore failed: {result.describe()}")
        sync = RUN.run(["sync"], as_pg=False)
        return combine(result, sync), target

    def verify(self, tool, target):
        """Starts the restored directory and checks the dataset is all there."""
        cluster = Cluster(os.path.join(self.work, "verify-" + re.sub(r"\W", "", tool)), data=target)
        os.chown(cluster.home, RUN.pg_uid, RUN.pg_gid)
        options = (f"-c port={cluster.port} -c unix_socket_directories={cluster.sock} -c listen_addresses='' "
                   "-c archive_mode=off")
        try:
            cluster.start(options)
            query, expected = self.dataset.check()
            deadline = time.monotonic() + 120
            while True:
                in_recovery = cluster.psql("SELECT pg_is_in_recovery()")
                if in_recovery == "f" or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            got = cluster.psql(query)
            if got != expected:
                raise BenchError(f"{tool}: restored cluster has {got} rows for `{query}`, expected {expected}")
            log(f"{self.dataset.name}: {tool} restore verified ({query} = {got}, in recovery: {in_recovery})")
        except BenchError as error:
            raise BenchError(f"{tool}: restored cluster does not work: {error}\n{cluster.log_tail()}") from None
        finally:
            cluster.stop()
            shutil.rmtree(cluster.home, ignore_errors=True)

    # --- the backup/restore matrix ---------------------------------------------------------------

    def matrix(self, configs):
        backups, restores = [], []
        for config in configs:
            kind, level, procs = config
            name = f"{kind}-{level}, process-max {procs}"
            log(f"{self.dataset.name}: backup/restore {name}")
            backup_tools = [LIFEBOAT, PGBACKREST, BB_CLIENT, BB_SERVER]
            restore_tools = [LIFEBOAT, PGBACKREST, BB]
            b_runs = {t: [] for t in backup_tools}
            b_extra = {t: [] for t in backup_tools}
            r_runs = {t: [] for t in restore_tools}
            for run in range(self.args.runs):
                order = rotate(backup_tools, run)
                for tool in order:
                    result, extra = self.backup(tool, config)
                    b_runs[tool].append(result)
                    b_extra[tool].append(extra)
                    log(f"  run {run + 1} backup  {tool:24} {result.wall:7.2f} s  cpu {result.cpu:6.2f} s  "
                        f"server {result.server_cpu:5.2f} s  {extra['stored_bytes'] / 2**20:8.1f} MiB")
                for tool in rotate(restore_tools, run):
                    result, target = self.restore(tool, config)
                    r_runs[tool].append(result)
                    log(f"  run {run + 1} restore {tool:24} {result.wall:7.2f} s  cpu {result.cpu:6.2f} s")
                    if self.args.verify:
                        self.verify(tool, target)
                    shutil.rmtree(target)
                self.drop_backups()
            for tool in backup_tools:
                stored = statistics.median(e["stored_bytes"] for e in b_extra[tool])
                backups.append(summarise(tool, b_runs[tool], extra={
                    "compress": f"{kind}-{level}", "process_max": procs, "stored_bytes": int(stored)}))
            for tool in restore_tools:
                restores.append(summarise(tool, r_runs[tool], extra={"compress": f"{kind}-{level}",
                                                                     "process_max": procs}))
        return backups, restores

    # --- encryption ------------------------------------------------------------------------------

    def lb_encrypted_common(self):
        """A second Lifeboat repository, encrypted (aes-256-gcm), reached through a 0600 config file."""
        self.enc_repo = SANDBOX.dir(self.dataset.name, "lifeboat-encrypted-repo")
        self.enc_conf = os.path.join(self.home, "lifeboat-encrypted.conf")
        if not os.path.exists(self.enc_conf):
            with open(self.enc_conf, "w") as f:
                f.write("[global]\nrepo-cipher-type = aes-256-gcm\nrepo-cipher-pass = bench-passphrase-0\n")
            os.chown(self.enc_conf, RUN.pg_uid, RUN.pg_gid)
            os.chmod(self.enc_conf, 0o600)
        return ["--stanza", STANZA, "--repo-path", self.enc_repo, "--config", self.enc_conf, "--lock-path", SANDBOX.locks]

    def measures_encryption(self):
        """Full runs and --only-encryption; --quick (the test suite's smoke run) skips it."""
        return self.args.only_encryption or not self.args.quick

    def encryption_archive_push(self):
        """The archive script also feeds the encrypted repository (its backups wait for their WAL there)."""
        if not self.measures_encryption():
            return ""
        argv = " ".join([self.lifeboat, "archive-push"] + self.lb_encrypted_common())
        return f"{argv} \"$1\" || exit 1\n"

    def encryption(self, configs):
        """Lifeboat backup and restore, encrypted vs plain, same data, alternating: the < 10 % budget."""
        rows = []
        for kind, level, procs in configs:
            log(f"{self.dataset.name}: encryption on/off, {kind}-{level}, process-max {procs}")
            walls = {"plain": {"backup": [], "restore": []}, "aes-256-gcm": {"backup": [], "restore": []}}
            for run in range(self.args.runs):
                for mode in rotate(["plain", "aes-256-gcm"], run):
                    common = self.lb_common() if mode == "plain" else self.lb_encrypted_common()
                    backup = RUN.run([self.lifeboat, "backup", "--type", "full", "--start-fast", "--process-max", str(procs),
                                      "--compress-type", kind, "--compress-level", str(level)] + common + self.lb_pg(),
                                     server=self.cluster, check=False)
                    if backup.code != 0:
                        raise BenchError(f"Lifeboat {mode} backup failed: {backup.describe()}")
                    target = make_empty_dir(os.path.join(self.work, "restore-encryption"))
                    RUN.run(["sync"], as_pg=False)
                    restore = RUN.run([self.lifeboat, "restore", "--pg-data", target, "--archive-mode", "off",
                                       "--process-max", str(procs)] + common, check=False)
                    if restore.code != 0:
                        raise BenchError(f"Lifeboat {mode} restore failed: {restore.describe()}")
                    restore = combine(restore, RUN.run(["sync"], as_pg=False))
                    if self.args.verify:
                        self.verify(f"lifeboat-{mode}", target)
                    shutil.rmtree(target)
                    walls[mode]["backup"].append(backup)
                    walls[mode]["restore"].append(restore)
                    log(f"  run {run + 1} {mode:12} backup {backup.wall:6.2f} s (cpu {backup.cpu:6.2f} s)  "
                        f"restore {restore.wall:6.2f} s (cpu {restore.cpu:6.2f} s)")
                    repo = self.lb_repo if mode == "plain" else self.enc_repo
                    for label in os.listdir(os.path.join(repo, STANZA, "backup")):
                        shutil.rmtree(os.path.join(repo, STANZA, "backup", label))
            row = {"compress": f"{kind}-{level}", "process_max": procs}
            for step in ("backup", "restore"):
                plain = statistics.median(r.wall for r in walls["plain"][step])
                encrypted = statistics.median(r.wall for r in walls["aes-256-gcm"][step])
                plain_cpu = statistics.median(r.cpu for r in walls["plain"][step])
                encrypted_cpu = statistics.median(r.cpu for r in walls["aes-256-gcm"][step])
                row[step] = {"plain_wall": round(plain, 3), "encrypted_wall": round(encrypted, 3),
                             "ratio": round(encrypted / plain, 3) if plain else None,
                             "cpu_ratio": round(encrypted_cpu / plain_cpu, 3) if plain_cpu else None,
                             "plain_cpu": round(statistics.median(r.cpu for r in walls["plain"][step]), 3),
                             "encrypted_cpu": round(statistics.median(r.cpu for r in walls["aes-256-gcm"][step]), 3)}
            log(f"{self.dataset.name}: encryption ratio backup {row['backup']['ratio']}, restore {row['restore']['ratio']}")
            rows.append(row)
        return rows

    # --- incremental -----------------------------------------------------------------------------

    def incremental(self, configs):
        kind, level, procs = configs[0]
        base = RUN.run([self.lifeboat, "backup", "--type", "full", "--start-fast", "--process-max", str(procs)]
                       + self.lb_common() + self.lb_pg(), check=False)
        if base.code != 0:
            return {"status": "error", "message": "full backup before incr failed: " + base.describe()}
        self.pgbench_changes()
        probe = RUN.run([self.lifeboat, "backup", "--type", "incr", "--start-fast", "--process-max", str(procs)]
                        + self.lb_common() + self.lb_pg(), check=False)
        if probe.code != 0:
            self.drop_backups()
            return {"status": "n/a", "message": "n/a (diff/incr not implemented yet)",
                    "lifeboat_exit": probe.code, "lifeboat_error": (probe.stderr or probe.stdout).strip()[-500:]}
        log(f"{self.dataset.name}: lifeboat incr works; measuring incremental backups")
        RUN.run(self.pgbr("--type=full", f"--process-max={procs}", "backup"))
        runs = {LIFEBOAT: [], PGBACKREST: []}
        stored = {LIFEBOAT: [], PGBACKREST: []}
        for run in range(self.args.runs):
            self.pgbench_changes()
            for tool in rotate([LIFEBOAT, PGBACKREST], run):
                if tool == LIFEBOAT:
                    before = set(self.lb_backups())
                    result = RUN.run([self.lifeboat, "backup", "--type", "incr", "--start-fast", "--process-max",
                                      str(procs), "--compress-type", kind, "--compress-level", str(level)]
                                     + self.lb_common() + self.lb_pg(), server=self.cluster)
                    new = sorted(set(self.lb_backups()) - before)
                    size = tree_bytes(os.path.join(self.lb_repo, STANZA, "backup", new[-1])) if new else 0
                else:
                    before = set(self.pgbr_backups())
                    result = RUN.run(self.pgbr(f"--process-max={procs}", f"--compress-type={pgbr_type(kind)}",
                                               f"--compress-level={level}", "--type=incr", "backup"),
                                     server=self.cluster)
                    new = sorted(set(self.pgbr_backups()) - before)
                    size = tree_bytes(os.path.join(self.pgbr_repo, "backup", STANZA, new[-1])) if new else 0
                runs[tool].append(result)
                stored[tool].append(size)
        self.drop_backups()
        rows = [summarise(t, runs[t], extra={"stored_bytes": int(statistics.median(stored[t])),
                                             "compress": f"{kind}-{level}", "process_max": procs})
                for t in (LIFEBOAT, PGBACKREST)]
        return {"status": "measured", "rows": rows}

    def pgbench_changes(self):
        """Some committed changes (touches a few percent of the pages) between backups."""
        if self.dataset.name == "pgbench":
            RUN.run([f"{PG_BIN}/pgbench", "-h", self.cluster.sock, "-p", str(self.cluster.port), "-U", "postgres",
                     "-n", "-c", "2", "-j", "2", "-t", "500", "postgres"])
        else:
            self.cluster.psql("UPDATE orders SET amount = amount + 1 WHERE id % 50 = 0")

    # --- delta restore ---------------------------------------------------------------------------

    def delta_restore(self, configs):
        """A restored cluster gets a small change; each tool brings it back with its delta restore
        (only differing files rewritten) versus Lifeboat's full restore into an empty directory."""
        _kind, _level, procs = configs[0]
        RUN.run([self.lifeboat, "backup", "--type", "full", "--start-fast", "--process-max", str(procs)]
                + self.lb_common() + self.lb_pg())
        RUN.run(self.pgbr("--type=full", f"--process-max={procs}", "backup"))
        self.cluster.wait_archived()
        rows, detail = [], {}
        for tool in (LIFEBOAT, PGBACKREST):
            full_runs, delta_runs = [], []
            target = os.path.join(self.work, "delta-" + re.sub(r"\W", "", tool))
            for run in range(self.args.runs):
                make_empty_dir(target)
                full = self._delta_bench_restore(tool, target, procs, delta=False)
                full_runs.append(full)
                self._delta_bench_change(tool, target)
                delta = self._delta_bench_restore(tool, target, procs, delta=True)
                delta_runs.append(delta)
                if tool == LIFEBOAT:
                    detail = json.loads(delta.stdout).get("delta", {})
                log(f"  run {run + 1} {tool:10} full restore {full.wall:7.2f} s, delta restore after a small "
                    f"change {delta.wall:7.2f} s" + (f" ({detail})" if tool == LIFEBOAT else ""))
            if self.args.verify:
                self.verify(tool + " delta", target)
            shutil.rmtree(target)
            rows.append(summarise(tool, full_runs, extra={"restore": "full", "process_max": procs}))
            rows.append(summarise(tool, delta_runs, extra={"restore": "delta", "process_max": procs}))
        self.drop_backups()
        return {"rows": rows, "lifeboat_delta": detail}

    def _delta_bench_restore(self, tool, target, procs, delta):
        RUN.run(["sync"], as_pg=False)
        if tool == LIFEBOAT:
            argv = [self.lifeboat, "restore", "--pg-data", target, "--archive-mode", "off", "--process-max", str(procs),
                    "--output", "json"] + self.lb_common()
            result = RUN.run(argv + (["--delta"] if delta else []), check=False)
        else:
            argv = self.pgbr(f"--pg1-path={target}", f"--process-max={procs}", "--archive-mode=off")
            result = RUN.run(argv + (["--delta"] if delta else []) + ["restore"], check=False)
        if result.code != 0:
            raise BenchError(f"{tool} {'delta ' if delta else ''}restore failed: {result.describe()}")
        return combine(result, RUN.run(["sync"], as_pg=False))

    def _delta_bench_change(self, tool, target):
        """Starts the restored directory, changes a little (about what pgbench_changes does), stops it."""
        cluster = Cluster(os.path.join(self.work, "delta-change-" + re.sub(r"\W", "", tool)), data=target)
        os.chown(cluster.home, RUN.pg_uid, RUN.pg_gid)
        try:
            cluster.start(f"-c port={cluster.port} -c unix_socket_directories={cluster.sock} -c listen_addresses='' "
                          "-c archive_mode=off")
            deadline = time.monotonic() + 120
            while cluster.psql("SELECT pg_is_in_recovery()") != "f" and time.monotonic() < deadline:
                time.sleep(0.2)
            if self.dataset.name == "pgbench":
                RUN.run([f"{PG_BIN}/pgbench", "-h", cluster.sock, "-p", str(cluster.port), "-U", "postgres",
                         "-n", "-c", "2", "-j", "2", "-t", "500", "postgres"])
            else:
                cluster.psql("UPDATE orders SET amount = amount + 1 WHERE id % 50 = 0")
            cluster.psql("CHECKPOINT")
        finally:
            cluster.stop()
            shutil.rmtree(cluster.home, ignore_errors=True)

    # --- WAL archive-push / archive-get ----------------------------------------------------------

    def generate_wal(self, count):
        """Copies `count` complete, real WAL segments of this cluster out of pg_wal."""
        log(f"{self.dataset.name}: generating {count} WAL segments (pgbench, then inserts)")
        self.cluster.psql("ALTER SYSTEM SET wal_keep_size = '4GB'")
        self.cluster.psql("SELECT pg_reload_conf()")
        start = self.cluster.psql("SELECT pg_walfile_name(pg_current_wal_lsn())")
        start_lsn = self.cluster.psql("SELECT pg_current_wal_lsn()")
        needed = (count + 2) * SEGMENT_SIZE
        if self.dataset.name == "pgbench":
            RUN.run([f"{PG_BIN}/pgbench", "-h", self.cluster.sock, "-p", str(self.cluster.port), "-U", "postgres",
                     "-n", "-c", "2", "-j", "2", "-T", "5", "postgres"], timeout=120)
        self.cluster.psql("CREATE TABLE IF NOT EXISTS walgen (id bigint, at timestamptz, h text, body text)")
        batch = 0
        while int(self.cluster.psql(f"SELECT pg_current_wal_lsn() - '{start_lsn}'::pg_lsn")) < needed:
            self.cluster.psql(f"INSERT INTO walgen SELECT g, now(), md5(g::text || random()::text), "
                              f"repeat(md5(random()::text), 1 + g % 8) FROM generate_series({batch}, {batch + 99999}) g")
            batch += 100000
        self.cluster.wait_archived()
        # pg_wal also holds recycled segments under future names: only archived ones are complete.
        last = self.cluster.psql("SELECT last_archived_wal FROM pg_stat_archiver")[:24]
        names = sorted(n for n in os.listdir(os.path.join(self.cluster.data, "pg_wal"))
                       if re.fullmatch(r"[0-9A-F]{24}", n) and start < n <= last)
        names = names[:count]
        if len(names) < count:
            raise BenchError(f"only {len(names)} complete WAL segments after {start} in pg_wal")
        source = SANDBOX.dir(self.dataset.name, "wal-source", mode=0o755)
        paths = []
        for name in names:
            path = os.path.join(source, name)
            shutil.copyfile(os.path.join(self.cluster.data, "pg_wal", name), path)
            os.chown(path, RUN.pg_uid, RUN.pg_gid)
            os.chmod(path, 0o600)
            paths.append(path)
        self.cluster.psql("ALTER SYSTEM RESET wal_keep_size")
        self.cluster.psql("SELECT pg_reload_conf()")
        return paths

    def archive(self, count):
        segments = self.generate_wal(count)
        kind_args_lb = ["--compress-type", "zstd", "--compress-level", "3"]
        kind_args_pgbr = ["--compress-type=zst", "--compress-level=3"]
        tools = [LIFEBOAT, PGBACKREST]
        push = {t: [] for t in tools}
        get = {t: [] for t in tools}
        repo_bytes = {t: [] for t in tools}
        for run in range(self.args.runs):
            repos = {}
            repos[LIFEBOAT] = make_empty_dir(os.path.join(self.home, "wal-lifeboat"))
            RUN.run([self.lifeboat, "init"] + self.lb_common(repos[LIFEBOAT]) + self.lb_pg())
            repos[PGBACKREST] = make_empty_dir(os.path.join(self.home, "wal-pgbackrest"))
            RUN.run(self.pgbr("stanza-create", repo=repos[PGBACKREST]))
            log(f"{self.dataset.name}: run {run + 1} archive-push/archive-get of {len(segments)} segments")
            order = rotate(tools, run)
            for tool in order:
                results = []
                for segment in segments:
                    if tool == LIFEBOAT:
                        argv = [self.lifeboat, "archive-push"] + self.lb_common(repos[tool]) + kind_args_lb + [segment]
                    else:
                        argv = self.pgbr(*kind_args_pgbr, "archive-push", segment, repo=repos[tool])
                    result = RUN.run(argv, check=False)
                    if result.code != 0:
                        raise BenchError(f"{tool} archive-push failed: {result.describe()}")
                    results.append(result)
                push[tool].append(aggregate(results))
                repo_bytes[tool].append(tree_bytes(repos[tool]))
            RUN.run(["sync"], as_pg=False)
            for tool in order:
                results = []
                destination_dir = make_empty_dir(os.path.join(self.home, "wal-get"))
                for segment in segments:
                    name = os.path.basename(segment)
                    destination = os.path.join(destination_dir, "RECOVERYXLOG")
                    if tool == LIFEBOAT:
                        argv = [self.lifeboat, "archive-get"] + self.lb_common(repos[tool]) + [name, destination]
                    else:
                        argv = self.pgbr("archive-get", name, destination, repo=repos[tool])
                    result = RUN.run(argv, check=False)
                    if result.code != 0:
                        raise BenchError(f"{tool} archive-get {name} failed: {result.describe()}")
                    if not filecmp.cmp(segment, destination, shallow=False):
                        raise BenchError(f"{tool} archive-get {name} returned different bytes")
                    os.unlink(destination)
                    results.append(result)
                get[tool].append(aggregate(results))
                shutil.rmtree(destination_dir)
            for tool in tools:
                shutil.rmtree(repos[tool])
        n = len(segments)
        rows = []
        for op, table in (("archive-push", push), ("archive-get", get)):
            for tool in tools:
                extra = {"operation": op, "segments": n}
                if op == "archive-push":
                    extra["repo_bytes"] = int(statistics.median(repo_bytes[tool]))
                rows.append(summarise(tool, table[tool], extra=extra))
        shutil.rmtree(os.path.dirname(segments[0]))
        return {"segments": n, "rows": rows}

    def teardown(self):
        self.cluster.stop()
        if not self.args.keep:
            shutil.rmtree(self.home, ignore_errors=True)


# --------------------------------------------------------------------------------------------------
# Statistics


def rotate(items, n):
    n %= len(items)
    return items[n:] + items[:n]


def combine(first, second):
    """A restore and the sync that makes it durable, as one measurement."""
    return Result(first.argv, first.code, first.wall + second.wall, first.user + second.user,
                  first.sys + second.sys, max(first.maxrss_kb, second.maxrss_kb), first.stdout, first.stderr,
                  first.server_cpu + second.server_cpu)


def aggregate(results):
    """Many short invocations (one per WAL segment) as one measurement: sums, and the largest RSS."""
    return Result(["(aggregate)"], 0, sum(r.wall for r in results), sum(r.user for r in results),
                  sum(r.sys for r in results), max(r.maxrss_kb for r in results), "", "",
                  sum(r.server_cpu for r in results))


def summarise(tool, results, extra=None):
    row = {
        "tool": tool,
        "runs": [{"wall": round(r.wall, 4), "cpu": round(r.cpu, 4), "user": round(r.user, 4), "sys": round(r.sys, 4),
                  "server_cpu": round(r.server_cpu, 4), "maxrss_kb": r.maxrss_kb} for r in results],
        "wall": round(statistics.median(r.wall for r in results), 4),
        "cpu": round(statistics.median(r.cpu for r in results), 4),
        "server_cpu": round(statistics.median(r.server_cpu for r in results), 4),
        "maxrss_kb": int(statistics.median(r.maxrss_kb for r in results)),
    }
    row.update(extra or {})
    return row


# --------------------------------------------------------------------------------------------------
# Report


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:.2f}"


def mib(n):
    return f"{n / 2**20:.1f}"


def machine_info(lifeboat):
    def first_line(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            return (out.stdout.strip() or out.stderr.strip()).splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "unknown"

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    commit = first_line(["git", "-C", os.path.dirname(BENCH_DIR), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", os.path.dirname(BENCH_DIR), "status", "--porcelain", "--", "Sources"],
                           capture_output=True, text=True).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_bytes": mem,
        "kernel": platform.release(),
        "lifeboat": first_line([lifeboat, "--version"]),
        "lifeboat_binary": lifeboat,
        "commit": commit + ("+dirty Sources" if dirty else ""),
        "pgbackrest": first_line(["pgbackrest", "version"]),
        "pg_basebackup": first_line([f"{PG_BIN}/pg_basebackup", "--version"]),
        "postgres": first_line([f"{PG_BIN}/postgres", "--version"]),
        "zstd": first_line(["zstd", "--version"]),
        "lz4": first_line(["lz4", "--version"]),
        "python": platform.python_version(),
    }


def render(results):
    out = []
    m = results["machine"]
    s = results["settings"]
    out.append(f"# Lifeboat benchmark — {results['started']}")
    out.append("")
    out.append(f"- machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_bytes'] / 2**30:.1f} GiB RAM, "
               f"Linux {m['kernel']}")
    out.append(f"- Lifeboat: {m['lifeboat']} (commit {m['commit']}), {m['pgbackrest']}, {m['pg_basebackup']}, "
               f"{m['postgres']}")
    out.append(f"- settings: scale {s['scale']}, {s['runs']} run(s) per measurement (median shown, tools alternated "
               f"run by run), datasets {', '.join(s['datasets'])}{', quick (restores verified)' if s['quick'] else ''}"
               f"{', restores verified' if s['verify'] and not s['quick'] else ''}")
    out.append("- ratios are Lifeboat ÷ the tool (below 1.00 = Lifeboat is faster / uses less); CPU = user+sys of the "
               "tool's processes plus the PostgreSQL server's (pg_basebackup compresses in the walsender when "
               "`server-`); restores include the final `sync`; pg_basebackup restore = untar of the client-side tar")
    out.append("")
    out.extend(render_summary(results))
    for name, ds in results["datasets"].items():
        info = ds["info"]
        out.append(f"## Dataset `{name}`: {info['description']}")
        out.append("")
        out.append(f"{mib(info['data_dir_bytes_without_wal'])} MiB data directory (without pg_wal), "
                   f"zstd -3 ratio **{info['zstd3_ratio']}×**, loaded in {info['load_seconds']} s.")
        out.append("")
        out.append("### Full backup")
        out.append("")
        out.append("| compression | process-max | tool | wall s | CPU s (tool + server) | peak RSS MiB | stored MiB | "
                   "Lifeboat ÷ tool: wall | CPU | stored |")
        out.append("|---|---|---|---|---|---|---|---|---|---|")
        for config, rows in group(ds["backup"]):
            lb = rows[LIFEBOAT]
            for tool, row in rows.items():
                total = row["cpu"] + row["server_cpu"]
                lb_total = lb["cpu"] + lb["server_cpu"]
                same = tool == LIFEBOAT
                out.append(f"| {config[0]} | {config[1]} | {tool} | {row['wall']:.2f} | {total:.2f} "
                           f"({row['cpu']:.2f} + {row['server_cpu']:.2f}) | {row['maxrss_kb'] / 1024:.0f} | "
                           f"{mib(row['stored_bytes'])} | {'—' if same else ratio(lb['wall'], row['wall'])} | "
                           f"{'—' if same else ratio(lb_total, total)} | "
                           f"{'—' if same else ratio(lb['stored_bytes'], row['stored_bytes'])} |")
        out.append("")
        out.append("### Full restore into an empty directory (+ sync)")
        out.append("")
        out.append("| compression | process-max | tool | wall s | CPU s | peak RSS MiB | Lifeboat ÷ tool: wall | CPU |")
        out.append("|---|---|---|---|---|---|---|---|")
        for config, rows in group(ds["restore"]):
            lb = rows[LIFEBOAT]
            for tool, row in rows.items():
                same = tool == LIFEBOAT
                out.append(f"| {config[0]} | {config[1]} | {tool} | {row['wall']:.2f} | {row['cpu']:.2f} | "
                           f"{row['maxrss_kb'] / 1024:.0f} | {'—' if same else ratio(lb['wall'], row['wall'])} | "
                           f"{'—' if same else ratio(lb['cpu'], row['cpu'])} |")
        out.append("")
        inc = ds.get("incremental")
        if inc:
            out.append("### Incremental backup")
            out.append("")
            if inc["status"] == "measured":
                out.append("| tool | wall s | CPU s (tool + server) | peak RSS MiB | stored MiB |")
                out.append("|---|---|---|---|---|")
                for row in inc["rows"]:
                    out.append(f"| {row['tool']} | {row['wall']:.2f} | {row['cpu'] + row['server_cpu']:.2f} | "
                               f"{row['maxrss_kb'] / 1024:.0f} | {mib(row['stored_bytes'])} |")
            else:
                out.append(inc["message"] + (f" — `lifeboat backup --type incr` exited {inc['lifeboat_exit']}: "
                                             f"{first_line_of(inc['lifeboat_error'])}" if "lifeboat_exit" in inc else ""))
            out.append("")
        out += render_delta_restore(ds.get("delta_restore"))
        if ds.get("archive"):
            arc = ds["archive"]
            out.append(f"### WAL: archive-push / archive-get of {arc['segments']} real 16 MiB segments (zstd-3), "
                       "one process per segment")
            out.append("")
            out.append("| operation | tool | per segment wall ms | per segment CPU ms | peak RSS MiB | repo MiB | "
                       "Lifeboat ÷ tool: wall | CPU |")
            out.append("|---|---|---|---|---|---|---|---|")
            n = arc["segments"]
            by_op = {}
            for row in arc["rows"]:
                by_op.setdefault(row["operation"], {})[row["tool"]] = row
            for op, rows in by_op.items():
                lb = rows[LIFEBOAT]
                for tool, row in rows.items():
                    same = tool == LIFEBOAT
                    repo = mib(row["repo_bytes"]) if "repo_bytes" in row else ""
                    out.append(f"| {op} | {tool} | {row['wall'] / n * 1000:.1f} | {row['cpu'] / n * 1000:.1f} | "
                               f"{row['maxrss_kb'] / 1024:.0f} | {repo} | "
                               f"{'—' if same else ratio(lb['wall'], row['wall'])} | "
                               f"{'—' if same else ratio(lb['cpu'], row['cpu'])} |")
            out.append("")
    out.append("## Machine ceiling (same data directories, warm cache, without pg_wal)")
    out.append("")
    out.append("| dataset | pipeline | wall s | CPU s | MiB/s |")
    out.append("|---|---|---|---|---|")
    for name, ds in results["datasets"].items():
        for row in ds["ceiling"]:
            rate = row["bytes_in"] / 2**20 / row["wall"] if row["wall"] else 0
            pipeline = row["tool"].replace("|", "\\|")
            out.append(f"| {name} | `{pipeline}` | {row['wall']:.2f} | {row['cpu']:.2f} | {rate:.0f} |")
    out.append("")
    if results.get("problems"):
        out.append("## Problems")
        out.append("")
        for problem in results["problems"]:
            out.append(f"- {problem}")
        out.append("")
    out.append(f"Total benchmark time {results['total_seconds']:.0f} s.")
    return "\n".join(out)


def render_encryption(results):
    """Lifeboat with aes-256-gcm ÷ without, per dataset: the issue's budget is below 1.10."""
    out = ["## Encryption cost (Lifeboat aes-256-gcm ÷ plain; budget < 1.10)", "",
           "| dataset | compress | process-max | backup plain s | backup encrypted s | wall ratio | CPU ratio | restore plain s | restore encrypted s | wall ratio | CPU ratio |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, ds in results["datasets"].items():
        for row in ds.get("encryption") or []:
            b, r = row["backup"], row["restore"]
            out.append(f"| {name} | {row['compress']} | {row['process_max']} | {b['plain_wall']} | {b['encrypted_wall']} | "
                       f"**{b['ratio']}** | {b.get('cpu_ratio')} | {r['plain_wall']} | {r['encrypted_wall']} | **{r['ratio']}** | "
                       f"{r.get('cpu_ratio')} |")
    return "\n".join(out) + "\n"


def render_delta_restore(delta):
    if not delta:
        return []
    out = ["### Delta restore after a small change (pgbench-like) to a restored cluster", "",
           "| tool | restore | wall s | CPU s | peak RSS MiB | ÷ Lifeboat full restore: wall |",
           "|---|---|---|---|---|---|"]
    base = next((r for r in delta["rows"] if r["tool"] == LIFEBOAT and r["restore"] == "full"), None)
    for row in delta["rows"]:
        out.append(f"| {row['tool']} | {row['restore']} | {row['wall']:.2f} | {row['cpu']:.2f} | "
                   f"{row['maxrss_kb'] / 1024:.0f} | {ratio(row['wall'], base['wall']) if base else ''} |")
    counts = delta.get("lifeboat_delta") or {}
    if counts:
        out.append("")
        out.append(f"Lifeboat delta: {counts.get('filesChecked')} files checked, {counts.get('filesRewritten')} "
                   f"rewritten ({mib(counts.get('bytesRewritten', 0))} MiB), {counts.get('entriesRemoved')} removed.")
    out.append("")
    return out


def geomean(values):
    values = [v for v in values if v and v > 0]
    if not values:
        return None
    product = 1.0
    for v in values:
        product *= v
    return product ** (1 / len(values))


def render_summary(results):
    """One line per dataset: Lifeboat ÷ each tool, geometric mean over the compression settings."""
    out = ["## Summary: Lifeboat ÷ tool (geometric mean over the compression / process-max settings)", "",
           "| dataset | vs | backup wall | backup CPU | stored | restore wall | restore CPU |",
           "|---|---|---|---|---|---|---|"]
    archive_lines = []

    def cpu(row):
        return row["cpu"] + row["server_cpu"]

    for name, ds in results["datasets"].items():
        backups = [rows for _config, rows in group(ds["backup"])]
        restores = [rows for _config, rows in group(ds["restore"])]
        for tool, restore_tool in ((PGBACKREST, PGBACKREST), (BB_CLIENT, BB), (BB_SERVER, None)):
            def mean(rows_list, tool_name, metric):
                if tool_name is None:
                    return None
                return geomean([metric(rows[LIFEBOAT]) / metric(rows[tool_name]) for rows in rows_list
                                if tool_name in rows and metric(rows[tool_name])])

            def fmt(value):
                return "—" if value is None else f"{value:.2f}"

            out.append(f"| {name} | {tool} | {fmt(mean(backups, tool, lambda r: r['wall']))} | "
                       f"{fmt(mean(backups, tool, cpu))} | {fmt(mean(backups, tool, lambda r: r['stored_bytes']))} | "
                       f"{fmt(mean(restores, restore_tool, lambda r: r['wall']))} | "
                       f"{fmt(mean(restores, restore_tool, lambda r: r['cpu']))} |")
        if ds.get("archive"):
            rows = {}
            for row in ds["archive"]["rows"]:
                rows.setdefault(row["operation"], {})[row["tool"]] = row
            parts = []
            for op, by_tool in rows.items():
                lb, other = by_tool[LIFEBOAT], by_tool[PGBACKREST]
                parts.append(f"{op} wall {ratio(lb['wall'], other['wall'])}, CPU {ratio(lb['cpu'], other['cpu'])}")
            archive_lines.append(f"WAL, one process per 16 MiB segment, Lifeboat ÷ {PGBACKREST} ({name} cluster): "
                                 + "; ".join(parts) + ".")
    out.append("")
    for line in archive_lines:
        out.extend([line, ""])
    return out


def first_line_of(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[0] if lines else ""


def group(rows):
    grouped = {}
    for row in rows:
        grouped.setdefault((row["compress"], row["process_max"]), {})[row["tool"]] = row
    return grouped.items()


# --------------------------------------------------------------------------------------------------
# Main


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Lifeboat vs pgBackRest vs pg_basebackup benchmark")
    parser.add_argument("--lifeboat", default=os.path.join(os.path.dirname(BENCH_DIR), ".build/release/lifeboat"),
                        help="lifeboat binary to benchmark (default .build/release/lifeboat)")
    parser.add_argument("--scale", type=int, help="pgbench scale (default 50, quick 5)")
    parser.add_argument("--runs", type=int, help="runs per measurement, median reported (default 3, quick 1)")
    parser.add_argument("--datasets", default="pgbench,realistic", help="comma list of pgbench,realistic")
    parser.add_argument("--quick", action="store_true",
                        help="scale 5, 1 run, zstd-3 process-max 2 only; verify every restore starts and is complete")
    parser.add_argument("--verify", action="store_true", help="start every restored directory and count its rows")
    parser.add_argument("--wal-segments", type=int, help="WAL segments for archive-push/get (default 64, quick 16)")
    parser.add_argument("--keep", action="store_true", help="keep the sandbox")
    parser.add_argument("--only-encryption", action="store_true",
                        help="measure only Lifeboat with and without aes-256-gcm (backup and restore wall time)")
    parser.add_argument("--json", help="also write the JSON results here")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/results/*.json")
    args = parser.parse_args(argv)
    args.scale = args.scale or (5 if args.quick else 50)
    args.runs = args.runs or (1 if args.quick else 3)
    args.wal_segments = args.wal_segments or (16 if args.quick else 64)
    args.verify = args.verify or args.quick
    args.datasets = [d.strip() for d in args.datasets.split(",") if d.strip()]
    for d in args.datasets:
        if d not in ("pgbench", "realistic"):
            parser.error(f"unknown dataset {d!r}")
    if args.runs < 1 or args.scale < 1 or args.wal_segments < 1:
        parser.error("--runs, --scale and --wal-segments must be positive")
    return args


def main(argv):
    global RUN, SANDBOX
    args = parse_args(argv)
    if os.geteuid() != 0:
        print("bench: run as root (PostgreSQL and the tools run as the postgres user)", file=sys.stderr)
        return 2
    if not os.access(args.lifeboat, os.X_OK):
        print(f"bench: lifeboat binary {args.lifeboat!r} is not executable", file=sys.stderr)
        return 2
    for tool in ("pgbackrest", "zstd", "lz4", "tar"):
        if shutil.which(tool) is None:
            print(f"bench: {tool} is not installed", file=sys.stderr)
            return 2

    # A parent may hand us blocked signals (a Swift test's Foundation.Process does): children would
    # inherit the mask, and pgbench -T, which ends on SIGALRM, would then never end.
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    atexit.register(cleanup)
    RUN = Runner()
    SANDBOX = Sandbox(args.keep)
    SANDBOX.lifeboat = os.path.join(SANDBOX.dir("bin", mode=0o755), "lifeboat")
    shutil.copyfile(args.lifeboat, SANDBOX.lifeboat)
    os.chmod(SANDBOX.lifeboat, 0o755)

    if args.quick:
        configs = [("zstd", 3, 2)]
    else:
        configs = [("zstd", 3, 1), ("zstd", 3, 2), ("lz4", 1, 1), ("lz4", 1, 2)]
    started_at = datetime.datetime.now(datetime.timezone.utc)
    results = {
        "started": started_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "machine": machine_info(SANDBOX.lifeboat),
        "settings": {"scale": args.scale, "runs": args.runs, "datasets": args.datasets, "quick": args.quick,
                     "verify": args.verify, "wal_segments": args.wal_segments,
                     "configs": [{"compress": f"{k}-{l}", "process_max": p} for k, l, p in configs]},
        "datasets": {},
        "problems": [],
    }
    log(f"sandbox {SANDBOX.root}; lifeboat {results['machine']['lifeboat']}")
    status = 0
    try:
        for index, name in enumerate(args.datasets):
            dataset = PgbenchDataset(args.scale) if name == "pgbench" else RealisticDataset(args.scale)
            bench = Bench(args, dataset)
            ds = {}
            results["datasets"][name] = ds
            try:
                bench.setup()
                ds["info"] = bench.load()
                if not args.only_encryption:
                    ds["ceiling"] = bench.ceiling()
                if not args.only_encryption:
                    ds["backup"], ds["restore"] = bench.matrix(configs)
                if args.only_encryption:
                    ds["encryption"] = bench.encryption(configs[-1:])
                    continue
                ds["incremental"] = bench.incremental(configs)
                if not args.quick:  # --quick stays within the smoke test's time limit
                    ds["delta_restore"] = bench.delta_restore(configs)
                if bench.measures_encryption():
                    ds["encryption"] = bench.encryption(configs[-1:])
                if index == 0:
                    ds["archive"] = bench.archive(args.wal_segments)
            finally:
                bench.teardown()
    except BenchError as error:
        results["problems"].append(str(error))
        print(f"bench: FAILED: {error}", file=sys.stderr)
        status = 1
    results["total_seconds"] = time.monotonic() - STARTED
    complete = {n: d for n, d in results["datasets"].items() if all(k in d for k in ("info", "ceiling", "backup"))}
    report_input = dict(results, datasets=complete)
    print(render(report_input))
    print(render_encryption(results))
    write_results(args, results, started_at)
    if status == 0:
        log(f"done in {results['total_seconds']:.0f} s")
    return status


def write_results(args, results, started_at):
    text = json.dumps(results, indent=2, sort_keys=True) + "\n"
    paths = []
    if args.json:
        paths.append(args.json)
    if not args.quick and not args.no_results:
        directory = os.path.join(BENCH_DIR, "results")
        os.makedirs(directory, exist_ok=True)
        paths.append(os.path.join(directory, started_at.strftime("%Y%m%dT%H%M%SZ") + ".json"))
        paths.append(os.path.join(directory, "latest.json"))
    for path in paths:
        with open(path, "w") as f:
            f.write(text)
        log(f"results written to {path}")


if __name__ == "__main__":
    try:
        code = main(sys.argv[1:])
    except SystemExit as exit_:
        cleanup()
        raise
    except BaseException:
        cleanup()
        raise
    cleanup()
    sys.exit(code)
