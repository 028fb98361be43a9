"""scripts/pytorch_unet.py, the PyTorch reference of `cmlab bench --only pytorch` (skipped without torch)."""
import json
import pathlib
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "pytorch_unet.py"
sys.path.insert(0, str(SCRIPT.parent))
import pytorch_unet  # noqa: E402


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


def test_serve_answers_and_rejects_bad_lines():
    p = subprocess.run([sys.executable, str(SCRIPT), "--serve", "--threads", "1", "--batch", "16"],
                       input="predict 1\nbogus 3\ntrain -1\nquit\n", capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(l) for l in p.stdout.splitlines()]
    assert lines[0]["parameters"] == 524_801
    assert lines[1]["predict_ms"] > 0
    assert "error" in lines[2] and "error" in lines[3]
