#!/usr/bin/env python3
"""A DNS server on loopback for the tests of 'fpkit posture': nsd, from
Debian, serving zone data the test gives, behind a small forwarder that
drops the queries for the names that must time out.

  dnsfix.py serve DIR RECORDS
      RECORDS: one record a line, "NAME TYPE DATA" in zone-file syntax
      (names absolute, without the final dot), or "NAME TIMEOUT" (no
      answer, ever, to any query for NAME), or "NAME SERVFAIL"
      (a zone nsd is told to serve but cannot load: it answers SERVFAIL).
      Writes DIR/port once the server answers; runs until SIGTERM, then
      stops nsd by its pid.
  dnsfix.py suite YAML SPFEVAL
      The RFC 7208 test suite: each scenario's zone data served as above,
      each case given to SPFEVAL (tests/helpers/spfeval.c); prints
      "ok"/"not ok" a case, and the counts.

All the names live in one zone, the root: a name given no record is
NXDOMAIN, a name given records of other types NODATA.  Nothing here asks
any server but its own nsd.
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time


def free_port():
    """A port free for both UDP and TCP on loopback, as nsd binds both."""
    while True:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()


def die_with_parent():
    """In nsd's child, before exec: SIGTERM when this script dies, so
    that a test killed midway leaves no server behind (prctl
    PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def escape_name(name):
    """A name for the zone file: every byte but letters, digits, '-',
    '_' and a lone '*' label as \\DDD."""
    name = name.rstrip(".")
    if not name:
        return "."
    labels = []
    for label in name.split("."):
        if label == "*":
            labels.append("*")
            continue
        out = ""
        for b in label.encode("utf-8"):
            c = chr(b)
            out += c if (c.isascii() and (c.isalnum() or c in "-_")) else "\\%03d" % b
        labels.append(out)
    return ".".join(labels) + "."


def escape_string(s):
    out = '"'
    for b in s.encode("utf-8") if isinstance(s, str) else s:
        c = chr(b)
        out += c if (0x20 <= b < 0x7F and c not in '"\\') else "\\%03d" % b
    return out + '"'


def txt_data(value):
    """TXT strings: a list as given, a long string cut in 255-byte parts."""
    if isinstance(value, list):
        parts = value or [""]
    else:
        raw = value.encode("utf-8")
        parts = [raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""]
    return " ".join(escape_string(p) for p in parts)


class Server:
    """nsd on a free loopback port, and the forwarder on another."""

    def __init__(self, workdir, zone_lines, broken=(), drop=()):
        self.dir = os.path.abspath(workdir)
        os.makedirs(self.dir, exist_ok=True)
        # name -> the query types still answered (the types it has).
        self.drop = {d.lower().rstrip("."): set(t) for d, t in
                     (drop.items() if isinstance(drop, dict) else ((d, ()) for d in drop))}
        # Another program may take the port between free_port() and
        # nsd's start: then nsd exits, and starts again on another.
        for attempt in range(5):
            self.nsd_port = free_port()
            self.start_nsd(zone_lines, broken)
            if self.wait_ready(last=attempt == 4):
                break
        # The forwarder: UDP and TCP on one port.
        while True:
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind(("127.0.0.1", 0))
            self.port = self.udp.getsockname()[1]
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                self.tcp.bind(("127.0.0.1", self.port))
                break
            except OSError:
                self.tcp.close()
                self.udp.close()
        self.tcp.listen(16)
        threading.Thread(target=self.serve_udp, daemon=True).start()
        threading.Thread(target=self.serve_tcp, daemon=True).start()

    def start_nsd(self, zone_lines, broken):
        with open(os.path.join(self.dir, "root.zone"), "w") as f:
            f.write("$TTL 300\n. IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300\n"
                    ". IN NS ns.test.\n")
            for line in zone_lines:
                f.write(line + "\n")
        conf = os.path.join(self.dir, "nsd.conf")
        with open(conf, "w") as f:
            f.write('server:\n  ip-address: 127.0.0.1@%d\n  username: ""\n'
                    '  zonesdir: "%s"\n  database: ""\n  pidfile: "%s/nsd.pid"\n'
                    '  xfrdfile: "%s/xfrd.state"\n  zonelistfile: "%s/zone.list"\n'
                    '  logfile: "%s/nsd.log"\n  chroot: ""\n  server-count: 1\n'
                    '  verbosity: 1\n  hide-version: yes\n'
                    'remote-control:\n  control-enable: no\n'
                    'zone:\n  name: "."\n  zonefile: "root.zone"\n'
                    % ((self.nsd_port,) + (self.dir,) * 5))
            for b in broken:
                # A zone whose file is absent: nsd answers SERVFAIL.
                f.write('zone:\n  name: "%s"\n  zonefile: "absent-%s.zone"\n' % (b, b))
        # -d: nsd stays in the foreground, our child, stopped by its pid.
        self.nsd = subprocess.Popen(["nsd", "-d", "-c", conf], preexec_fn=die_with_parent,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def query(self, name, qtype=1, port=None):
        pkt = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
        pkt += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l)
        pkt += b"\0" + struct.pack(">HH", qtype, 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.5)
        try:
            s.sendto(pkt, ("127.0.0.1", port or self.nsd_port))
            return s.recv(4096)
        finally:
            s.close()

    def wait_ready(self, last):
        """True once nsd answers; False when it exited (and LAST is
        false: another port is tried)."""
        for _ in range(100):
            if self.nsd.poll() is not None:
                if not last:
                    return False
                sys.exit("dnsfix: nsd exited (%s): %s" % (self.nsd.returncode, self.log()))
            try:
                self.query("ns.test")
                return True
            except OSError:
                time.sleep(0.1)
        self.nsd.kill()
        sys.exit("dnsfix: nsd does not answer: %s" % self.log())

    def log(self):
        try:
            with open(os.path.join(self.dir, "nsd.log")) as f:
                return f.read()[-2000:]
        except OSError:
            return "no log"

    def dropped(self, msg):
        """True when the query's name is one to drop."""
        try:
            i, labels = 12, []
            while msg[i]:
                labels.append(msg[i + 1:i + 1 + msg[i]].decode("latin-1").lower())
                i += 1 + msg[i]
            qtype = struct.unpack(">H", msg[i + 1:i + 3])[0]
        except (IndexError, struct.error):
            return True
        name = ".".join(labels)
        return name in self.drop and qtype not in self.drop[name]

    def serve_udp(self):
        while True:
            try:
                msg, peer = self.udp.recvfrom(65535)
            except OSError:
                return
            if self.dropped(msg):
                continue
            up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            up.settimeout(2)
            try:
                up.sendto(msg, ("127.0.0.1", self.nsd_port))
                self.udp.sendto(up.recv(65535), peer)
            except OSError:
                pass
            finally:
                up.close()

    def serve_tcp(self):
        while True:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            threading.Thread(target=self.tcp_one, args=(conn,), daemon=True).start()

    @staticmethod
    def read_msg(s):
        head = b""
        while len(head) < 2:
            chunk = s.recv(2 - len(head))
            if not chunk:
                return None
            head += chunk
        n, body = struct.unpack(">H", head)[0], b""
        while len(body) < n:
            chunk = s.recv(n - len(body))
            if not chunk:
                return None
            body += chunk
        return body

    def tcp_one(self, conn):
        with conn:
            while True:
                msg = self.read_msg(conn)
                if msg is None:
                    return
                if self.dropped(msg):
                    continue
                with socket.create_connection(("127.0.0.1", self.nsd_port), timeout=2) as up:
                    up.sendall(struct.pack(">H", len(msg)) + msg)
                    ans = self.read_msg(up)
                if ans is not None:
                    conn.sendall(struct.pack(">H", len(ans)) + ans)

    def stop(self):
        os.kill(self.nsd.pid, signal.SIGTERM)
        self.nsd.wait()
        self.udp.close()
        self.tcp.close()


def serve(workdir, records):
    lines, broken, drop = [], [], []
    with open(records) as f:
        for line in f:
            parts = line.split(None, 2)
            if not parts or parts[0].startswith("#"):
                continue
            if parts[1] == "TIMEOUT":
                drop.append(parts[0])
            elif parts[1] == "SERVFAIL":
                broken.append(parts[0])
            else:
                lines.append("%s IN %s %s" % (escape_name(parts[0]), parts[1], parts[2].strip()))
    server = Server(workdir, lines, broken, drop)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    with open(os.path.join(workdir, "port.tmp"), "w") as f:
        f.write("%d\n" % server.port)
    os.rename(os.path.join(workdir, "port.tmp"), os.path.join(workdir, "port"))
    done.wait()
    server.stop()


def suite_zone(zonedata):
    """The suite's zone data as zone-file lines, and the names to drop
    with the types they still answer.  As the suite's drivers do, a name
    with SPF records and no TXT gets its SPF records as TXT too; a
    TIMEOUT name times out for the types it has no record of."""
    codes = {"A": 1, "MX": 15, "PTR": 12, "CNAME": 5, "TXT": 16, "AAAA": 28, "SPF": 99}
    lines, drop = [], {}
    for name, records in zonedata.items():
        # TXT: NONE: no TXT record, and none copied from SPF.
        named = {list(r)[0] for r in records if isinstance(r, dict)}
        types = {list(r)[0] for r in records if isinstance(r, dict) and list(r.values())[0] != "NONE"}
        for r in records:
            if r == "TIMEOUT":
                drop[name.lower()] = {codes[t] for t in types}
                continue
            rtype, value = list(r.items())[0]
            if value == "NONE":
                continue
            owner = escape_name(name)
            if rtype in ("TXT", "SPF"):
                lines.append("%s IN %s %s" % (owner, rtype, txt_data(value)))
                if rtype == "SPF" and "TXT" not in named:
                    lines.append("%s IN TXT %s" % (owner, txt_data(value)))
            elif rtype == "MX":
                lines.append("%s IN MX %d %s" % (owner, value[0], escape_name(value[1])))
            elif rtype in ("PTR", "CNAME"):
                lines.append("%s IN %s %s" % (owner, rtype, escape_name(value)))
            else:
                lines.append("%s IN %s %s" % (owner, rtype, value))
    return lines, drop


def suite(path, spfeval):
    import yaml

    passed = failed = 0
    deviations = []
    for n, doc in enumerate(yaml.safe_load_all(open(path, encoding="utf-8"))):
        lines, drop = suite_zone(doc.get("zonedata") or {})
        workdir = os.path.join(os.environ.get("TMPDIR", "/tmp"), "spfsuite.%d.%d" % (os.getpid(), n))
        server = Server(workdir, lines, drop=drop)
        try:
            names = sorted(doc["tests"])
            cases = "".join("%s\t%s\t%s\n" % (doc["tests"][t]["host"], doc["tests"][t].get("mailfrom", ""),
                                               doc["tests"][t].get("helo", "")) for t in names)
            out = subprocess.run([spfeval, "127.0.0.1:%d" % server.port], input=cases,
                                 capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit("dnsfix: spfeval failed (%d): %s" % (out.returncode, out.stderr))
            answers = out.stdout.splitlines()
        finally:
            server.stop()
            subprocess.run(["rm", "-rf", workdir])
        for name, answer in zip(names, answers):
            t = doc["tests"][name]
            got, exp, mech, why = answer.split("\t")
            want = t["result"] if isinstance(t["result"], list) else [t["result"]]
            ok = got in want
            # A given explanation must be found; "DEFAULT" leaves it to
            # the implementation.
            if ok and t.get("explanation") not in (None, "DEFAULT") and exp != t["explanation"]:
                ok = False
            if ok:
                passed += 1
                print("ok - %s: %s" % (name, got))
            else:
                failed += 1
                deviations.append(name)
                print("not ok - %s (%s, spec %s): got %s (explanation %r, mechanism %s, %s), want %s%s"
                      % (name, doc["description"], t.get("spec"), got, exp, mech, why, "/".join(want),
                         " with explanation %r" % t["explanation"] if t.get("explanation") else ""))
    print("suite: %d cases, %d pass, %d deviate%s" % (passed + failed, passed, failed,
                                                     (": " + " ".join(deviations)) if deviations else ""))
    return failed


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "suite":
        suite(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
