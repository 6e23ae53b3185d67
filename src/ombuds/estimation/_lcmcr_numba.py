"""Compiled LCMCR Gibbs sweeps (optional: used only when Numba is installed).

The NumPy sampler spends nearly all of its time in per-call overhead of NumPy's random
generators (a 5-list sweep is ~300 binomial and ~60 beta draws); compiled scalar loops remove
that overhead. The arithmetic is the same as in ``lcmcr.py``; the random stream is Numba's own,
so a seed reproduces draws within one backend, not across backends.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def run_chain(
    x: np.ndarray,
    counts: np.ndarray,
    n_classes: int,
    a_alpha: float,
    b_alpha: float,
    burnin: int,
    samples: int,
    thinning: int,
    seed: int,
) -> np.ndarray:
    np.random.seed(seed)
    n_pat, n_lists = x.shape
    n_obs = 0
    for p in range(n_pat):
        n_obs += counts[p]
    lam = np.empty((n_classes, n_lists))
    for k in range(n_classes):
        for j in range(n_lists):
            lam[k, j] = np.random.beta(1.0, 1.0)
    alpha = 1.0
    v = np.empty(n_classes)
    for k in range(n_classes - 1):
        v[k] = np.random.beta(1.0, alpha)
    v[n_classes - 1] = 1.0
    out = np.empty(samples, dtype=np.int64)
    log_pi = np.empty(n_classes)
    diff = np.empty((n_classes, n_lists))
    miss = np.empty(n_classes)
    prob = np.empty(n_classes)
    size = np.empty(n_classes, dtype=np.int64)
    ones = np.empty((n_classes, n_lists), dtype=np.int64)
    total = burnin + samples * thinning
    for it in range(total):
        acc = 0.0
        for k in range(n_classes):
            vk = min(max(v[k], 1e-300), 1.0)
            log_pi[k] = math.log(vk) + acc
            if k < n_classes - 1:
                acc += math.log1p(-min(vk, 1.0 - 1e-16))
        for k in range(n_classes):
            s = log_pi[k]
            for j in range(n_lists):
                lk = min(max(lam[k, j], 1e-300), 1.0 - 1e-16)
                l1 = math.log1p(-lk)
                diff[k, j] = math.log(lk) - l1
                s += l1
            miss[k] = s
            size[k] = 0
            for j in range(n_lists):
                ones[k, j] = 0
        # Observed people: one multinomial per pattern, by sequential binomials.
        for p in range(n_pat):
            mx = -1e300
            for k in range(n_classes):
                s = miss[k]
                for j in range(n_lists):
                    if x[p, j]:
                        s += diff[k, j]
                prob[k] = s
                mx = max(mx, s)
            norm = 0.0
            for k in range(n_classes):
                prob[k] = math.exp(prob[k] - mx)
                norm += prob[k]
            rem = counts[p]
            rest = 1.0
            for k in range(n_classes):
                if rem == 0:
                    break
                pk = prob[k] / norm
                c = (
                    rem
                    if (k == n_classes - 1 or rest <= pk)
                    else np.random.binomial(rem, min(1.0, pk / rest))
                )
                rem -= c
                rest -= pk
                size[k] += c
                for j in range(n_lists):
                    if x[p, j]:
                        ones[k, j] += c
        # Unobserved people: NegBin(n, 1 - pi0) as a gamma-Poisson mixture, then classes.
        mx = miss.max()
        norm = 0.0
        for k in range(n_classes):
            prob[k] = math.exp(miss[k] - mx)
            norm += prob[k]
        pi0 = min(math.exp(mx) * norm, 1.0 - 1e-12)
        n0 = np.random.poisson(np.random.standard_gamma(float(n_obs)) * pi0 / (1.0 - pi0))
        rem = n0
        rest = 1.0
        for k in range(n_classes):
            if rem == 0:
                break
            pk = prob[k] / norm
            c = (
                rem
                if (k == n_classes - 1 or rest <= pk)
                else np.random.binomial(rem, min(1.0, pk / rest))
            )
            rem -= c
            rest -= pk
            size[k] += c
        for k in range(n_classes):
            for j in range(n_lists):
                lam[k, j] = np.random.beta(1.0 + ones[k, j], 1.0 + size[k] - ones[k, j])
        tail = 0
        for k in range(n_classes - 1, -1, -1):
            if k < n_classes - 1:
                v[k] = np.random.beta(1.0 + size[k], alpha + tail)
            tail += size[k]
        rate = b_alpha
        for k in range(n_classes - 1):
            rate -= math.log1p(-min(v[k], 1.0 - 1e-16))
        alpha = np.random.gamma(a_alpha + n_classes - 1, 1.0 / rate)
        if it >= burnin and (it - burnin) % thinning == thinning - 1:
            out[(it - burnin) // thinning] = n_obs + n0
    return out
