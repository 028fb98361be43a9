"""`cmlab bench`'s sgemm with the CPU's own OpenBLAS kernels, measured by a child process
where OpenBLAS fell back to its generic ones by itself (Sources/cmlab/BenchNativeSGEMM.swift)."""
import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CMLAB = pathlib.Path(os.environ.get("CMLAB", ROOT / ".build" / "release" / "cmlab")).resolve()


def bench_sgemm(env):
    p = subprocess.run([str(CMLAB), "bench", "--only", "sgemm", "--json", "--seconds", "0.05"],
                       env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def child_rows(report):
    return [r for r in report["results"] if r["name"].endswith("kernels (a child process)")]


@pytest.mark.skipif(not CMLAB.exists(), reason=f"no cmlab executable at {CMLAB}")
def test_child_sgemm_only_where_openblas_fell_back():
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    report = bench_sgemm(env)
    rows = child_rows(report)
    if "blas_advice" in report:
        # The advice names the family; the child ran with it and measured sgemm 1024³.
        family = report["blas_advice"].split("OPENBLAS_CORETYPE=")[1].split()[0]
        assert report["blas_core"] == "Prescott"
        assert [r["name"] for r in rows] == [f"sgemm 1024×1024×1024 with OpenBLAS's {family} kernels (a child process)"]
        assert rows[0]["unit"] == "GFLOP/s" and rows[0]["value"] > 0
    else:
        assert rows == []
    # A family set in the environment is the user's choice: no child run, no extra row.
    env["OPENBLAS_CORETYPE"] = report["blas_core"]
    chosen = bench_sgemm(env)
    assert "blas_advice" not in chosen
    assert child_rows(chosen) == []
