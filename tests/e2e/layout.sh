#!/bin/sh
# The structure doc/HACKING.md describes, held against the tree: each
# third-party library included by the one module that wraps it, no
# include cycle among modules, every source file in its folder's .am,
# every document a comment cites in the repository (tests/layout/).
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
python3 "$TESTS_DIR/layout/layout.py" "$TESTS_DIR/.."
