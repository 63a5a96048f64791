#!/usr/bin/env python3
"""ptyanswer.py - run a command on a pseudo-terminal and answer its question.

usage: ptyanswer.py ANSWER PROMPT COMMAND [ARG...]

The command's standard input, output and error are the terminal; once
PROMPT has been printed, ANSWER and a newline are typed.  Everything the
command printed goes to standard output; the exit status is the
command's (128 + N for a signal N).  It gives up after 60 seconds.
"""
import os
import pty
import select
import sys
import time


def main():
    answer, prompt, argv = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    out, sent, deadline = b"", False, time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
        if not sent and prompt in out:
            os.write(fd, answer + b"\n")
            sent = True
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode("utf-8", "replace").replace("\r\n", "\n"))
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


main()
