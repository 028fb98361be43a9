#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian machine: system libraries, then a release build.
# Safe to run again: installs only what is missing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libc6-dev libopenblas-dev libcairo2-dev libreadline-dev libzmq3-dev pkg-config fonts-dejavu-core
          dataset-fashion-mnist)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The Python clients the Jupyter kernel is tested with (scripts/test.sh), once.
if ! python3 -c "import jupyter_kernel_test, nbclient, nbformat, numpy, pytest" 2>/dev/null; then
  echo "setup: installing the Jupyter test clients (pip)"
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    "jupyter_kernel_test>=0.7" "nbclient>=0.10" "nbformat>=5.10" numpy "pytest>=7" >/dev/null \
    || echo "setup: pip could not install the Jupyter test clients; the kernel's tests cannot run" >&2
fi

# One release build serves both the tool and the tests (-enable-testing lets the
# test targets use `@testable import`, so `swift test` reuses these objects).
# The progress lines are filtered out; a failed build fails this step (pipefail gives the
# pipeline swift's status; the braces keep grep's "nothing left to print" from counting).
if ! swift build -c release -Xswiftc -enable-testing 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]' || true; }; then
  echo "setup: the release build failed (errors above); not going on with a stale binary" >&2
  exit 1
fi
test -x .build/release/cmlab
