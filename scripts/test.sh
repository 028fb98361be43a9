#!/usr/bin/env bash
# Set up (idempotent), then run every test suite in release mode: Swift's, then the kernel's in Python.
set -euo pipefail
cd "$(dirname "$0")/.."
# The build's and the tests' temporary files (SwiftPM's, the tests', pytest's) go to one
# folder of this run, removed on exit even when a test fails midway: nothing is left in /tmp.
CMLAB_TEST_TMP="$(mktemp -d "${TMPDIR:-/tmp}/cmlab-tests.XXXXXX")"
CMLAB_SLURM_STARTED=0
cleanup() {
  if [ "${CMLAB_SLURM_STARTED:-0}" = 1 ]; then bash scripts/slurm-local.sh stop || true; fi
  rm -rf "$CMLAB_TEST_TMP"
}
trap cleanup EXIT
TMPDIR="$CMLAB_TEST_TMP" bash scripts/setup.sh
# The layout of .swift-format (docs/contributing.md, "Formatting"): a warning fails the run.
swift format lint --strict -r -p Sources Tests Package.swift
# A one-node Slurm for the `cmlab sweep --slurm` tests (scripts/slurm-local.sh; needs root),
# unless SLURM_CONF names a cluster already. Stopped on exit, even when a test fails, when
# this run started it; a cluster that was already up is left as it was.
if [ -z "${SLURM_CONF:-}" ] && [ "$(id -u)" -eq 0 ]; then
  eval "$(bash scripts/slurm-local.sh start)"
fi
TMPDIR="$CMLAB_TEST_TMP" swift test -c release -Xswiftc -enable-testing "$@"
# The Jupyter kernel under the community's clients: jupyter_kernel_test's conformance
# suite, nbclient running a notebook, and bad input (Tests/Jupyter); then the PyTorch reference
# of `cmlab bench --only pytorch` (Tests/Bench, skipped without torch); the prompt under a pseudo-terminal
# (Tests/REPL).
TMPDIR="$CMLAB_TEST_TMP" python3 -m pytest -q -p no:cacheprovider Tests/Jupyter Tests/Bench Tests/REPL
