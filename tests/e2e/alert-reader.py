#!/usr/bin/env python3
"""A second reading of an OVHcloud anti-spam alert, independent of fpkit.

Usage: alert-reader.py FILE.eml

Prints what the alert says as JSON, in the shape of 'fpkit alert --json'
(ip, date, targets with message_id, destination_ip, spamscore), so that
the expected outputs of fixtures/alert/ can be checked against a reading
that is not fpkit's own.  Python's email package decodes the MIME (the
transfer encodings, the charsets, message/rfc822 parts); the rest is a
small reader written from the alert's documented wording (fpkit(1), THE
ALERT E-MAIL), not from alert.c:

- the text of every text/plain and text/html part, HTML made into lines
  (a line per <br>, paragraph and table row, a tab between cells) and
  "> " quoting removed;
- the blocked IP: the address after "your IP", "votre IP" or "vos IP";
- the date: the Date field of the message that holds the alert (a
  forwarded one's, when forwarded inline: its "Date:" line), in UTC;
- the messages: from a table whose header row is made of labels, a row
  each; otherwise from "Destination IP: ... Message-ID: ... Spam score:
  ..." read over the text with its lines joined back where a mail client
  cut a value (see unwrap); a Message-ID has an '@', a destination IP four
  numbers up to 255, a score up to eleven digits (else null);
- the parts of a multipart/alternative are merged by Message-ID, in the
  order first met, a score from whichever part gives one.
"""

import email
import email.policy
import email.utils
import html.parser
import json
import re
import sys
from datetime import timezone

IPV4 = r"\d{1,3}(?:\.\d{1,3}){3}"


def valid_ip(s):
    if s is None or not re.fullmatch(IPV4, s):
        return None
    return s if all(int(x) <= 255 for x in s.split(".")) else None


def score_of(s):
    if s is None:
        return None
    m = re.fullmatch(r"\d+", s.strip())
    return int(s) if m and len(s.strip()) <= 11 else None


class HtmlLines(html.parser.HTMLParser):
    """HTML as lines of text; table cells separated by tabs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head", "title"):
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in ("td", "th"):
            self.out.append("\t")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("p", "tr", "div", "table", "li"):
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data.replace("\n", " "))


def part_text(part):
    text = part.get_content()
    if part.get_content_subtype() == "html":
        p = HtmlLines()
        p.feed(text)
        p.close()
        text = "".join(p.out)
    text = text.replace("\r\n", "\n").replace("\xa0", " ")
    lines = [re.sub(r"^(?:[ \t]*>)+ ?", "", line) for line in text.split("\n")]
    return "\n".join(lines)


LABEL = {
    "destination ip": "dest", "ip de destination": "dest",
    "message-id": "id", "spam score": "score", "score de spam": "score",
}


def from_table(text):
    """Messages of a table whose header row is made of labels, or None."""
    rows = [line for line in text.split("\n") if "\t" in line]
    for i, row in enumerate(rows):
        cells = [c.strip().lower() for c in row.split("\t")[1:]]
        if cells and all(c in LABEL for c in cells):
            cols = [LABEL[c] for c in cells]
            found = []
            for r in rows[i + 1:]:
                vals = [c.strip() for c in r.split("\t")[1:]]
                t = dict(zip(cols, vals))
                found.append({
                    "message_id": t.get("id", "").strip("<>") or None,
                    "destination_ip": valid_ip(t.get("dest", "").strip("[]")),
                    "spamscore": score_of(t.get("score")),
                })
            return found
    return None


ROW = re.compile(
    r"Destination IP\s*:\s*(?P<dest>[0-9.]*)\s*-?\s*"
    r"Message-ID\s*:\s*(?:<(?P<bid>[^<>\s]+@[^<>\s]+)>|(?P<id>[^<>\s]+@[^<>\s]+))?"
    r"(?:\s*-)?\s*(?:Spam score\s*:\s*(?P<score>\d+(?![\d.]))?)?",
    re.IGNORECASE)


def unwrap(text):
    """The lines joined back where a mail client cut a value: with nothing
    between them when the line ends with a dot or a dash, or when the
    next line's first word is followed by " - " or a label; else with a
    space."""
    lines = [line.rstrip() for line in text.split("\n")]
    out = lines[0] if lines else ""
    for line in lines[1:]:
        first = re.match(r"\S*", line).group(0)
        rest = line[len(first):]
        cut = out.endswith((".", "-")) or (first and re.match(
            r"\s+-\s|\s*(?:Destination IP|Message-ID|Spam score)\b", rest, re.IGNORECASE))
        out += ("" if cut else " ") + line
    return out


def from_lines(text):
    joined = unwrap(text)
    found = []
    for m in ROW.finditer(joined):
        found.append({
            "message_id": m.group("bid") or m.group("id"),
            "destination_ip": valid_ip(m.group("dest")),
            "spamscore": score_of(m.group("score")),
        })
    return found


def targets_of(text):
    t = from_table(text)
    return t if t is not None else from_lines(text)


def blocked_ip(text):
    m = re.search(r"\b(?:your|votre|vos) IP\s*:?\s*(" + IPV4 + r")\b",
                  " ".join(text.split("\n")), re.IGNORECASE)
    return m.group(1) if m else None


def utc(date):
    d = email.utils.parsedate_to_datetime(date).astimezone(timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def merge(lists):
    out, index = [], {}
    for targets in lists:
        for t in targets:
            key = (t["message_id"] or "").lower()
            if key and key in index:
                if out[index[key]]["spamscore"] is None:
                    out[index[key]]["spamscore"] = t["spamscore"]
                continue
            if key:
                index[key] = len(out)
            out.append(dict(t))
    return out


def read(msg):
    """(ip, date, targets) of the innermost message holding an alert."""
    texts = []
    if msg.get_content_type() == "multipart/alternative":
        parts = [msg]
    elif msg.is_multipart():
        parts = msg.iter_parts()
    else:
        parts = [msg]
    for part in parts:
        if part.get_content_type() == "message/rfc822":
            inner = read(part.get_content())
            if inner[0]:
                return inner
        elif part.get_content_type() == "multipart/alternative":
            texts.append(("alt", [part_text(p) for p in part.iter_parts()
                                  if p.get_content_maintype() == "text"]))
        elif part.get_content_maintype() == "text":
            texts.append(("one", [part_text(part)]))
    for kind, group in texts:
        ip = next((blocked_ip(t) for t in group if blocked_ip(t)), None)
        if not ip:
            continue
        date = msg["Date"]
        fwd = re.search(r"^Date:\s*(.+)$", group[0], re.MULTILINE)
        if fwd and group[0].find(fwd.group(0)) < group[0].find(ip):
            date = fwd.group(1)
        return ip, utc(date), merge(targets_of(t) for t in group)
    return None, None, []


def main():
    with open(sys.argv[1], "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    ip, date, targets = read(msg)
    json.dump({"ip": ip, "date": date, "targets": targets}, sys.stdout, indent=2,
              ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
