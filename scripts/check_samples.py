#!/usr/bin/env python3
"""Recompute ODE error and NLL of a quickstart report from its saved .npy samples,
independently of CMLab (NumPy only). Usage:

    python3 scripts/check_samples.py reports/quickstart

ODE error: mean over all elements of (student − teacher)², row i of each from row i
of z.npy. NLL: −mean log p(x) under ring8 (8 equal Gaussians on the unit circle,
std 0.05), with log-sum-exp.
"""
import os, sys
import numpy as np

def ring8_logpdf(x):
    a = 2 * np.pi * np.arange(8) / 8
    mu = np.stack([np.cos(a), np.sin(a)], 1)
    s2 = 0.05 ** 2
    r2 = ((x[:, None, :].astype(np.float64) - mu[None]) ** 2).sum(-1)
    l = np.log(1 / 8) - np.log(2 * np.pi * s2) - r2 / (2 * s2)
    m = l.max(1)
    return m + np.log(np.exp(l - m[:, None]).sum(1))

def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "reports/quickstart"
    teacher = np.load(os.path.join(d, "teacher.npy")).astype(np.float64)
    print(f"{'samples':16s} {'ode_error':>10s} {'nll':>9s}")
    print(f"{'teacher':16s} {0:10.4g} {-ring8_logpdf(teacher).mean():9.4g}")
    for name in ["cm", "cm95", "dcm"]:
        for k in [1, 2, 4]:
            f = os.path.join(d, f"{name}_{k}step.npy")
            if not os.path.exists(f):
                continue
            x = np.load(f).astype(np.float64)
            print(f"{name + ' ' + str(k) + ' step':16s} {((x - teacher) ** 2).mean():10.4g} {-ring8_logpdf(x).mean():9.4g}")

if __name__ == "__main__":
    main()
