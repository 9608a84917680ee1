#!/usr/bin/env python3
"""Generates SigV4 known-answer vectors for LifeboatS3's signer with botocore (the AWS SDK for Python's
signer, an independent implementation), with the clock pinned so the output is reproducible.

    python3 Tests/LifeboatS3Tests/Vectors/generate_botocore_vectors.py > Tests/LifeboatS3Tests/Vectors/botocore-sigv4.json

Each case records the request as LifeboatS3 builds it (method, URI-encoded path, raw query items,
headers including host and x-amz-content-sha256, payload hash) and botocore's canonical request,
string to sign and Authorization header for it. The credentials are AWS's documented example keys.
"""
import datetime
import hashlib
import json
import sys
from unittest import mock
from urllib.parse import quote

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PINNED = datetime.datetime(2026, 11, 21, 13, 7, 59)


def encode_key(key):
    return quote(key, safe="/-_.~")


CASES = [
    # name, method, host, path (unencoded key part), query, extra headers, body, region, token
    ("get-object-path-style", "GET", "127.0.0.1:8000", "/lifeboat/demo/stanza.json", [], [], b"", "us-east-1", None),
    ("get-object-range-if-match", "GET", "127.0.0.1:8000", "/lifeboat/demo/backup/20261121-130759F/data/base/1/1259.zst", [],
     [("range", "bytes=0-8388607"), ("if-match", '"9b2cf535f27731c974343645a3985328"')], b"", "us-east-1", None),
    ("head-bucket-host-style", "HEAD", "lifeboat.s3.eu-west-3.amazonaws.com", "/", [], [], b"", "eu-west-3", None),
    ("list-objects-v2-with-token", "GET", "127.0.0.1:8000", "/lifeboat", [
        ("list-type", "2"), ("prefix", "demo/archive/"), ("delimiter", "/"), ("max-keys", "1000"),
        ("continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")], [], b"", "us-east-1", None),
    ("put-small-object-if-none-match", "PUT", "127.0.0.1:8000",
     "/lifeboat/demo/archive/0000000100000000/000000010000000000000001-3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea.zst",
     [], [("if-none-match", "*"), ("x-amz-meta-sha256", "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea")],
     b"segment bytes \x00\x01\x02\xff", "us-east-1", None),
    ("initiate-multipart", "POST", "127.0.0.1:8000", "/lifeboat/demo/big", [("uploads", "")], [], b"", "us-east-1", None),
    ("upload-part", "PUT", "127.0.0.1:8000", "/lifeboat/demo/big", [("partNumber", "3"), ("uploadId", "2~hk7Z4qJ0yI6xT_aBc+d/e=")],
     [], bytes(range(256)) * 64, "us-east-1", None),
    ("complete-multipart", "POST", "127.0.0.1:8000", "/lifeboat/demo/big", [("uploadId", "2~hk7Z4qJ0yI6xT_aBc+d/e=")], [],
     b'<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"a"</ETag></Part></CompleteMultipartUpload>', "us-east-1", None),
    ("delete-key-needing-encoding", "DELETE", "127.0.0.1:8000", "/lifeboat/demo/dir with space/caf\u00e9+plus=eq&amp%", [], [], b"",
     "us-east-1", None),
    ("session-token-and-spaces-in-header", "GET", "s3.amazonaws.com", "/lifeboat/x", [],
     [("x-amz-meta-note", "  two   spaces  inside ")], b"", "us-west-2", "FQoGZXIvYXdzEPT//////////wEaDExampleSessionToken"),
]


def case(name, method, host, raw_path, query, extra, body, region, token):
    path = encode_key(raw_path)
    payload = hashlib.sha256(body).hexdigest()
    headers = [("host", host), ("x-amz-content-sha256", payload)] + extra
    scheme = "https" if host.endswith("amazonaws.com") else "http"
    request = AWSRequest(method=method, url=f"{scheme}://{host}{path}", data=body, params=query, headers=dict(headers))
    signer = botocore.auth.S3SigV4Auth(Credentials(ACCESS, SECRET, token), "s3", region)
    with mock.patch("botocore.auth.get_current_datetime", return_value=PINNED):
        signer.add_auth(request)
    authorization = request.headers["Authorization"]
    # Recompute the intermediates as botocore did, i.e. before the Authorization header existed.
    del request.headers["Authorization"]
    canonical = signer.canonical_request(request)
    return {
        "name": name,
        "method": method,
        "path": path,
        "query": [list(item) for item in query],
        "headers": [list(item) for item in headers],
        "payloadHash": payload,
        "region": region,
        "service": "s3",
        "accessKey": ACCESS,
        "secretKey": SECRET,
        "sessionToken": token,
        "amzDate": request.context["timestamp"],
        "canonicalRequest": canonical,
        "stringToSign": signer.string_to_sign(request, canonical),
        "authorization": authorization,
    }


json.dump({"generator": f"botocore {botocore.__version__}", "cases": [case(*c) for c in CASES]}, sys.stdout, indent=2,
          ensure_ascii=False)
sys.stdout.write("\n")
