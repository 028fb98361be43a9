"""scripts/pytorch_unet.py, the PyTorch reference of `cmlab bench --only pytorch` (the torch tests are skipped without torch)."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pytorch_unet.py"
CMLAB = pathlib.Path(os.environ.get("CMLAB", ROOT / ".build" / "release" / "cmlab")).resolve()


@pytest.mark.skipif(not CMLAB.exists(), reason=f"no cmlab executable at {CMLAB}")
def test_bench_reports_a_python_side_that_dies(tmp_path):
    # A PyTorch side that exits before answering (as python3 without torch does) closes its
    # pipe; cmlab must say so and exit 1, not die of SIGPIPE (exit -13) writing "quit" to it.
    dead = tmp_path / "dead.py"
    dead.write_text("import sys\nprint('ModuleNotFoundError: no torch here', file=sys.stderr)\nsys.exit(1)\n")
    # With the U-Net rows first, the child has exited by the time cmlab writes to it.
    p = subprocess.run([str(CMLAB), "bench", "--only", "unet", "--only", "pytorch", "--pytorch-script", str(dead),
                        "--rounds", "1"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "could not start python3 with PyTorch: ModuleNotFoundError: no torch here" in p.stderr


try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="needs torch")
if torch is not None:
    sys.path.insert(0, str(SCRIPT.parent))
    import pytorch_unet  # noqa: E402


@needs_torch
def test_same_size_as_cmlab():
    # CMLab's UNet() at 1 x 14 x 14, base width 32: 524,801 parameters (`cmlab bench --only unet`
    # prints UNet.parameterCount). Names follow CMLab's store, so checkpoints map key by key.
    net = pytorch_unet.UNet()
    assert sum(p.numel() for p in net.parameters()) == 524_801
    names = set(net.state_dict())
    for name in ["conv_in.weight", "embed.1.bias", "blocks.1.skip.weight", "blocks.4.norm2.bias", "conv_out.bias"]:
        assert name in names
    assert "blocks.0.skip.weight" not in names                     # C -> C: identity skip, as in CMLab
    y = net(torch.randn(3, 1, 14, 14), torch.randn(3))
    assert y.shape == (3, 1, 14, 14)


@needs_torch
def test_serve_answers_and_rejects_bad_lines():
    p = subprocess.run([sys.executable, str(SCRIPT), "--serve", "--threads", "1", "--batch", "16"],
                       input="predict 1\nbogus 3\ntrain -1\nquit\n", capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(l) for l in p.stdout.splitlines()]
    assert lines[0]["parameters"] == 524_801
    assert lines[1]["predict_ms"] > 0
    assert "error" in lines[2] and "error" in lines[3]
