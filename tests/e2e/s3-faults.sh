#!/bin/sh
. "$TESTS_DIR/e2e/lib.sh"
skip "not written yet"
