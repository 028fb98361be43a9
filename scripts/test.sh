#!/usr/bin/env bash
# Set up (idempotent), then run every test suite in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift test -c release -Xswiftc -enable-testing "$@"
