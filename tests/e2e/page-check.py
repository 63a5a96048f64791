#!/usr/bin/env python3
"""page-check.py - what report-html.sh checks in fpkit's pages, by other
means than fpkit: a PNG screenshot decoded with zlib alone, an HTML page
parsed with html.parser, and the facts of summary.json or index.jsonl
looked for in the DOM a browser built.

  page-check.py png FILE WIDTH HEIGHT
      the PNG is WIDTH x HEIGHT and not blank: at least 8 distinct
      colours, and no colour on more than 97% of the pixels
  page-check.py html FILE
      well-formed HTML5 (every element closed in order, void elements
      aside), <!DOCTYPE html> first, and self-contained and inert: no
      <script>, <iframe>, <object>, <embed>, <link>, <img>, no on*
      attribute, no src=, no href or url() with a scheme or "//"
  page-check.py bundle-facts SUMMARY DOM
      the DOM shows the block time, each detected message in a row with
      its date and spam score and "found"/"not found" as summary.json
      says, and the sending volume (totals, and each hour's figures)
  page-check.py index-facts INDEX DOM
      the DOM has one row per bundle line of index.jsonl, with its IP,
      date and a link to the bundle, and a lane label per IP
  page-check.py scripts DOM
      the number of <script> elements and of on* attributes in the DOM

Each prints what it found wrong and exits 1, or exits 0.
"""
import json
import re
import struct
import sys
import zlib
from collections import Counter
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
# SVG elements may close themselves.
FORBIDDEN = {"script", "iframe", "object", "embed", "link", "img", "frame", "base"}


def fail(msgs):
    for m in msgs:
        print(m)
    sys.exit(1 if msgs else 0)


def png(path, width, height):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(["not a PNG"])
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    bad = []
    if (w, h) != (width, height):
        bad.append("size %dx%d, expected %dx%d" % (w, h, width, height))
    if depth != 8 or ctype not in (2, 6) or interlace:
        fail(bad + ["PNG kind not decoded here: depth %d type %d interlace %d"
                    % (depth, ctype, interlace)])
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    colours = Counter()
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        # every 4th pixel of every 4th row is enough to count colours
        if y % 4 == 0:
            for x in range(0, w, 4):
                colours[bytes(line[x * bpp:x * bpp + 3])] += 1
        prev = line
    total = sum(colours.values())
    top = colours.most_common(1)[0][1]
    if len(colours) < 8:
        bad.append("only %d distinct colours" % len(colours))
    if top > 0.97 * total:
        bad.append("one colour on %.1f%% of the pixels" % (100.0 * top / total))
    print("%dx%d, %d colours, the commonest on %.1f%%" % (w, h, len(colours), 100.0 * top / total))
    fail(bad)


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.bad, self.first = [], [], None

    def handle_decl(self, decl):
        if self.first is None:
            self.first = decl

    def check_attrs(self, tag, attrs):
        for k, v in attrs:
            v = v or ""
            if k.startswith("on"):
                self.bad.append("<%s %s=...>: an event attribute" % (tag, k))
            if k == "src":
                self.bad.append("<%s src=%r>" % (tag, v))
            if k in ("href", "xlink:href", "action", "formaction") and \
                    (re.match(r"\s*[a-zA-Z][a-zA-Z0-9+.-]*:", v) or v.strip().startswith("//")):
                self.bad.append("<%s %s=%r>: not a relative link" % (tag, k, v))
            if k == "style" and "url(" in v:
                self.bad.append("<%s style=...url(>" % tag)

    def handle_starttag(self, tag, attrs):
        if self.first is None:
            self.first = "(an element first)"
        if tag in FORBIDDEN:
            self.bad.append("<%s>: not allowed in a self-contained, inert page" % tag)
        self.check_attrs(tag, attrs)
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        if tag in FORBIDDEN:
            self.bad.append("<%s/>: not allowed" % tag)
        self.check_attrs(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            self.bad.append("</%s>: a void element closed" % tag)
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.bad.append("</%s> at line %d closes %s" % (
                tag, self.getpos()[0], self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "style" and re.search(r"url\(|@import", data):
            self.bad.append("<style> fetches something (url() or @import)")


def html(path):
    c = Checker()
    c.feed(open(path, encoding="utf-8").read())
    c.close()
    if (c.first or "").lower() != "doctype html":
        c.bad.append("does not start with <!DOCTYPE html>: %r" % c.first)
    if c.stack:
        c.bad.append("left open: %s" % c.stack)
    fail(c.bad)


class Dom(HTMLParser):
    """The DOM's text, its table rows (cells' text), its links, its SVG
    texts, its scripts and event attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.row, self.cell = [], None, None
        self.text, self.links, self.svgtext, self.scripts, self.events = [], [], [], 0, 0
        self.in_svgtext = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        self.events += sum(1 for k, _ in attrs if k.startswith("on"))
        if tag == "tr":
            self.row = []
            self.rows.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
            self.row.append(self.cell)
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))
        elif tag == "text":
            self.in_svgtext = True
            self.svgtext.append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.cell = None
        elif tag == "text":
            self.in_svgtext = False

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)
        if self.in_svgtext:
            self.svgtext[-1] += data

    def row_texts(self):
        return [["".join(c).strip() for c in r] for r in self.rows]


def dom_of(path):
    d = Dom()
    d.feed(open(path, encoding="utf-8").read())
    d.close()
    return d


def bundle_facts(summary, dom):
    s = json.load(open(summary))
    d = dom_of(dom)
    text = " ".join(d.text)
    rows = d.row_texts()
    bad = []
    if s["blocked_at"] not in text:
        bad.append("the block time %s is not shown" % s["blocked_at"])
    if not any("block " + s["blocked_at"] in t or "blocage " + s["blocked_at"] in t
               for t in d.svgtext):
        bad.append("the timeline does not mark the block at %s" % s["blocked_at"])
    for t in s["targets"]:
        want = [t["message_id"], t["date"], str(t["spamscore"])]
        found = bool(t["sample_files"])
        hit = [r for r in rows if all(w in r for w in want)]
        if not hit:
            bad.append("no row with %s" % want)
            continue
        verdict = " ".join(hit[0])
        if found and not all(f in verdict for f in t["sample_files"]):
            bad.append("%s: its sample files are not in its row" % t["message_id"])
        if not found and not ("not found" in hit[0] or "non retrouvé" in hit[0]):
            bad.append("%s: not said not found" % t["message_id"])
        # and in the timeline, its point's title
        if not any(t["message_id"] in x for x in d.text):
            bad.append("%s: not in the page's text" % t["message_id"])
    v = s.get("volume")
    if v:
        para = [x for x in d.text if v["from"] in x and v["to"] in x]
        if not para:
            bad.append("the volume's window %s to %s is not said" % (v["from"], v["to"]))
        else:
            for k in ("messages", "recipients", "delivered", "deferred", "bounced"):
                if not re.search(r"\b%d\b" % v[k], para[0]):
                    bad.append("volume %s %d not in %r" % (k, v[k], para[0]))
        for h in v["hourly"]:
            want = [h["hour"], str(h["messages"]), str(h["recipients"]), str(h["deferred"]),
                    str(h["bounced"])]
            if want not in rows:
                bad.append("no hourly row %s" % want)
    n_samples = sum(1 for r in rows if any("samples/" in c for c in r))
    if n_samples != len(s["samples"]):
        bad.append("%d rows with a sample, summary.json has %d" % (n_samples, len(s["samples"])))
    fail(bad)


def index_facts(index, dom):
    d = dom_of(dom)
    rows = d.row_texts()
    bad, ips = [], set()
    lines = [json.loads(x) for x in open(index) if x.strip()]
    bundles = [x for x in lines if "bundle" in x]
    for x in bundles:
        ips.add(x["ip"])
        if not any(x["ip"] in r and x["date"] in r and x["bundle"] in r for r in rows):
            bad.append("no row for %s %s %s" % (x["ip"], x["date"], x["bundle"]))
    if sorted(d.links) != sorted(x["bundle"] for x in bundles):
        bad.append("links %s, bundles %s" % (sorted(d.links), sorted(x["bundle"] for x in bundles)))
    lanes = [t for t in d.svgtext if t in ips]
    if sorted(lanes) != sorted(ips):
        bad.append("lane labels %s, IPs %s" % (lanes, sorted(ips)))
    if len(rows) != len(bundles) + 1:
        bad.append("%d rows for %d bundles and a header" % (len(rows), len(bundles)))
    fail(bad)


def scripts(dom):
    d = dom_of(dom)
    print("%d %d" % (d.scripts, d.events))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "png":
        png(args[0], int(args[1]), int(args[2]))
    elif cmd == "html":
        html(args[0])
    elif cmd == "bundle-facts":
        bundle_facts(args[0], args[1])
    elif cmd == "index-facts":
        index_facts(args[0], args[1])
    elif cmd == "scripts":
        scripts(args[0])
    else:
        sys.exit("unknown command %s" % cmd)
