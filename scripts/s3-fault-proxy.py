#!/usr/bin/env python3
"""A small fault-injecting HTTP proxy for the S3 tests: it sits between Lifeboat and Ceph RGW on
127.0.0.1 and breaks chosen requests in the ways a real network and a busy object store do.

    s3-fault-proxy.py --upstream 127.0.0.1:7480 --port-file F --stats-file S \
        [--slowdown-parts N] [--reset-puts N] [--drop-after-store N]

Counting requests as they arrive (deterministic, no randomness):
  --slowdown-parts N    every Nth UploadPart (PUT with partNumber) is answered 503 SlowDown, not forwarded
  --reset-puts N        every Nth PUT is cut: part of its body is read, then the connection is reset
  --drop-after-store N  every Nth PUT or CompleteMultipartUpload is forwarded and stored by the server,
                        then the client's connection is reset instead of getting the reply
Every fault is counted in the stats file (JSON), so a test can prove the faults really happened.
Headers pass through unchanged (the Host header included), so RGW still verifies the signatures.
"""
import argparse
import http.client
import json
import os
import socket
import socketserver
import struct
import threading

lock = threading.Lock()
counters = {"requests": 0, "parts": 0, "puts": 0, "stores": 0, "slowdown": 0, "reset": 0, "dropped": 0}
args = None


def bump(name):
    with lock:
        counters[name] += 1
        value = counters[name]
        with open(args.stats_file + ".tmp", "w") as f:
            json.dump(counters, f)
        os.replace(args.stats_file + ".tmp", args.stats_file)
        return value


def reset(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        stream = sock.makefile("rb")
        while True:
            request_line = stream.readline()
            if not request_line:
                return
            method, target, _ = request_line.decode("latin-1").split(" ", 2)
            headers = []
            while True:
                line = stream.readline().decode("latin-1")
                if line in ("\r\n", "\n", ""):
                    break
                name, _, value = line.partition(":")
                headers.append((name.strip(), value.strip()))
            length = int(next((v for n, v in headers if n.lower() == "content-length"), "0"))
            bump("requests")
            is_put = method == "PUT"
            is_part = is_put and "partNumber=" in target
            is_complete = method == "POST" and "uploadId=" in target
            if is_part and args.slowdown_parts and bump("parts") % args.slowdown_parts == 0:
                stream.read(length)
                bump("slowdown")
                body = b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>'
                sock.sendall(b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                continue
            if is_put and args.reset_puts and bump("puts") % args.reset_puts == 0:
                stream.read(min(length, max(1, length // 2)))
                bump("reset")
                reset(sock)
                return
            body = stream.read(length) if length else b""
            upstream = http.client.HTTPConnection(args.upstream_host, args.upstream_port, timeout=120)
            upstream.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                upstream.putheader(name, value)
            upstream.endheaders(body if body else None)
            response = upstream.getresponse()
            reply = response.read()
            reply_headers = response.getheaders()
            upstream.close()
            if (is_put or is_complete) and 200 <= response.status < 300 and args.drop_after_store \
                    and bump("stores") % args.drop_after_store == 0:
                bump("dropped")
                reset(sock)
                return
            out = [f"HTTP/1.1 {response.status} {response.reason}\r\n".encode("latin-1")]
            for name, value in reply_headers:
                if name.lower() in ("transfer-encoding", "connection", "content-length"):
                    continue
                out.append(f"{name}: {value}\r\n".encode("latin-1"))
            content_length = next((v for n, v in reply_headers if n.lower() == "content-length"), None)
            if method == "HEAD":
                out.append(f"Content-Length: {content_length or 0}\r\n".encode())
            else:
                out.append(f"Content-Length: {len(reply)}\r\n".encode())
            out.append(b"\r\n")
            sock.sendall(b"".join(out) + (b"" if method == "HEAD" else reply))


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global args
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--stats-file", required=True)
    parser.add_argument("--slowdown-parts", type=int, default=0)
    parser.add_argument("--reset-puts", type=int, default=0)
    parser.add_argument("--drop-after-store", type=int, default=0)
    parser.add_argument("--owner-pid", type=int, default=0, help="exit when this process ends")
    args = parser.parse_args()
    host, port = args.upstream.rsplit(":", 1)
    args.upstream_host, args.upstream_port = host, int(port)
    server = Server(("127.0.0.1", 0), Handler)
    with open(args.stats_file, "w") as f:
        json.dump(counters, f)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    if args.owner_pid:
        def watch():
            import os, time
            while True:
                try:
                    os.kill(args.owner_pid, 0)
                except OSError:
                    os._exit(0)
                time.sleep(1)
        threading.Thread(target=watch, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
