#!/usr/bin/env python3
"""Independent check of `cmlab solve`: the same solvers written from k-diffusion's
update rules in NumPy (float64), run on the initial states cmlab wrote, compared to
cmlab's final states. Usage:

    python3 scripts/check_solve.py [path/to/cmlab]

Exits non-zero if any solver differs by more than 1e-4 (max abs).
"""
import subprocess, sys, tempfile, os
import numpy as np

def ring8():
    a = 2 * np.pi * np.arange(8) / 8
    return np.stack([np.cos(a), np.sin(a)], 1), np.full(8, 0.05), np.full(8, 1 / 8)

def grid25():
    v = np.linspace(-1, 1, 5)
    mu = np.array([[a, b] for a in v for b in v])
    return mu, np.full(25, 0.02), np.full(25, 1 / 25)

def denoiser(mix):
    mu, s, pi = mix
    def D(x, sigma):
        v = s**2 + sigma**2                                   # [K]
        r2 = ((x[:, None, :] - mu[None]) ** 2).sum(-1)        # [B, K]
        logw = np.log(pi) - x.shape[1] / 2 * np.log(2 * np.pi * v) - r2 / (2 * v)
        w = np.exp(logw - logw.max(1, keepdims=True)); w /= w.sum(1, keepdims=True)
        post = mu[None] + (s**2 / v)[None, :, None] * (x[:, None, :] - mu[None])
        return (w[:, :, None] * post).sum(1)
    return D

def karras(n, smin=0.002, smax=80.0, rho=7.0):
    ramp = np.linspace(0, 1, n)
    return (smax ** (1 / rho) + ramp * (smin ** (1 / rho) - smax ** (1 / rho))) ** rho

def to_d(x, sigma, denoised): return (x - denoised) / sigma

def euler(D, x, sig):
    for i in range(len(sig) - 1):
        x = x + to_d(x, sig[i], D(x, sig[i])) * (sig[i + 1] - sig[i])
    return x

def heun(D, x, sig):
    for i in range(len(sig) - 1):
        d = to_d(x, sig[i], D(x, sig[i])); dt = sig[i + 1] - sig[i]
        x2 = x + d * dt
        d2 = to_d(x2, sig[i + 1], D(x2, sig[i + 1]))
        x = x + (d + d2) / 2 * dt
    return x

def rk4(D, x, sig):
    f = lambda x, s: to_d(x, s, D(x, s))
    for i in range(len(sig) - 1):
        a, b = sig[i], sig[i + 1]; h = b - a
        k1 = f(x, a); k2 = f(x + h / 2 * k1, a + h / 2); k3 = f(x + h / 2 * k2, a + h / 2); k4 = f(x + h * k3, b)
        x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x

def dpmpp2m(D, x, sig):
    t = lambda s: -np.log(s)
    old = None
    for i in range(len(sig) - 1):
        den = D(x, sig[i]); h = t(sig[i + 1]) - t(sig[i])
        if old is None:
            x = (sig[i + 1] / sig[i]) * x - np.expm1(-h) * den
        else:
            r = (t(sig[i]) - t(sig[i - 1])) / h
            dd = (1 + 1 / (2 * r)) * den - (1 / (2 * r)) * old
            x = (sig[i + 1] / sig[i]) * x - np.expm1(-h) * dd
        old = den
    return x

def main():
    cmlab = sys.argv[1] if len(sys.argv) > 1 else ".build/release/cmlab"
    worst = 0.0
    with tempfile.TemporaryDirectory() as d:
        for data, mix in [("ring8", ring8()), ("grid25", grid25())]:
            for name, fn in [("euler", euler), ("heun", heun), ("dpmpp2m", dpmpp2m), ("rk4", rk4)]:
                for n in [10, 40]:
                    z, out = os.path.join(d, "z.npy"), os.path.join(d, "x.npy")
                    subprocess.run([cmlab, "solve", "--data", data, "--solver", name, "--grid", str(n),
                                    "--count", "2000", "--seed", "5", "--init-out", z, "--out", out],
                                   check=True, stderr=subprocess.DEVNULL)
                    x0, x1 = np.load(z), np.load(out)
                    ref = fn(denoiser(mix), x0.astype(np.float64), karras(n))
                    err = np.abs(ref - x1).max()
                    worst = max(worst, err)
                    print(f"{data:7s} {name:8s} N={n:3d}  max |cmlab - numpy| = {err:.2e}")
    print(f"worst {worst:.2e} (tolerance 1e-4)")
    sys.exit(0 if worst <= 1e-4 else 1)

if __name__ == "__main__":
    main()
