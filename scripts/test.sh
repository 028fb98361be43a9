#!/usr/bin/env bash
# Set up (idempotent), then run every test suite in release mode: Swift's, then the kernel's in Python.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift test -c release -Xswiftc -enable-testing "$@"
# The Jupyter kernel under the community's clients: jupyter_kernel_test's conformance
# suite, nbclient running a notebook, and bad input (Tests/Jupyter); then the PyTorch reference
# of `cmlab bench --only pytorch` (Tests/Bench, skipped without torch).
python3 -m pytest -q -p no:cacheprovider Tests/Jupyter Tests/Bench
