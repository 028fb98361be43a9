"""`cmlab bench --only unet --json`: the U-Net's step, the rate of its products within the
step and of the same products alone, each with its fraction of the run's sgemm 1024³, and
the fraction within the step again with sgemm and the step timed round by round
(Sources/cmlab/Bench.swift, Sources/cmlab/UNetBenchmark.swift)."""
import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CMLAB = pathlib.Path(os.environ.get("CMLAB", ROOT / ".build" / "release" / "cmlab")).resolve()


@pytest.mark.skipif(not CMLAB.exists(), reason=f"no cmlab executable at {CMLAB}")
def test_products_alone_and_their_fractions():
    p = subprocess.run([str(CMLAB), "bench", "--only", "unet", "--json", "--seconds", "0.05", "--rounds", "3"],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    results = json.loads(p.stdout)["results"]
    names = [r["name"].strip() for r in results]
    rows = dict(zip(names, results))
    sgemm = rows["sgemm 1024×1024×1024 (rows split over the cores)"]["value"]
    within = rows["rate of its matrix products (Winograd F(4×4, 3×3))"]
    alone = rows["its products alone (no transforms or norms)"]
    assert within["unit"] == alone["unit"] == "GFLOP/s"
    assert within["value"] > 0 and alone["value"] > 0
    # Each fraction row follows its rate and is that rate over the same run's sgemm
    # (the JSON keeps full precision; the table rounds).
    i = names.index("its products alone (no transforms or norms)")
    assert names[i + 1] == "as a fraction of the sgemm 1024³ figure"
    assert results[i + 1]["value"] == pytest.approx(alone["value"] / sgemm, rel=1e-9)
    j = names.index("rate of its matrix products (Winograd F(4×4, 3×3))")
    assert names[j + 1] == "as a fraction of the sgemm 1024³ figure"
    assert results[j + 1]["value"] == pytest.approx(within["value"] / sgemm, rel=1e-9)
    # The same fraction with sgemm and the step timed alternately, round by round: a
    # median of the three rounds, inside the range the row states.
    alternate = [k for k, n in enumerate(names) if n.startswith("timed alternately with sgemm 1024³")]
    assert len(alternate) == 1, names
    row = results[alternate[0]]
    assert row["unit"] == "" and "median of 3 rounds" in row["name"], row
    low, high = (float(v) for v in row["name"].split("(range ")[1].rstrip(")").split("–"))
    # (the name's range is rounded to four digits)
    assert low * (1 - 1e-3) <= row["value"] <= high * (1 + 1e-3), row
    native = [r for r in rows if r.endswith("kernels (a child process)")]
    if native:  # OpenBLAS fell back to its generic kernels: both rates against the CPU's own sgemm too
        family = native[0].split("OpenBLAS's ")[1].split()[0]
        rate = rows[native[0]]["value"]
        row = f"as a fraction of the {family} sgemm 1024³ figure"
        assert names[i + 2] == row and results[i + 2]["value"] == pytest.approx(alone["value"] / rate, rel=1e-9)
        assert names[j + 2] == row and results[j + 2]["value"] == pytest.approx(within["value"] / rate, rel=1e-9)
