#!/usr/bin/env python3
"""The structure doc/HACKING.md describes, checked against the tree.

- each third-party library is included by the one module that wraps it
  (GMime by the reader and the ARF writer);
- no cycle among the modules' includes (a module is a .c/.h pair);
- every source file under src/ is listed in its own folder's .am file;
- every document a comment cites is in the repository;
- every folder of src/ is a room: in Makefile.am's FPKIT_DIRS and in
  HACKING.md's table of folders;
- a room whose includes HACKING.md restricts includes no other room
  (src/queue/: base/ only).

Prints TAP-like lines and "N passed, N failed"; exits 1 on a failure.
Usage: layout.py SRCDIR
"""
import os
import re
import sys

top = sys.argv[1] if len(sys.argv) > 1 else "."
src = os.path.join(top, "src")
passed = failed = 0


def ok(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok - " + what)
    else:
        failed += 1
        print("not ok - " + what + (": " + detail if detail else ""))


files = []
for d, _, names in os.walk(src):
    for n in names:
        if n.endswith((".c", ".h")) and n != "templates.c":
            files.append(os.path.relpath(os.path.join(d, n), top))
files.sort()
text = {f: open(os.path.join(top, f), encoding="utf-8", errors="replace").read() for f in files}

# 1. Libraries and their one wrapper.
wrappers = {
    "gmime/": {"src/base/mime.c", "src/package/arf.c"},
    # the loaders (dlcall.h) define the functions the wrappers call
    "curl/": {"src/ovh/ovh.c", "src/archive/s3.c", "src/locate/imapstore.c",
              "src/base/curlload.c"},
    "archive.h": {"src/base/tarball.c", "src/base/archiveload.c"},
    "archive_entry.h": {"src/base/tarball.c", "src/base/archiveload.c"},
    "zstd.h": {"src/base/rawdec.c"},
    "lzma.h": {"src/base/rawdec.c"},
    "opendkim/": {"src/check/dkim.c"},
    "ares.h": {"src/posture/dns.c"},
    "ares_": {"src/posture/dns.c"},
    "libpsl.h": {"src/posture/orgdomain.c"},
    "microhttpd.h": set(),
}
for lib, allowed in wrappers.items():
    users = sorted(f for f in files
                   if re.search(r'^\s*#\s*include\s*<' + re.escape(lib), text[f], re.M))
    ok(set(users) <= allowed, "<%s> included only by %s" % (lib, ", ".join(sorted(allowed)) or "no module"),
       "also by " + ", ".join(u for u in users if u not in allowed))

# 2. No cycle among modules.
def module(path):
    return os.path.splitext(os.path.basename(path))[0]

mods = {module(f) for f in files}
edges = {m: set() for m in mods}
for f in files:
    for inc in re.findall(r'^\s*#\s*include\s*"([^"]+)\.h"', text[f], re.M):
        inc = os.path.basename(inc)
        if inc in mods and inc != module(f):
            edges[module(f)].add(inc)
# Tarjan's strongly connected components.
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)
def strong(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges[v]:
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        sccs.append(comp)
for v in sorted(mods):
    if v not in index:
        strong(v)
cycles = [sorted(c) for c in sccs if len(c) > 1]
ok(not cycles, "no include cycle among %d modules" % len(mods),
   "; ".join(" <-> ".join(c) for c in cycles))

# 3. Every source file in its folder's .am.
for f in files:
    folder = os.path.dirname(f)
    ams = [os.path.join(top, folder, n) for n in os.listdir(os.path.join(top, folder))
           if n.endswith(".am")]
    listed = any(f in open(a).read() for a in ams)
    ok(listed, "%s is listed in its folder's .am" % f)

# 4. Documents cited in comments are in the repository.
cited = set()
for f in files:
    for name in re.findall(r'(?<![\w./-])((?:doc/)?[A-Za-z_-]+\.md)\b', text[f]):
        cited.add(name)
for name in sorted(cited):
    where = [os.path.join(top, name), os.path.join(top, "doc", name)]
    ok(any(os.path.exists(p) for p in where), "the document %s that a comment cites exists" % name)

# 5. Every folder of src/ is a room the build and HACKING.md declare.
makefile = open(os.path.join(top, "Makefile.am")).read()
dirs_line = re.search(r"^FPKIT_DIRS\s*=\s*(.*)$", makefile, re.M)
declared = set(dirs_line.group(1).split()) if dirs_line else set()
hacking = open(os.path.join(top, "doc", "HACKING.md")).read()
rooms = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
for room in rooms:
    ok(room in declared, "src/%s/ is in Makefile.am's FPKIT_DIRS" % room)
    ok("| `src/%s/` |" % room in hacking, "src/%s/ has its row in doc/HACKING.md's table" % room)

# 6. What a room may include, where HACKING.md restricts it: the queue
# stands on base/ alone, so that the acts (unblock, the ticket) read the
# mail system without the pipeline.
folder_of = {module(f): os.path.basename(os.path.dirname(f)) for f in files}
allowed = {"queue": {"base", "queue"}}
for room, may in sorted(allowed.items()):
    bad = []
    for f in files:
        if os.path.basename(os.path.dirname(f)) != room:
            continue
        for inc in re.findall(r'^\s*#\s*include\s*"([^"]+)\.h"', text[f], re.M):
            where = folder_of.get(os.path.basename(inc))
            if where is not None and where not in may:
                bad.append("%s includes %s.h (%s/)" % (f, inc, where))
    ok(not bad, "src/%s/ includes only %s" % (room, ", ".join(sorted(m + "/" for m in may))),
       "; ".join(bad))

# 7. The API's writes: a POST is set up in src/ovh/ alone, and each
# write is sent from its one act, which reads the state it changes
# before sending it again (HACKING.md, "A write to the API").
writes = {"ovh_call_init_post": {"src/ovh/ovh.c", "src/ovh/ovh.h", "src/ovh/ovhapi.c"},
          "ovh_call_init_unsigned_post": {"src/ovh/ovh.c", "src/ovh/ovh.h",
                                          "src/ovh/ovhapi.c"},
          "ovhapi_spam_unblock": {"src/ovh/ovhapi.c", "src/ovh/ovhapi.h",
                                  "src/pipeline/unblock.c"},
          "ovhapi_ticket_create": {"src/ovh/ovhapi.c", "src/ovh/ovhapi.h",
                                   "src/pipeline/ticketpost.c"},
          "ovhapi_ticket_reply": {"src/ovh/ovhapi.c", "src/ovh/ovhapi.h",
                                  "src/pipeline/ticketpost.c"},
          "ovhapi_credential": {"src/ovh/ovhapi.c", "src/ovh/ovhapi.h",
                                "src/ovh/credential.c"}}
for fn, may in sorted(writes.items()):
    users = sorted(f for f in files if re.search(r"\b%s\s*\(" % fn, text[f]))
    ok(set(users) <= may, "%s is used only in %s" % (fn, ", ".join(sorted(may))),
       "also in " + ", ".join(u for u in users if u not in may))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
