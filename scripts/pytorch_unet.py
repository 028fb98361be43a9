#!/usr/bin/env python3
"""The PyTorch reference for `cmlab bench --only pytorch`: CMLab's U-Net, written again in PyTorch.

Same architecture as Sources/Nets/UNet.swift (two levels, group norm with 8 groups, SiLU,
FiLM scale-shift from a Fourier-feature noise embedding, 524,801 parameters at 1 x 14 x 14,
base width 32, embedding 256, 32 frequencies), on the same work: a training step is
zero_grad, forward, backward from a fixed dL/dF (no input gradient), Adam; a prediction is
the forward under torch.no_grad().

    python3 scripts/pytorch_unet.py                  # one measurement, printed as JSON
    python3 scripts/pytorch_unet.py --serve          # read "train N" / "predict N" lines on stdin,
                                                     # answer each with the median ms as JSON
The serve mode lets `cmlab bench` alternate CMLab and PyTorch in one run, round by round,
so both see the same load on a shared machine. Threads: 2 (both cores) unless --threads.
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def groups(channels):
    """8 when it divides, else the largest divisor <= 8 (GroupNormSiLU.defaultGroups)."""
    return max(g for g in range(1, min(8, channels) + 1) if channels % g == 0)


class Fourier(nn.Module):
    """phi(c) = [sin(w_k c), cos(w_k c)] with fixed log-spaced w from 1 to 128."""

    def __init__(self, count=32, lo=1.0, hi=128.0):
        super().__init__()
        w = [lo * (hi / lo) ** (k / (count - 1)) for k in range(count)]
        self.register_buffer("w", torch.tensor(w, dtype=torch.float32))

    def forward(self, c):
        a = c[:, None] * self.w[None, :]
        return torch.cat([torch.sin(a), torch.cos(a)], dim=1)


class ResBlock(nn.Module):
    """h1 = silu(GN1(x)), a = conv1(h1), (scale, shift) = film(e),
    h2 = silu(GN2(a)(1 + scale) + shift), y = conv2(h2) + skip(x)."""

    def __init__(self, cin, cout, emb):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups(cin), cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.film = nn.Linear(emb, 2 * cout)
        self.norm2 = nn.GroupNorm(groups(cout), cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, e):
        a = self.conv1(F.silu(self.norm1(x)))
        scale, shift = self.film(e)[:, :, None, None].chunk(2, dim=1)
        h2 = F.silu(self.norm2(a) * (1 + scale) + shift)
        return self.conv2(h2) + self.skip(x)


class UNet(nn.Module):
    def __init__(self, channels=1, base=32, emb=256, freqs=32):
        super().__init__()
        C = base
        self.fourier = Fourier(freqs)
        # Named as CMLab's store names them (embed.0, embed.1), so state_dict keys match its .safetensors.
        self.embed = nn.ModuleList([nn.Linear(2 * freqs, emb), nn.Linear(emb, emb)])
        self.conv_in = nn.Conv2d(channels, C, 3, padding=1)
        widths = [(C, C), (C, 2 * C), (2 * C, 2 * C), (4 * C, 2 * C), (3 * C, C)]
        self.blocks = nn.ModuleList(ResBlock(i, o, emb) for i, o in widths)
        self.norm_out = nn.GroupNorm(groups(C), C)
        self.conv_out = nn.Conv2d(C, channels, 3, padding=1)

    def forward(self, x, c_noise):
        e = F.silu(self.embed[1](F.silu(self.embed[0](self.fourier(c_noise)))))
        s1 = self.blocks[0](self.conv_in(x), e)
        s2 = self.blocks[1](F.avg_pool2d(s1, 2), e)
        d2 = self.blocks[3](torch.cat([self.blocks[2](s2, e), s2], dim=1), e)
        up = F.interpolate(d2, scale_factor=2, mode="nearest")
        d1 = self.blocks[4](torch.cat([up, s1], dim=1), e)
        return self.conv_out(F.silu(self.norm_out(d1)))


class Bench:
    def __init__(self, batch=128, size=14, channels=1):
        torch.manual_seed(0)
        self.net = UNet(channels)
        self.adam = torch.optim.Adam(self.net.parameters(), lr=1e-4)
        self.x = torch.randn(batch, channels, size, size)
        self.c = 0.5 * torch.randn(batch)
        self.g = torch.randn(batch, channels, size, size) / batch

    @property
    def parameters(self):
        return sum(p.numel() for p in self.net.parameters())

    def train(self):
        self.adam.zero_grad(set_to_none=False)
        self.net(self.x, self.c).backward(self.g)
        self.adam.step()

    def predict(self):
        with torch.no_grad():
            self.net(self.x, self.c)

    def median_ms(self, what, n):
        body = self.train if what == "train" else self.predict
        body()                                                   # warm-up
        times = []
        for _ in range(max(1, n)):
            t0 = time.perf_counter()
            body()
            times.append((time.perf_counter() - t0) * 1e3)
        times.sort()
        return times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--serve", action="store_true", help="answer 'train N' / 'predict N' lines on stdin")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--iterations", type=int, default=20)
    a = ap.parse_args()
    if a.batch < 1 or a.iterations < 1 or a.threads < 1:
        ap.error("--batch, --iterations and --threads must be positive")
    torch.set_num_threads(a.threads)
    b = Bench(batch=a.batch)
    hello = {"torch": torch.__version__, "threads": torch.get_num_threads(), "parameters": b.parameters}
    if not a.serve:
        hello["train_ms"] = b.median_ms("train", a.iterations)
        hello["predict_ms"] = b.median_ms("predict", a.iterations)
        print(json.dumps(hello))
        return
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        try:
            what, n = words[0], int(words[1])
            if what not in ("train", "predict") or n < 1:
                raise ValueError
        except (ValueError, IndexError):
            print(json.dumps({"error": f"expected 'train N' or 'predict N', got {line.strip()!r}"}), flush=True)
            continue
        ms = b.median_ms(what, n)
        if not math.isfinite(ms):
            print(json.dumps({"error": "non-finite time"}), flush=True)
            continue
        print(json.dumps({what + "_ms": ms}), flush=True)


if __name__ == "__main__":
    main()
