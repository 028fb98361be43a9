"""Set-up for the Jupyter tests: the CMLab kernelspec, installed by the cmlab under
test into a temporary prefix that JUPYTER_PATH points at (nothing outside it is
touched), and a scratch folder the kernels start in. CMLAB names the executable;
the default is the release build."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CMLAB = Path(os.environ.get("CMLAB", ROOT / ".build" / "release" / "cmlab")).resolve()
_made = []


def pytest_configure(config):
    if not CMLAB.exists():
        raise pytest.UsageError(f"no cmlab executable at {CMLAB}; build first (bash scripts/setup.sh)")
    prefix = Path(tempfile.mkdtemp(prefix="cmlab-jupyter-"))
    scratch = Path(tempfile.mkdtemp(prefix="cmlab-jupyter-work-"))
    _made.extend([prefix, scratch])
    subprocess.run([str(CMLAB), "kernel", "install", "--prefix", str(prefix)], check=True,
                   stdout=subprocess.DEVNULL)
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    os.environ["CMLAB_TEST_SCRATCH"] = str(scratch)


def pytest_unconfigure(config):
    for path in _made:
        shutil.rmtree(path, ignore_errors=True)
