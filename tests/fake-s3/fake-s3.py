#!/usr/bin/env python3
"""fake-s3.py - fpkit's own S3-compatible stand-in for the tests, on
loopback, for what s3rver does not do: it checks the AWS Signature V4 of
every request (path-style), the payload against x-amz-content-sha256 and
Content-MD5, keeps or refuses Object Lock headers (and wants Content-MD5
with them, as S3 does), honours If-None-Match: *, pages ListObjectsV2
with continuation tokens that need encoding, and injects faults.

Usage: fake-s3.py --port-file FILE --access-key AK --secret-key SK
                  --region REGION [--log FILE] [--no-lock] [--max-keys N]
                  [--bucket-region REGION] [--fault KIND:SUBSTR:N]...
  --bucket-region  a request signed for another region gets 301
              PermanentRedirect with x-amz-bucket-region, as AWS answers
  --no-lock   a bucket without Object Lock: lock headers get 400
              InvalidRequest, as S3 answers
  --fault     the Nth PUT whose key holds SUBSTR gets KIND: 503 (the body
              read, nothing stored, 503 SlowDown), cut (the object stored,
              then the connection closed without an answer), drop (the
              connection closed in the middle of the body, nothing stored)
Each request is one JSON line of the log: method, key, query, status,
and the headers that matter.  Stopped with SIGTERM.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import signal
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--access-key", required=True)
ap.add_argument("--secret-key", required=True)
ap.add_argument("--region", required=True)
ap.add_argument("--log")
ap.add_argument("--no-lock", action="store_true")
ap.add_argument("--max-keys", type=int, default=1000)
ap.add_argument("--bucket-region")
ap.add_argument("--fault", action="append", default=[])
opt = ap.parse_args()

store = {}          # (bucket, key) -> dict(body, meta, lock)
lock = threading.Lock()
faults = []
for f in opt.fault:
    kind, sub, n = f.split(":")
    faults.append({"kind": kind, "sub": sub, "n": int(n), "seen": 0})
logf = open(opt.log, "a") if opt.log else None


def quote(s, safe="-_.~"):
    return urllib.parse.quote(s, safe=safe)


def hm(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def xml_error(code, message):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code>'
            '<Message>%s</Message></Error>' % (code, message)).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body=b"", headers=None, entry=None):
        if entry is not None:
            entry["status"] = status
            self.log(entry)
        self.send_response(status)
        headers = dict(headers or {})
        length = headers.pop("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log(self, entry):
        if logf:
            with lock:
                logf.write(json.dumps(entry) + "\n")
                logf.flush()

    def check_signature(self, body):
        """None when the request is signed right, else (status, code, msg)."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return (403, "AccessDenied", "no SigV4 Authorization")
        parts = dict(p.strip().split("=", 1) for p in auth[17:].split(","))
        cred = parts["Credential"].split("/")
        signed = parts["SignedHeaders"].split(";")
        if cred[0] != opt.access_key:
            return (403, "InvalidAccessKeyId", "unknown access key")
        if opt.bucket_region and cred[2] != opt.bucket_region:
            return (301, "PermanentRedirect", "The bucket you are attempting to access must "
                    "be addressed using the specified endpoint.")
        if cred[2] != opt.region or cred[3] != "s3":
            return (400, "AuthorizationHeaderMalformed", "region '%s' is wrong" % cred[2])
        sha = self.headers.get("x-amz-content-sha256")
        if sha is None:
            return (400, "InvalidRequest", "x-amz-content-sha256 is required")
        if sha != hashlib.sha256(body).hexdigest():
            return (400, "XAmzContentSHA256Mismatch", "the payload hash does not match")
        for h in ("host", "x-amz-date", "x-amz-content-sha256"):
            if h not in signed:
                return (403, "AccessDenied", "%s is not signed" % h)
        url = urllib.parse.urlsplit(self.path)
        pairs = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        cq = "&".join("%s=%s" % (quote(k), quote(v)) for k, v in sorted(pairs))
        ch = "".join("%s:%s\n" % (h, " ".join(self.headers.get(h, "").split()))
                     for h in signed)
        canon = "\n".join([self.command, quote(urllib.parse.unquote(url.path), "/-_.~"), cq,
                           ch, ";".join(signed), sha])
        date = self.headers.get("x-amz-date", "")
        sts = "\n".join(["AWS4-HMAC-SHA256", date, "/".join(cred[1:]),
                         hashlib.sha256(canon.encode()).hexdigest()])
        k = hm(("AWS4" + opt.secret_key).encode(), cred[1])
        k = hm(hm(hm(k, cred[2]), cred[3]), "aws4_request")
        if hmac.new(k, sts.encode(), hashlib.sha256).hexdigest() != parts["Signature"]:
            return (403, "SignatureDoesNotMatch", "the signature does not match")
        return None

    def handle_any(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path).lstrip("/")
        host = self.headers.get("Host", "").rsplit(":", 1)[0]
        if host.endswith(".localhost"):
            # Virtual-host style: BUCKET.localhost (curl takes any name
            # under localhost to loopback).
            bucket, key = host[:-len(".localhost")], path
        else:
            bucket, _, key = path.partition("/")
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        entry = {"method": self.command, "bucket": bucket, "key": key, "query": query,
                 "host": host}
        for h in ("If-None-Match", "Content-MD5", "x-amz-object-lock-mode",
                  "x-amz-object-lock-retain-until-date", "x-amz-security-token"):
            if self.headers.get(h) is not None:
                entry[h.lower()] = self.headers.get(h)
        fault = None
        if self.command == "PUT":
            with lock:
                for f in faults:
                    if f["sub"] in key:
                        f["seen"] += 1
                        if f["seen"] == f["n"]:
                            fault = f["kind"]
        if fault == "drop":
            # The connection lost in the middle of the upload: half the
            # body read, nothing stored, no answer.
            self.rfile.read(n // 2)
            entry["fault"] = "drop"
            entry["status"] = 0
            self.log(entry)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        body = self.rfile.read(n) if n else b""
        bad = self.check_signature(body)
        if bad:
            h = {"Content-Type": "application/xml"}
            if bad[0] == 301:
                h["x-amz-bucket-region"] = opt.bucket_region
            return self.answer(bad[0], xml_error(bad[1], bad[2]), h, entry)
        if self.command == "PUT":
            return self.put(bucket, key, body, entry, fault)
        if self.command in ("GET", "HEAD") and key:
            with lock:
                obj = store.get((bucket, key))
            if obj is None:
                return self.answer(404, xml_error("NoSuchKey", "no such key"),
                                   {"Content-Type": "application/xml"}, entry)
            h = {"Content-Type": obj["type"], "ETag": '"%s"' % hashlib.md5(obj["body"]).hexdigest()}
            for m, v in obj["meta"].items():
                h["x-amz-meta-" + m] = v
            if obj["lock"]:
                h["x-amz-object-lock-mode"] = obj["lock"][0]
                h["x-amz-object-lock-retain-until-date"] = obj["lock"][1]
            if self.command == "HEAD":
                h["Content-Length"] = str(len(obj["body"]))
            return self.answer(200, obj["body"], h, entry)
        if self.command == "GET" and query.get("list-type") == "2":
            return self.listing(bucket, query, entry)
        return self.answer(400, xml_error("NotImplemented", "not in fake-s3"), {}, entry)

    def put(self, bucket, key, body, entry, fault):
        md5 = self.headers.get("Content-MD5")
        if md5 is not None and md5 != base64.b64encode(hashlib.md5(body).digest()).decode():
            return self.answer(400, xml_error("BadDigest", "Content-MD5 does not match"),
                               {}, entry)
        mode = self.headers.get("x-amz-object-lock-mode")
        until = self.headers.get("x-amz-object-lock-retain-until-date")
        if mode or until:
            if opt.no_lock:
                return self.answer(400, xml_error("InvalidRequest", "Bucket is missing "
                                                  "Object Lock Configuration"), {}, entry)
            if md5 is None:
                return self.answer(400, xml_error("InvalidRequest", "Content-MD5 HTTP header "
                                                  "is required for Put Object requests with "
                                                  "Object Lock parameters"), {}, entry)
            if mode not in ("GOVERNANCE", "COMPLIANCE") or not until:
                return self.answer(400, xml_error("InvalidArgument", "bad lock"), {}, entry)
        with lock:
            if self.headers.get("If-None-Match") == "*" and (bucket, key) in store \
                    and fault is None:
                entry["status"] = 412
                taken = True
            else:
                taken = False
                if fault != "503":
                    meta = {h[11:].lower(): v for h, v in self.headers.items()
                            if h.lower().startswith("x-amz-meta-")}
                    store[(bucket, key)] = {"body": body, "meta": meta,
                                            "type": self.headers.get("Content-Type", ""),
                                            "lock": (mode, until) if mode else None}
        if taken:
            return self.answer(412, xml_error("PreconditionFailed", "the key exists"), {},
                               entry)
        if fault == "503":
            entry["fault"] = "503"
            return self.answer(503, xml_error("SlowDown", "please reduce your request rate"),
                               {}, entry)
        if fault == "cut":
            entry["fault"] = "cut"
            entry["status"] = 0
            self.log(entry)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        return self.answer(200, b"", {"ETag": '"%s"' % hashlib.md5(body).hexdigest()}, entry)

    def listing(self, bucket, query, entry):
        prefix = query.get("prefix", "")
        with lock:
            keys = sorted(k for (b, k) in store if b == bucket and k.startswith(prefix))
        start = query.get("continuation-token")
        if start:
            after = base64.b64decode(start).decode()
            keys = [k for k in keys if k > after]
        page, more = keys[:opt.max_keys], len(keys) > opt.max_keys
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult '
               'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>%s</Name>'
               '<Prefix>%s</Prefix><KeyCount>%d</KeyCount><IsTruncated>%s</IsTruncated>'
               % (bucket, prefix, len(page), "true" if more else "false")]
        for k in page:
            out.append("<Contents><Key>%s</Key><Size>%d</Size></Contents>"
                       % (k, len(store[(bucket, k)]["body"])))
        if more:
            # Tokens with '+', '/' and '=' : they must be encoded to be signed.
            tok = base64.b64encode(("%s" % page[-1]).encode()).decode()
            out.append("<NextContinuationToken>%s</NextContinuationToken>" % tok)
        out.append("</ListBucketResult>")
        return self.answer(200, "".join(out).encode(), {"Content-Type": "application/xml"},
                           entry)

    do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
signal.signal(signal.SIGTERM, lambda *a: (server.server_close(), sys.exit(0)))
with open(opt.port_file + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(opt.port_file + ".tmp", opt.port_file)
server.serve_forever()
