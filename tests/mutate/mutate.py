#!/usr/bin/env python3
"""mutate.py - the mutation score of the test suite ('make mutate').

Each mutation of tests/mutate/mutations.txt changes one small piece of
fpkit's source (a comparison, a boundary, a skipped branch, a swapped
status, a dropped escape, a skipped exclusion); a test must then fail.
This program copies the source tree into a folder of its own (the tree
it was started from is never touched), builds it once without the
sanitizers, checks that the tests of the list pass there, then, for each
mutation: applies it, rebuilds, runs the tests its module's entry names,
cheapest first, stopping at the first that fails, and puts the file
back.  It prints one line per mutation and a summary:

  killed      a test failed (or hung past its time limit: "timeout");
              the test is named
  survived    every test passed: the tests cannot tell this change;
              "equivalent" when the list explains why no test can
  not found   the original text is not in the file (the code changed
              since the list was written): not counted as a kill
  ambiguous   the original text is in the file more than once
  no build    the mutant does not compile: not counted

The score is killed / (killed + survived - equivalent).

Usage: mutate.py [--srcdir DIR] [--list FILE] [--only TEXT] [--jobs N]
                 [--keep] [--check-list]
  --only TEXT    only the mutations whose file or module contains TEXT
  --check-list   only say which originals are missing or ambiguous
  --keep         keep the work folder (its path is printed)
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time


class Mutation:
    def __init__(self, number, file, tests, lineno):
        self.number = number
        self.file = file
        self.tests = tests
        self.lineno = lineno
        self.original = None
        self.replacement = None
        self.why = ""
        self.equivalent = None
        self.status = None
        self.detail = ""


def parse(path):
    """The mutations of the list FILE (its head says the format)."""
    mutations, file, tests, cur = [], None, [], None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("module "):
                head, _, rest = line[len("module "):].partition(":")
                file, tests = head.strip(), rest.split()
                if not tests:
                    sys.exit("%s:%d: a module names the tests to run" % (path, lineno))
                continue
            tag, text = line[:2], line[2:]
            if tag == "- ":
                if file is None:
                    sys.exit("%s:%d: a mutation before any module line" % (path, lineno))
                cur = Mutation(len(mutations) + 1, file, tests, lineno)
                cur.original = text
                mutations.append(cur)
            elif cur is None:
                sys.exit("%s:%d: '%s' before any '- ' line" % (path, lineno, tag))
            elif tag == "+ ":
                cur.replacement = text
            elif line == "+":
                cur.replacement = ""
            elif tag == "? ":
                cur.why = text
            elif tag == "= ":
                cur.equivalent = text
            else:
                sys.exit("%s:%d: cannot read '%s'" % (path, lineno, line))
    for m in mutations:
        if m.replacement is None:
            sys.exit("%s:%d: a mutation without its '+ ' line" % (path, m.lineno))
    return mutations


def run(cmd, cwd, log, timeout=None, env=None):
    """Run cmd (a list) in its own process group; its status, or None when
    it ran past timeout (the group is then killed)."""
    with open(log, "ab") as out:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True, env=env)
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return None


def copy_tree(src, dst):
    """The files git knows in src (tracked, or new and not ignored), with
    their changes, into dst."""
    ls = subprocess.run(["git", "-C", src, "ls-files", "-z", "--cached", "--others",
                         "--exclude-standard"], stdout=subprocess.PIPE, check=True)
    for name in sorted(set(ls.stdout.decode().split("\0"))):
        if not name or not os.path.lexists(os.path.join(src, name)):
            continue
        target = os.path.join(dst, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(src, name), target, follow_symlinks=False)


def run_test(work, test, log, timeout):
    """(status, seconds) of one test through the automake harness;
    status None on a time-out.  TEST@exotic: with fpkit in a time zone
    14 hours from UTC and another locale (tests/e2e/lib.sh)."""
    t0 = time.monotonic()
    env = dict(os.environ)
    if test.endswith("@exotic"):
        test = test[:-len("@exotic")]
        env.update(FPKIT_TEST_TZ="Pacific/Kiritimati", FPKIT_TEST_LOCALE="C.UTF-8")
    # check_PROGRAMS= : build only what the test's own rule needs (a unit
    # test's program); the helpers were built once, and src/fpkit by the
    # caller.
    st = run(["make", "-s", "check", "TESTS=" + test, "check_PROGRAMS="], work, log, timeout,
             env)
    return st, time.monotonic() - t0


def main():
    # The tests send signals (SIGHUP, SIGINT while a bundle is written):
    # started under nohup or in the background, this program and every
    # process it starts would ignore some, and fpkit keeps a signal
    # ignored.  The tests get the default.
    for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
        if signal.getsignal(sig) == signal.SIG_IGN:
            signal.signal(sig, signal.SIG_DFL)
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--srcdir", default=os.path.dirname(os.path.dirname(here)))
    ap.add_argument("--list", default=os.path.join(here, "mutations.txt"))
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--check-list", action="store_true")
    args = ap.parse_args()

    mutations = [m for m in parse(args.list)
                 if args.only in m.file or args.only in " ".join(m.tests)]
    src = os.path.abspath(args.srcdir)
    for m in mutations:
        path = os.path.join(src, m.file)
        text = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
        n = text.count(m.original)
        if n == 0:
            m.status = "not found"
        elif n > 1:
            m.status, m.detail = "ambiguous", "%d times" % n
    if args.check_list:
        for m in mutations:
            if m.status:
                print("%3d %-28s %-10s %s" % (m.number, m.file, m.status, m.original))
        print("%d mutations, %d to run" % (len(mutations),
                                           sum(1 for m in mutations if not m.status)))
        return 0

    work = tempfile.mkdtemp(prefix="fpkit-mutate.")
    # Open to others: tests run fpkit as nobody when run as root.
    os.chmod(work, 0o755)
    # The third-party corpus lives beside the tree, not beside the copy.
    corpus = os.path.join(os.path.dirname(src), "shared", "corpus")
    if "FPKIT_CORPUS" not in os.environ and os.path.isdir(corpus):
        os.environ["FPKIT_CORPUS"] = corpus
    log = os.path.join(work, "mutate.log")
    tree = os.path.join(work, "src")
    print("mutate: copying the tree into %s, building without the sanitizers" % tree,
          flush=True)
    copy_tree(src, tree)
    env_flags = ["CFLAGS=-O1 -g0"]
    for step in (["./bootstrap"], ["./configure"] + env_flags,
                 ["make", "-j" + args.jobs], ["make", "-j" + args.jobs, "check", "TESTS="]):
        if run(step, tree, log) != 0:
            print("mutate: '%s' failed; see %s" % (" ".join(step), log))
            return 1

    # The baseline: every test named must pass before any mutation.
    durations = {}
    for test in sorted({t for m in mutations for t in m.tests}):
        st, secs = run_test(tree, test, log, 1800)
        durations[test] = secs
        if st != 0:
            print("mutate: %s fails without any mutation (status %s): fix it first" % (test, st))
            return 1
    print("mutate: baseline: %d tests pass (%.0f s in all)" % (len(durations),
                                                              sum(durations.values())),
          flush=True)

    for m in mutations:
        if m.status:
            print("%3d %-10s %-26s %s" % (m.number, m.status, m.file, m.original), flush=True)
            continue
        path = os.path.join(tree, m.file)
        original = open(path, encoding="utf-8").read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(original.replace(m.original, m.replacement, 1))
        try:
            if run(["make", "-j" + args.jobs, "all"], tree, log) != 0:
                m.status = "no build"
            else:
                m.status = "survived"
                for test in sorted(m.tests, key=lambda t: durations[t]):
                    limit = max(60, 5 * durations[test])
                    st, _ = run_test(tree, test, log, limit)
                    if st != 0:
                        m.status = "killed"
                        m.detail = test + (" (timeout)" if st is None else "")
                        break
                if m.status == "survived" and m.equivalent:
                    m.detail = "equivalent: " + m.equivalent
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original)
        print("%3d %-10s %-26s %-45s %s" % (m.number, m.status, m.file,
                                            m.original.strip()[:45], m.detail), flush=True)

    count = {s: sum(1 for m in mutations if m.status == s)
             for s in ("killed", "survived", "not found", "ambiguous", "no build")}
    equivalent = sum(1 for m in mutations if m.status == "survived" and m.equivalent)
    judged = count["killed"] + count["survived"] - equivalent
    print()
    print("mutate: %d mutations: %d killed, %d survived (%d equivalent), %d not found, "
          "%d ambiguous, %d no build" % (len(mutations), count["killed"], count["survived"],
                                         equivalent, count["not found"], count["ambiguous"],
                                         count["no build"]))
    if judged:
        print("mutate: score %d/%d = %.1f%% killed" % (count["killed"], judged,
                                                      100.0 * count["killed"] / judged))
    if args.keep:
        print("mutate: work folder kept: %s" % work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if count["survived"] == equivalent else 2


if __name__ == "__main__":
    sys.exit(main())
