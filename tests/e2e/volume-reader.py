#!/usr/bin/env python3
"""A second count of the mail sent before a block, independent of fpkit.

Usage: volume-reader.py BLOCK UTC_OFFSET [--host NAME] LOG...

Prints, as JSON, what summary.json's "volume" should say of the logs
(plain, gzip or zstd) for a block at BLOCK (ISO 8601): the mail the MTA handed,
or tried to hand, to a remote SMTP server in the 24 hours before it.
Stamps without a zone are local time at UTC_OFFSET ("+01:00"); a classic
stamp takes the year that puts it nearest to the block.  Written from
the rules fpkit(1) states and the MTAs' log formats, not from volume.c:

- remote: Postfix, a delivery line of a transport other than local,
  virtual, lmtp, pipe, error, retry, discard, with relay=none or
  relay=host[address]:port; Exim, a delivery line (=>, ->, ==, **) with
  H=host [address]; Sendmail, mailer=esmtp, smtp, smtp8, dsmtp or relay
  with no address or one; an address that is loopback, private, shared,
  link-local, multicast or unspecified is not remote;
- a message is the lines of a queue id on a host up to Postfix's
  "removed", Exim's "Completed", or Sendmail's next "from=";
- a recipient counts once, in the hour of its first remote attempt in the
  window, under its last status in the window (Postfix's "from=...,
  status=expired" bounces the deferred ones); a message counts once, in
  the hour of its first remote attempt in the window;
- the window is [BLOCK - 24 h, BLOCK), in 24 one-hour slots;
- complete: the logs have a line at or before the window's start and one
  at or after its end.
"""

import gzip
import ipaddress
import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone

MONTHS = {m: i + 1 for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
LINE = [
    re.compile(r"<\d+>1 (?P<t>\S+) (?P<host>\S+) (?P<prog>\S+) \S+ \S+ "
               r"(?:-|(?:\[[^\]]*\])+) (?P<msg>.*)"),
    re.compile(r"(?P<t>\d{4}-\d\d-\d\dT\S+) (?P<host>\S+) (?P<prog>[^\[: ]+)"
               r"(?:\[\d+\])?: (?P<msg>.*)"),
    re.compile(r"(?P<t>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?P<host>\S+) "
               r"(?P<prog>[^\[: ]+)(?:\[\d+\])?: (?P<msg>.*)"),
    re.compile(r"(?P<t>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [+-]\d{4})?) (?:\[\d+\] )?(?P<msg>.*)"),
]
NOT_REMOTE = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3", "::/127", "fc00::/7", "fe80::/10",
    "ff00::/8")]
POSTFIX_LOCAL = {"local", "virtual", "lmtp", "pipe", "error", "retry", "discard", "qmgr"}
SENDMAIL_SMTP = {"esmtp", "smtp", "smtp8", "dsmtp", "relay"}
EXIM_ID = r"[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}"


def iso(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(t, local, block):
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.\d+)?"
                     r" ?(Z|[+-]\d\d:?\d\d)?", t)
    if m:
        y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
        z = m.group(7)
        if z is None:
            tz = local
        elif z == "Z":
            tz = timezone.utc
        else:
            z = z.replace(":", "")
            tz = timezone((1 if z[0] == "+" else -1) *
                          timedelta(hours=int(z[1:3]), minutes=int(z[3:5])))
        return datetime(y, mo, d, h, mi, s, tzinfo=tz)
    mon, d, hms = t.split()
    h, mi, s = (int(x) for x in hms.split(":"))
    years = [datetime(y, MONTHS[mon], int(d), h, mi, s, tzinfo=local)
             for y in (block.year - 1, block.year, block.year + 1)]
    return min(years, key=lambda c: abs(c - block))


def public(addr):
    try:
        a = ipaddress.ip_address(addr)
    except ValueError:
        return False
    if a.version == 6 and a.ipv4_mapped:
        a = a.ipv4_mapped
    return not any(a.version == n.version and a in n for n in NOT_REMOTE)


def bracketed(text):
    m = re.search(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\](?!.*\[)", text or "")
    return m.group(1) if m else None


def fields(text):
    """Postfix's and Sendmail's 'k=v, ' fields; status=/stat= run to the end."""
    out = {}
    while text:
        m = re.match(r"(\w+)=", text)
        if not m:
            break
        key = m.group(1)
        rest = text[m.end():]
        if key in ("status", "stat"):
            out.setdefault(key, rest)
            break
        if rest.startswith("<"):
            end = rest.find(">")
            # Sendmail: several <addr> joined by commas
            while end >= 0 and rest[end + 1:end + 2] == "," and rest[end + 2:end + 3] == "<":
                end = rest.find(">", end + 2)
            val, text = rest[:end + 1], rest[end + 1:]
            text = text[2:] if text.startswith(", ") else text
        else:
            val, _, text = rest.partition(", ")
        out.setdefault(key, val)
    return out


def delivery(line):
    """(qid, mta, recipients, status, remote, kind) of a line, or None."""
    msg = line["msg"]
    m = re.match(r"(" + EXIM_ID + r") (=>|->|==|\*\*|\*>) (\S+)(.*)$", msg)
    if m:
        eid, mark, who, rest = m.groups()
        if mark == "*>":
            return None
        status = {"=>": "sent", "->": "sent", "==": "deferred", "**": "bounced"}[mark]
        h = re.search(r" H=\S*(?: \([^)]*\))? \[([0-9A-Fa-f:.]+)\]", rest)
        return eid, "exim", [who.rstrip(":")], status, bool(h and public(h.group(1)))
    m = re.match(r"(\w{5,32}): (to=.*)$", msg)
    if not m:
        return None
    qid, f = m.group(1), fields(m.group(2))
    rcpts = re.findall(r"<([^>]*)>", f.get("to", ""))
    if "/" in line["prog"]:
        if "status" not in f:
            return None
        status = f["status"].split(" ")[0]
        if status == "expired":
            status = "bounced"
        if status not in ("sent", "deferred", "bounced"):
            return None
        service = line["prog"].rsplit("/", 1)[1]
        relay = f.get("relay", "")
        remote = service not in POSTFIX_LOCAL and (
            relay == "none" or bool(re.fullmatch(r".*\[[^\]]+\](:\d+)?", relay) and
                                    public(bracketed(relay))))
        return qid, "postfix", rcpts, status, remote
    if "stat" not in f or f["stat"].startswith("queued"):
        return None
    dsn = f.get("dsn", "")
    status = ("sent" if f["stat"].startswith("Sent") else
              "deferred" if f["stat"].startswith("Deferred") or dsn.startswith("4") else
              "bounced")
    ip = bracketed(f.get("relay", ""))
    remote = f.get("mailer") in SENDMAIL_SMTP and (ip is None or public(ip))
    return qid, "sendmail", rcpts, status, remote


def main():
    args = sys.argv[1:]
    block = datetime.fromisoformat(args[0].replace("Z", "+00:00"))
    off = args[1]
    local = timezone((1 if off[0] == "+" else -1) *
                     timedelta(hours=int(off[1:3]), minutes=int(off[4:6])))
    args = args[2:]
    only = None
    if args[:1] == ["--host"]:
        only, args = args[1], args[2:]
    start = block - timedelta(hours=24)
    hours = [dict(messages=0, recipients=0, deferred=0, bounced=0) for _ in range(24)]
    queues = {}         # (host, qid) -> {rcpt: [slot, status]}
    first = last = None
    hosts, domains = [], set()
    for path in args:
        raw = open(path, "rb").read()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        elif raw[:4] == b"\x28\xb5\x2f\xfd":
            raw = subprocess.run(["zstd", "-dc", path], check=True,
                                 stdout=subprocess.PIPE).stdout
        for b in raw.split(b"\n"):
            text = b.decode("utf-8", "replace").rstrip("\r")
            for p in LINE:
                m = p.fullmatch(text)
                if m:
                    break
            else:
                continue
            line = m.groupdict()
            line.setdefault("host", "")
            line.setdefault("prog", "exim")
            t = stamp(line["t"], local, block)
            first = t if first is None or t < first else first
            last = t if last is None or t > last else last
            if only and line["host"] and line["host"].lower() != only.lower():
                continue
            msg = line["msg"]
            q = re.match(r"(\w{5,32}): |(" + EXIM_ID + r") ", msg)
            if not q:
                continue
            key = (line["host"], q.group(1) or q.group(2))
            rest = msg[q.end():]
            if rest == "removed" or rest.startswith("Completed") or \
                    ("/" not in line["prog"] and q.group(1) and rest.startswith("from=")):
                queues.pop(key, None)
                continue
            inside = start <= t < block
            if "/" in line["prog"] and rest.startswith("from=") and "status=expired" in rest:
                for r in queues.get(key, {}).values():
                    if inside and r[1] == "deferred":
                        hours[r[0]]["deferred"] -= 1
                        hours[r[0]]["bounced"] += 1
                        r[1] = "bounced"
                continue
            d = delivery(line)
            if not d or not inside:
                continue
            _, _, rcpts, status, remote = d
            slot = int((t - start).total_seconds() // 3600)
            if key not in queues:
                if not remote:
                    continue
                queues[key] = {}
                hours[slot]["messages"] += 1
            for rcpt in rcpts:
                r = queues[key].get(rcpt.lower())
                if r is None:
                    if not remote:
                        continue
                    r = queues[key][rcpt.lower()] = [slot, status]
                    hours[slot]["recipients"] += 1
                    if status != "sent":
                        hours[slot][status] += 1
                    if "@" in rcpt:
                        domains.add(rcpt.rpartition("@")[2].lower())
                    if line["host"] and line["host"] not in hosts:
                        hosts.append(line["host"])
                    continue
                if r[1] != "sent":
                    hours[r[0]][r[1]] -= 1
                if status != "sent":
                    hours[r[0]][status] += 1
                r[1] = status
    total = {k: sum(h[k] for h in hours) for k in ("messages", "recipients", "deferred", "bounced")}
    covered = first is not None and last >= start and first < block
    out = {
        "from": iso(start), "to": iso(block), "hours": 24,
        "messages": total["messages"], "recipients": total["recipients"],
        "recipient_domains": len(domains),
        "delivered": total["recipients"] - total["deferred"] - total["bounced"],
        "deferred": total["deferred"], "bounced": total["bounced"],
        "hourly": [dict(hour=iso(start + timedelta(hours=i)), **h) for i, h in enumerate(hours)],
        "complete": first is not None and first <= start and last >= block,
        "covered_from": iso(max(first, start)) if covered else None,
        "covered_to": iso(min(last, block)) if covered else None,
        "log_host": only,
        "hosts": hosts,
    }
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
