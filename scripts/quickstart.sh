#!/usr/bin/env bash
# Set up (idempotent), then run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.build/release/cmlab run notebooks/quickstart.cml --out reports/quickstart "$@"
