"""Compiled LCMCR Gibbs sweeps (optional: used only when Numba is installed).

The same full conditionals as ``lcmcr.py`` (and as R's LCMCR ``lcm_CR_Basic``), arranged so that
a sweep costs little more than its random draws:

- class probabilities of each capture pattern are products of ``lambda`` and ``1 - lambda`` in
  the linear domain (no logs or exps), with a log-domain fallback should a row underflow;
- each pattern's multinomial is drawn by sequential binomials over its classes in decreasing
  order of probability, stopping when everyone is placed (usually after two or three classes),
  and patterns seen a handful of times draw each person's class directly;
- Beta draws with a zero count use closed forms (``Beta(1, b) = 1 - U^(1/b)``), so the empty
  and unobserved-only classes of the truncated stick-breaking prior cost one uniform each.

Every shortcut is an exact draw from the same distribution. The random stream is Numba's own,
so a seed reproduces draws within one backend, not across backends.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_SMALL = 4  # patterns seen at most this often: one categorical draw per person


@njit(cache=True, inline="always")
def _beta_1p(a: float, b: float) -> float:
    """Beta(1 + a, 1 + b) for counts a, b >= 0, with cheap exact forms when one is zero."""
    if a == 0.0:
        if b == 0.0:
            return float(np.random.random())
        return float(1.0 - np.random.random() ** (1.0 / (1.0 + b)))
    if b == 0.0:
        return float(np.random.random() ** (1.0 / (1.0 + a)))
    return float(np.random.beta(1.0 + a, 1.0 + b))


@njit(cache=True)
def _allocate(
    total: int, prob: np.ndarray, order: np.ndarray, n_classes: int, out: np.ndarray
) -> None:
    """Multinomial(total, prob / sum(prob)) into ``out`` (zeroed here); ``prob`` >= 0."""
    for k in range(n_classes):
        out[k] = 0
    if total == 0:
        return
    norm = 0.0
    for k in range(n_classes):
        norm += prob[k]
    # Classes by decreasing probability (insertion sort: K is small).
    for k in range(n_classes):
        order[k] = k
    for i in range(1, n_classes):
        key = order[i]
        pk = prob[key]
        m = i - 1
        while m >= 0 and prob[order[m]] < pk:
            order[m + 1] = order[m]
            m -= 1
        order[m + 1] = key
    if total <= _SMALL:
        for _ in range(total):
            u = np.random.random() * norm
            acc = 0.0
            chosen = order[0]
            for i in range(n_classes):
                k = order[i]
                if prob[k] <= 0.0:
                    break
                chosen = k
                acc += prob[k]
                if u < acc:
                    break
            out[chosen] += 1
        return
    rem = total
    rest = norm
    for i in range(n_classes):
        k = order[i]
        pk = prob[k]
        if i == n_classes - 1 or pk >= rest:
            out[k] += rem
            return
        c = np.random.binomial(rem, pk / rest)
        out[k] += c
        rem -= c
        if rem == 0:
            return
        rest -= pk


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
    pi = np.empty(n_classes)
    miss = np.empty(n_classes)
    prob = np.empty(n_classes)
    order = np.empty(n_classes, dtype=np.int64)
    alloc = np.empty(n_classes, dtype=np.int64)
    size = np.empty(n_classes, dtype=np.int64)
    ones = np.empty((n_classes, n_lists), dtype=np.int64)
    total = burnin + samples * thinning
    for it in range(total):
        left = 1.0
        for k in range(n_classes):
            pi[k] = v[k] * left
            left *= 1.0 - v[k]
        for k in range(n_classes):
            s = pi[k]
            for j in range(n_lists):
                lam[k, j] = min(max(lam[k, j], 1e-12), 1.0 - 1e-12)
                s *= 1.0 - lam[k, j]
            miss[k] = s
            size[k] = 0
            for j in range(n_lists):
                ones[k, j] = 0
        # Observed people: one multinomial per capture pattern.
        for p in range(n_pat):
            norm = 0.0
            for k in range(n_classes):
                s = pi[k]
                for j in range(n_lists):
                    s *= lam[k, j] if x[p, j] else 1.0 - lam[k, j]
                prob[k] = s
                norm += s
            if not norm > 1e-250:  # underflow: redo this pattern in logs
                mx = -math.inf
                for k in range(n_classes):
                    s = math.log(max(pi[k], 1e-300))
                    for j in range(n_lists):
                        s += math.log(lam[k, j]) if x[p, j] else math.log1p(-lam[k, j])
                    prob[k] = s
                    mx = max(mx, s)
                for k in range(n_classes):
                    prob[k] = math.exp(prob[k] - mx)
            _allocate(counts[p], prob, order, n_classes, alloc)
            for k in range(n_classes):
                c = alloc[k]
                if c:
                    size[k] += c
                    for j in range(n_lists):
                        if x[p, j]:
                            ones[k, j] += c
        # Unobserved people: NegBin(n, 1 - pi0) as a gamma-Poisson mixture, then classes.
        pi0 = 0.0
        for k in range(n_classes):
            pi0 += miss[k]
        pi0 = min(pi0, 1.0 - 1e-12)
        n0 = np.random.poisson(np.random.standard_gamma(float(n_obs)) * pi0 / (1.0 - pi0))
        _allocate(n0, miss, order, n_classes, alloc)
        for k in range(n_classes):
            size[k] += alloc[k]
        for k in range(n_classes):
            for j in range(n_lists):
                lam[k, j] = _beta_1p(float(ones[k, j]), float(size[k] - ones[k, j]))
        # Stick-breaking weights V_k ~ Beta(1 + n_k, alpha + n_{>k}) and their concentration.
        tail = 0
        rate = b_alpha
        for k in range(n_classes - 1, -1, -1):
            if k < n_classes - 1:
                b = alpha + tail
                if size[k] == 0:
                    vk = 1.0 - np.random.random() ** (1.0 / b)
                else:
                    vk = np.random.beta(1.0 + size[k], b)
                v[k] = min(vk, 1.0 - 1e-16)
                rate -= math.log1p(-v[k])
            tail += size[k]
        alpha = np.random.gamma(a_alpha + n_classes - 1, 1.0 / rate)
        if it >= burnin and (it - burnin) % thinning == thinning - 1:
            out[(it - burnin) // thinning] = n_obs + n0
    return out
