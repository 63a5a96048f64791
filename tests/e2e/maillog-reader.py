#!/usr/bin/env python3
"""A second reading of mail logs, independent of fpkit.

Usage: maillog-reader.py STATS.json UTC_OFFSET YEAR LOG...

For each Message-ID of STATS.json (an OVH SpamStats array), prints as
JSON what the logs say of its delivery, in the shape of summary.json's
targets (message_id, log_file, delivery), each target with the lines of
its queues ("excerpt": "FILE:LINE: text", as fpkit's logs/ files show
them), then what each log is (file, compression, lines, long_lines).
Stamps without a zone (classic syslog, Exim's own log) are local time at
UTC_OFFSET ("+01:00") in YEAR.  Written from the MTAs' log formats, not
from maillog.c, for the fixtures of fixtures/maillog/ (their README says
what each exercises):

- Postfix: a queue is announced by "QID: message-id=<ID>" (cleanup);
  its lines are those of the same host that start "QID: ", from the
  line after the queue id's previous "removed" up to its next one;
- Exim: by "EXIMID <= sender ... id=ID" (id= outside the quoted
  subject); its lines start with EXIMID, up to "Completed";
- Sendmail: by "QID: from=<...>, ..., msgid=<ID>"; its lines start with
  "QID: " on that host, up to the queue id's next from= (Sendmail logs
  no end);
- a line longer than 16384 bytes is no line (fpkit's documented limit).
"""

import gzip
import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone

LINE_LIMIT = 16384
MONTHS = {m: i + 1 for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}


def open_log(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        return "gzip", gzip.decompress(raw)
    if raw[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd", subprocess.run(["zstd", "-dc", path], check=True,
                                      stdout=subprocess.PIPE).stdout
    return None, raw


def shown(b):
    """A line as logs/ shows it: control bytes and bytes that are not
    UTF-8 as \\xHH."""
    out, i = [], 0
    while i < len(b):
        c = b[i]
        if c >= 0x80:
            for n in (4, 3, 2):
                try:
                    out.append(b[i:i + n].decode("utf-8"))
                    i += n
                    break
                except UnicodeDecodeError:
                    continue
            else:
                out.append("\\x%02x" % c)
                i += 1
            continue
        out.append("\\x%02x" % c if c < 0x20 or c == 0x7f else chr(c))
        i += 1
    return "".join(out)


class Line:
    """One log line: time (UTC), host, program, and the rest."""

    PREFIXES = [
        # RFC 5424: <PRI>1 TIME HOST APP PID MSGID SD MSG
        re.compile(r"<\d+>1 (?P<t>\S+) (?P<host>\S+) (?P<prog>\S+) \S+ \S+ "
                   r"(?:-|(?:\[[^\]]*\])+) (?P<msg>.*)"),
        # rsyslog high precision: TIME HOST PROG[PID]: MSG
        re.compile(r"(?P<t>\d{4}-\d\d-\d\dT\S+) (?P<host>\S+) (?P<prog>[^\[: ]+)"
                   r"(?:\[\d+\])?: (?P<msg>.*)"),
        # classic syslog: Mon DD HH:MM:SS HOST PROG[PID]: MSG
        re.compile(r"(?P<t>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?P<host>\S+) "
                   r"(?P<prog>[^\[: ]+)(?:\[\d+\])?: (?P<msg>.*)"),
        # Exim's own log: YYYY-MM-DD HH:MM:SS [PID] MSG
        re.compile(r"(?P<t>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (?:\[\d+\] )?(?P<msg>.*)"),
    ]

    def __init__(self, text, offset, year):
        self.text = text
        self.host = self.prog = None
        self.msg = None
        self.time = None
        for p in self.PREFIXES:
            m = p.fullmatch(text)
            if m:
                d = m.groupdict()
                self.host = d.get("host")
                self.prog = d.get("prog") or "exim"
                self.msg = d["msg"]
                self.time = when(d["t"], offset, year)
                break


def when(t, offset, year):
    """A stamp as UTC 'YYYY-MM-DDTHH:MM:SSZ' (fractions dropped)."""
    sign = 1 if offset[0] == "+" else -1
    local = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.\d+)?"
                     r"(Z|[+-]\d\d:\d\d)?", t)
    if m:
        y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
        z = m.group(7)
        if z is None:
            tz = local
        elif z == "Z":
            tz = timezone.utc
        else:
            tz = timezone((1 if z[0] == "+" else -1) *
                          timedelta(hours=int(z[1:3]), minutes=int(z[4:6])))
    else:
        mon, d, hms = t.split()
        y, mo, d = year, MONTHS[mon], int(d)
        h, mi, s = (int(x) for x in hms.split(":"))
        tz = local
    u = datetime(y, mo, d, h, mi, s, tzinfo=tz).astimezone(timezone.utc)
    return u.strftime("%Y-%m-%dT%H:%M:%SZ")


def norm(mid):
    """A Message-ID for comparing: no brackets, domain in lower case."""
    mid = mid.strip().strip("<>")
    local, at, domain = mid.rpartition("@")
    return (local + at + domain.lower()) if at else mid


def dsn_in(text):
    m = re.search(r"\b([245]\.\d{1,3}\.\d{1,3})\b", text)
    return m.group(1) if m else None


def exim_fields(rest):
    """KEY=value fields of an Exim line (values run to the next KEY=)."""
    fields = {}
    for m in re.finditer(r'(?:^| )([A-Za-z]{1,2})=("(?:[^"\\]|\\.)*"|.*?)(?= [A-Za-z]{1,2}=| for |$)',
                         rest):
        fields.setdefault(m.group(1), m.group(2))
    return fields


def postfix_queue(lines, i, qid, host):
    start = i
    while start > 0:
        ln = lines[start - 1][1]
        if ln.host == host and ln.msg and ln.msg.startswith(qid + ": "):
            if ln.msg == qid + ": removed":
                break
        start -= 1
    end, complete = i, False
    while end + 1 < len(lines):
        end += 1
        ln = lines[end][1]
        if ln.host == host and ln.msg == qid + ": removed":
            complete = True
            break
    members = [(n, ln) for n, ln in lines[start:end + 1]
               if ln.host == host and ln.msg and ln.msg.startswith(qid + ": ")]
    facts = {"queue_id": qid, "mta": "postfix", "host": host, "from": None, "client": None,
             "recipients": [], "complete": complete}
    for n, ln in members:
        rest = ln.msg[len(qid) + 2:]
        if ln.prog.endswith("/qmgr") and rest.startswith("from=<"):
            facts["from"] = rest[6:rest.index(">")]
        elif ln.prog.endswith("/smtpd") and rest.startswith("client="):
            facts["client"] = rest[7:].split(",")[0]
        m = re.match(r"to=<([^>]*)>, relay=([^,]*), .*?dsn=([^,]*), status=(\w+) \((.*)\)$", rest)
        if m:
            facts["recipients"].append({"to": m.group(1), "relay": m.group(2),
                                        "status": m.group(4), "dsn": m.group(3),
                                        "detail": m.group(5), "time": ln.time})
    return facts, members


def exim_queue(lines, i, eid):
    members, complete = [], False
    for n, ln in lines[i:]:
        if ln.msg and ln.msg.split(" ")[0] == eid:
            members.append((n, ln))
            if ln.msg == eid + " Completed":
                complete = True
                break
    first = members[0][1]
    f = exim_fields(first.msg.split(" <= ", 1)[1].split(" ", 1)[1])
    facts = {"queue_id": eid, "mta": "exim", "host": first.host,
             "from": first.msg.split(" <= ", 1)[1].split(" ")[0],
             "client": f.get("H"), "recipients": [], "complete": complete}
    for n, ln in members:
        m = re.match(re.escape(eid) + r" (=>|\*\*|==) (\S+) (.*)$", ln.msg)
        if not m:
            continue
        flag, to, rest = m.groups()
        f = exim_fields(rest)
        host = f.get("H", "")
        if flag == "=>":
            detail = f.get("C", "").strip('"')
            relay = host.split(" X=")[0]
        else:
            relay, _, detail = host.partition("]: ")
            relay += "]"
        facts["recipients"].append({
            "to": to, "relay": relay,
            "status": {"=>": "sent", "**": "bounced", "==": "deferred"}[flag],
            "dsn": dsn_in(detail), "detail": detail, "time": ln.time})
    return facts, members


def sendmail_queue(lines, i, qid, host):
    members = [lines[i]]
    for n, ln in lines[i + 1:]:
        if ln.host == host and ln.msg and ln.msg.startswith(qid + ": "):
            if ln.msg.startswith(qid + ": from="):
                break
            members.append((n, ln))
    first = members[0][1].msg
    facts = {"queue_id": qid, "mta": "sendmail", "host": host,
             "from": re.search(r"from=<([^>]*)>", first).group(1),
             "client": re.search(r", relay=(.*?)(?:, \w+=|$)", first).group(1),
             "recipients": [], "complete": None}
    for n, ln in members:
        m = re.match(re.escape(qid) + r": to=(.*?), delay=.*?, relay=([^,]*), dsn=([^,]*), stat=(.*)$",
                     ln.msg)
        if not m:
            continue
        dsn = m.group(3)
        status = {"2": "sent", "4": "deferred", "5": "bounced"}[dsn[0]]
        for to in re.findall(r"<([^>]*)>", m.group(1)):
            facts["recipients"].append({"to": to, "relay": m.group(2), "status": status,
                                        "dsn": dsn, "detail": m.group(4), "time": ln.time})
    return facts, members


def main():
    stats, offset, year = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ids = [s["messageId"] for e in json.load(open(stats)) for s in e["detectedSpams"]]
    logs, lines = [], []          # lines: (file, lineno), Line
    for path in sys.argv[4:]:
        comp, data = open_log(path)
        raw = data.split(b"\n")
        if raw and raw[-1] == b"":
            raw.pop()
        long_lines = 0
        for n, b in enumerate(raw, 1):
            if len(b) > LINE_LIMIT:
                long_lines += 1
                continue
            lines.append(((path, n), Line(shown(b.rstrip(b"\r")), offset, year)))
        logs.append({"file": path, "compression": comp, "lines": len(raw),
                     "long_lines": long_lines})
    targets = []
    for k, mid in enumerate(ids, 1):
        want = norm(mid)
        delivery, excerpt = [], []
        for i, ((path, n), ln) in enumerate(lines):
            if not ln.msg:
                continue
            facts = None
            m = re.match(r"(\w+): message-id=<([^>]*)>$", ln.msg)
            if m and ln.prog.endswith("/cleanup") and norm(m.group(2)) == want:
                facts, members = postfix_queue(lines, i, m.group(1), ln.host)
            m = re.match(r"(\S+) <= (.*)$", ln.msg)
            if m and not facts:
                unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', m.group(2))
                idm = re.search(r" id=(\S+)", unquoted)
                if idm and norm(idm.group(1)) == want:
                    facts, members = exim_queue(lines, i, m.group(1))
            m = re.match(r"(\w+): from=<[^>]*>, .*msgid=<([^>]*)>", ln.msg)
            if m and not facts and norm(m.group(2)) == want:
                facts, members = sendmail_queue(lines, i, m.group(1), ln.host)
            if facts:
                facts.update({"time": ln.time, "source": path, "line": n})
                delivery.append(facts)
                excerpt += ["%s:%d: %s" % (p, ln_n, m_ln.text) for (p, ln_n), m_ln in members]
        name = "logs/%02d-%s.log" % (k, mid.strip().strip("<>")) if delivery else None
        targets.append({"message_id": mid.strip().strip("<>"), "log_file": name,
                        "delivery": delivery, "excerpt": excerpt})
    json.dump({"targets": targets, "maillogs": logs}, sys.stdout, indent=2, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
