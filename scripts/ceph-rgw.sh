#!/usr/bin/env bash
# A throw-away single-node Ceph with a RADOS Gateway on 127.0.0.1, for the S3 tests.
#   scripts/ceph-rgw.sh start DIR [OWNER_PID]
#                                   starts mon + memstore OSD + radosgw under DIR (created, must be empty),
#                                   creates user "lifeboat" and bucket "lifeboat", prints KEY=VALUE lines:
#                                   ENDPOINT, ACCESS_KEY, SECRET_KEY, BUCKET, CONF, and TLS_ENDPOINT with its
#                                   self-signed certificate TLS_CA_FILE. With OWNER_PID, a watchdog
#                                   stops the cluster when that process ends (a test run, even one that crashed).
#   scripts/ceph-rgw.sh stop DIR    kills the daemons started for DIR (by their pid files) and removes DIR.
#
# Recipe (Debian 12 packages ceph-mon ceph-osd radosgw, Ceph 16.2):
# - `auth … required = none` everywhere: no keyrings to manage; RGW still checks S3 signatures itself.
# - the OSD uses memstore (RAM, no block device); one replica; pools may have size 1.
# - every daemon binds 127.0.0.1 on ports picked free here, with a private run/log dir, so several
#   test processes (or helpers) can each run their own cluster.
# - the rgw client needs `ms mon client mode = crc`, or it loops on auth error -13 with auth none.
# - root is fine: started by hand (not systemd) the daemons run as the invoking user.
# Cold start is ≈ 10–15 s, so tests start one cluster per test process and share it.
set -euo pipefail

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

stop() {
    local dir=$1
    for pidfile in "$dir"/run/*.pid; do
        [ -f "$pidfile" ] || continue
        kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    done
    rm -rf "$dir"
}

start() {
    local dir=$1 owner=${2:-}
    mkdir -p "$dir"/{run,log,mon,osd}
    local mon_port rgw_port tls_port fsid conf
    mon_port=$(free_port)
    rgw_port=$(free_port)
    tls_port=$(free_port)
    # A self-signed certificate for 127.0.0.1, so the TLS options (verify, CA file) are tested too.
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/tls.key" -out "$dir/tls.crt" -days 7 \
        -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >"$dir/log/openssl.log" 2>&1
    fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')
    conf=$dir/ceph.conf
    cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
public addr = 127.0.0.1
ms bind ipv6 = false
ms bind msgr1 = false
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
keyring = /dev/null
mon data = $dir/mon
osd data = $dir/osd
osd objectstore = memstore
memstore device bytes = 4294967296
osd max object name len = 460
osd max object namespace len = 64
mon osd full ratio = 0.99
mon osd nearfull ratio = 0.98
osd failsafe full ratio = 0.995
mgr initial modules =
[client]
ms mon client mode = crc
rgw frontends = beast endpoint=127.0.0.1:$rgw_port ssl_endpoint=127.0.0.1:$tls_port ssl_certificate=$dir/tls.crt ssl_private_key=$dir/tls.key
rgw data = $dir/rgw
rgw dns name = localhost
rgw thread pool size = 64
CONF
    export CEPH_CONF=$conf
    monmaptool --create --clobber --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >"$dir/log/setup.log" 2>&1
    ceph-mon --mkfs -i a --monmap "$dir/monmap" -c "$conf" >>"$dir/log/setup.log" 2>&1
    ceph-mon -i a -c "$conf" >>"$dir/log/setup.log" 2>&1
    local osd_id
    osd_id=$(ceph -c "$conf" osd create 2>>"$dir/log/setup.log")
    ceph-osd -i "$osd_id" --mkfs -c "$conf" >>"$dir/log/setup.log" 2>&1
    ceph -c "$conf" osd crush add "osd.$osd_id" 1.0 host=localhost root=default >>"$dir/log/setup.log" 2>&1 || true
    ceph-osd -i "$osd_id" -c "$conf" >>"$dir/log/setup.log" 2>&1
    mkdir -p "$dir/rgw"
    radosgw -n client.rgw -c "$conf" >>"$dir/log/setup.log" 2>&1
    # Wait for the gateway to answer HTTP.
    for _ in $(seq 1 300); do
        if curl -s -o /dev/null "http://127.0.0.1:$rgw_port/"; then break; fi
        sleep 0.2
    done
    curl -s -o /dev/null "http://127.0.0.1:$rgw_port/" || { echo "radosgw did not start; see $dir/log" >&2; exit 1; }
    local access secret
    access=$(python3 -c 'import secrets,string; print("LB"+"".join(secrets.choice(string.ascii_uppercase+string.digits) for _ in range(18)))')
    secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(30))')
    radosgw-admin -c "$conf" user create --uid lifeboat --display-name lifeboat \
        --access-key "$access" --secret-key "$secret" >>"$dir/log/setup.log" 2>&1
    AWS_ACCESS_KEY_ID=$access AWS_SECRET_ACCESS_KEY=$secret AWS_DEFAULT_REGION=us-east-1 \
        aws --endpoint-url "http://127.0.0.1:$rgw_port" s3 mb s3://lifeboat >>"$dir/log/setup.log" 2>&1
    if [ -n "$owner" ]; then
        setsid bash -c "while kill -0 $owner 2>/dev/null; do sleep 1; done; '$0' stop '$dir'" </dev/null >/dev/null 2>&1 &
    fi
    echo "ENDPOINT=http://127.0.0.1:$rgw_port"
    echo "ACCESS_KEY=$access"
    echo "SECRET_KEY=$secret"
    echo "BUCKET=lifeboat"
    echo "TLS_ENDPOINT=https://127.0.0.1:$tls_port"
    echo "TLS_CA_FILE=$dir/tls.crt"
    echo "CONF=$conf"
}

case "${1:-}" in
    start) start "$2" "${3:-}" ;;
    stop) stop "$2" ;;
    *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
