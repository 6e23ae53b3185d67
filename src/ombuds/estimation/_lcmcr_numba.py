"""Compiled LCMCR Gibbs sweeps (optional: used only when Numba is installed).

The same full conditionals as ``lcmcr.py`` (and as R's LCMCR ``lcm_CR_Basic``), arranged so that
a sweep costs little more than its random draws:

- class probabilities of each capture pattern are products of ``lambda`` and ``1 - lambda`` in
  the linear domain (no logs or exps), with a log-domain fallback should a row underflow;
- each pattern's multinomial is drawn by sequential binomials over the classes, heaviest first
  (sorted once a sweep), stopping as soon as everyone is placed; patterns seen a handful of
  times draw each person's class directly;
- uniforms come from an inline xoshiro256+ generator (NumPy's generator costs ~16 ns a call
  from compiled code); normals, gammas (Marsaglia & Tsang) and betas are built on it;
  binomials with mean up to 30 are drawn by inversion on it (with an exact shortcut for the
  many draws that are surely zero), larger ones by NumPy's BTPE;
- Beta draws with a zero count use closed forms (``Beta(1, b) = 1 - U^(1/b)``), so the empty
  and unobserved-only classes of the truncated stick-breaking prior cost one uniform each.

Every shortcut is an exact draw from the same distribution. The random streams are this
module's own, so a seed reproduces draws within one backend, not across backends.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, uint64

_SMALL = 24  # patterns seen at most this often: one categorical draw per person


@njit(cache=True, nogil=True, inline="always")
def _rotl(x: np.uint64, k: int) -> np.uint64:
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(cache=True, nogil=True)
def seed_state(seed: int) -> np.ndarray:
    """State of the xoshiro256+ generator, filled by splitmix64 from ``seed``."""
    s = np.empty(4, dtype=np.uint64)
    z = uint64(seed) + uint64(0x9E3779B97F4A7C15)
    for i in range(4):
        z = z + uint64(0x9E3779B97F4A7C15)
        t = z
        t = (t ^ (t >> uint64(30))) * uint64(0xBF58476D1CE4E5B9)
        t = (t ^ (t >> uint64(27))) * uint64(0x94D049BB133111EB)
        s[i] = t ^ (t >> uint64(31))
    return s


@njit(cache=True, nogil=True, inline="always")
def uniform(s: np.ndarray) -> float:
    """Uniform on [0, 1) from xoshiro256+ (Blackman & Vigna): ~1 ns against NumPy's ~16 ns."""
    result = s[0] + s[3]
    t = s[1] << uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return float(result >> uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def normal(s: np.ndarray) -> float:
    """Standard normal by Marsaglia's polar method."""
    while True:
        u = 2.0 * uniform(s) - 1.0
        v = 2.0 * uniform(s) - 1.0
        r = u * u + v * v
        if 0.0 < r < 1.0:
            return u * math.sqrt(-2.0 * math.log(r) / r)


@njit(cache=True, nogil=True)
def gamma(s: np.ndarray, a: float) -> float:
    """Gamma(a, 1) by Marsaglia & Tsang (2000); shapes below 1 boosted by U^(1/a)."""
    boost = 1.0
    if a < 1.0:
        boost = float((1.0 - uniform(s)) ** (1.0 / a))
        a += 1.0
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = normal(s)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform(s)
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2:
            return d * v * boost
        if math.log(u) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            return d * v * boost


@njit(cache=True, nogil=True)
def binomial(s: np.ndarray, n: int, p: float) -> int:
    """Binomial(n, p): inversion on this generator for means up to 30, else NumPy's BTPE."""
    if n == 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    flipped = p > 0.5
    r = 1.0 - p if flipped else p
    mean = n * r
    if mean > 30.0:
        x = np.random.binomial(n, r)
    else:
        u = uniform(s)
        if u <= 1.0 - mean:  # (1 - r)^n >= 1 - n r: surely zero, no need for the power
            return n if flipped else 0
        q = 1.0 - r
        ratio = r / q
        while True:
            px = math.exp(n * math.log1p(-r))
            x = 0
            while u > px and x < n:
                u -= px
                x += 1
                px *= ratio * (n - x + 1) / x
            if u <= px:
                break
            u = uniform(s)
    return n - x if flipped else x


@njit(cache=True, nogil=True, inline="always")
def _beta_1p(s: np.ndarray, a: float, b: float) -> float:
    """Beta(1 + a, 1 + b) for counts a, b >= 0, with cheap exact forms when one is zero."""
    if a == 0.0:
        if b == 0.0:
            return uniform(s)
        return 1.0 - float((1.0 - uniform(s)) ** (1.0 / (1.0 + b)))
    if b == 0.0:
        return float((1.0 - uniform(s)) ** (1.0 / (1.0 + a)))
    g = gamma(s, 1.0 + a)
    return g / (g + gamma(s, 1.0 + b))


@njit(cache=True, nogil=True)
def _allocate(
    s: np.ndarray,
    total: int,
    prob: np.ndarray,
    order: np.ndarray,
    n_classes: int,
    out: np.ndarray,
) -> None:
    """Multinomial(total, prob / sum(prob)) into ``out`` (zeroed here); ``prob`` >= 0.

    ``order`` lists the classes, most probable first (any order gives the same law; a good one
    lets the sequential binomials stop early).
    """
    for k in range(n_classes):
        out[k] = 0
    if total == 0:
        return
    norm = 0.0
    for k in range(n_classes):
        norm += prob[k]
    if total <= _SMALL:
        for _ in range(total):
            u = uniform(s) * norm
            acc = 0.0
            chosen = -1
            for i in range(n_classes):
                k = order[i]
                if prob[k] > 0.0:
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
        c = binomial(s, rem, pk / rest)
        out[k] += c
        rem -= c
        if rem == 0:
            return
        rest -= pk


@njit(cache=True, nogil=True)
def _sort_desc(values: np.ndarray, order: np.ndarray, n: int) -> None:
    """Indices of ``values`` by decreasing value, into ``order`` (insertion sort: n is small)."""
    for k in range(n):
        order[k] = k
    for i in range(1, n):
        key = order[i]
        val = values[key]
        m = i - 1
        while m >= 0 and values[order[m]] < val:
            order[m + 1] = order[m]
            m -= 1
        order[m + 1] = key


@njit(cache=True, nogil=True)
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
    st = seed_state(seed)
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
        # Observed people: one multinomial per capture pattern, classes visited by weight.
        _sort_desc(pi, order, n_classes)
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
            _allocate(st, counts[p], prob, order, n_classes, alloc)
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
        n0 = np.random.poisson(gamma(st, float(n_obs)) * pi0 / (1.0 - pi0))
        _sort_desc(miss, order, n_classes)
        _allocate(st, n0, miss, order, n_classes, alloc)
        for k in range(n_classes):
            size[k] += alloc[k]
        for k in range(n_classes):
            for j in range(n_lists):
                lam[k, j] = _beta_1p(st, float(ones[k, j]), float(size[k] - ones[k, j]))
        # Stick-breaking weights V_k ~ Beta(1 + n_k, alpha + n_{>k}) and their concentration.
        tail = 0
        rate = b_alpha
        for k in range(n_classes - 1, -1, -1):
            if k < n_classes - 1:
                b = alpha + tail
                if size[k] == 0:
                    vk = 1.0 - (1.0 - uniform(st)) ** (1.0 / b)
                else:
                    g = gamma(st, 1.0 + size[k])
                    vk = g / (g + gamma(st, b))
                v[k] = min(vk, 1.0 - 1e-16)
                rate -= math.log1p(-v[k])
            tail += size[k]
        alpha = gamma(st, a_alpha + n_classes - 1) / rate
        if it >= burnin and (it - burnin) % thinning == thinning - 1:
            out[(it - burnin) // thinning] = n_obs + n0
    return out
