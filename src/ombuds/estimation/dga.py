"""Bayesian model averaging over decomposable graphical models (Madigan & York 1997; R's dga).

Each decomposable graph on the K lists is a log-linear model whose cliques carry the list
dependence. With a hyper-Dirichlet prior (``delta`` per cell of the full 2^K table) the marginal
likelihood of a complete table factorises over cliques and separators, so the posterior of the
unobserved count n0 is available in closed form for every graph; averaging over graphs with a
uniform prior gives the posterior of N. Feasible for 3 to 5 lists (8, 61, 822 graphs).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import special

from ombuds.estimation.data import CaptureData
from ombuds.estimation.errors import EstimationRefused
from ombuds.estimation.result import EstimateResult

FloatArray = npt.NDArray[np.float64]
Graph = tuple[tuple[frozenset[int], ...], tuple[frozenset[int], ...]]  # cliques, separators
LogPrior = Callable[[FloatArray], FloatArray]

MIN_LISTS, MAX_LISTS = 3, 5


def _is_chordal(k: int, edges: set[tuple[int, int]]) -> bool:
    adj = {v: {u for e in edges for u in e if v in e and u != v} for v in range(k)}
    remaining = set(range(k))
    # A graph is chordal iff simplicial vertices can be removed one by one until none is left.
    while remaining:
        for v in remaining:
            nb = adj[v] & remaining
            if all((min(a, b), max(a, b)) in edges for a, b in itertools.combinations(nb, 2)):
                remaining.discard(v)
                break
        else:
            return False
    return True


def _cliques_and_separators(k: int, edges: set[tuple[int, int]]) -> Graph:
    def complete(s: Sequence[int]) -> bool:
        return all((a, b) in edges for a, b in itertools.combinations(sorted(s), 2))

    complete_sets = [
        frozenset(s) for r in range(1, k + 1) for s in itertools.combinations(range(k), r)
    ]
    complete_sets = [s for s in complete_sets if complete(sorted(s))]
    cliques = [s for s in complete_sets if not any(s < t for t in complete_sets)]
    # A maximum-weight spanning tree of the clique graph is a junction tree (chordal graphs);
    # zero-weight links join components and give empty separators, which contribute nothing.
    in_tree = {0}
    separators: list[frozenset[int]] = []
    while len(in_tree) < len(cliques):
        best = max(
            ((i, j) for i in in_tree for j in range(len(cliques)) if j not in in_tree),
            key=lambda ij: len(cliques[ij[0]] & cliques[ij[1]]),
        )
        separators.append(cliques[best[0]] & cliques[best[1]])
        in_tree.add(best[1])
    return tuple(cliques), tuple(s for s in separators if s)


@lru_cache(maxsize=8)
def decomposable_graphs(k: int) -> tuple[Graph, ...]:
    """All decomposable graphs on ``k`` vertices as (cliques, separators)."""
    pairs = list(itertools.combinations(range(k), 2))
    graphs = []
    for mask in range(1 << len(pairs)):
        edges = {pairs[i] for i in range(len(pairs)) if (mask >> i) & 1}
        if _is_chordal(k, edges):
            graphs.append(_cliques_and_separators(k, edges))
    return tuple(graphs)


def _margin_term(
    y: npt.NDArray[np.int64], k: int, subset: frozenset[int], n0: FloatArray, delta: float
) -> FloatArray:
    """log Dirichlet-multinomial normaliser ratio of the margin on ``subset``, for each n0."""
    cells = np.arange(1 << k)
    mask = sum(1 << j for j in subset)
    margin = np.bincount(
        np.array([c & mask for c in cells]), weights=y.astype(np.float64), minlength=1 << k
    )
    keys = [m for m in range(1 << k) if m & ~mask == 0]
    a_cell = delta * 2.0 ** (k - len(subset))
    a_tot = delta * 2.0**k
    total = float(y.sum()) + n0
    out = special.gammaln(a_tot) - special.gammaln(a_tot + total)
    fixed = sum(
        float(special.gammaln(a_cell + margin[m]) - special.gammaln(a_cell)) for m in keys[1:]
    )
    out = out + fixed + special.gammaln(a_cell + margin[0] + n0) - special.gammaln(a_cell)
    return np.asarray(out, dtype=np.float64)


def graph_log_posteriors(
    data: CaptureData,
    missing: FloatArray,
    *,
    delta: float,
    log_prior: LogPrior,
) -> FloatArray:
    """Unnormalised log posterior of (graph, n0): shape (graphs, len(missing))."""
    k = data.k
    y = data.cell_counts()
    n = float(y.sum())
    cache: dict[frozenset[int], FloatArray] = {}

    def term(s: frozenset[int]) -> FloatArray:
        if s not in cache:
            cache[s] = _margin_term(y, k, s, missing, delta)
        return cache[s]

    big_n = n + missing
    # Multinomial coefficient N!/(n0! prod y!) (the prod y! is constant) and the prior on N.
    common = special.gammaln(big_n + 1) - special.gammaln(missing + 1) + log_prior(big_n)
    rows = []
    for cliques, seps in decomposable_graphs(k):
        lml = sum((term(c) for c in cliques), np.zeros_like(missing))
        lml = lml - sum((term(s) for s in seps), np.zeros_like(missing))
        rows.append(lml + common)
    return np.vstack(rows)


def _default_grid(n: int) -> FloatArray:
    # Every integer near n, then geometric steps: the posterior of N is smooth in its tail.
    dense = np.arange(0, 2000, dtype=np.float64)
    tail = np.unique(np.round(np.geomspace(2000, max(200.0 * n, 1e5), 4000)))
    return np.concatenate([dense, tail[tail > dense[-1]]])


def estimate_dga(
    data: CaptureData,
    *,
    delta: float | None = None,
    log_prior: LogPrior | None = None,
    missing_grid: Sequence[float] | None = None,
    level: float = 0.95,
    posterior_draws: int = 4000,
    seed: int | None = None,
) -> EstimateResult:
    """Model-averaged posterior of N over decomposable graphs; estimate = posterior median.

    Defaults follow dga: ``delta = 2^-K`` per cell and ``log p(N) = -log N``. ``missing_grid``
    (values of n0) defaults to every integer below 2,000 and a geometric grid beyond, weighted
    by its spacing. Diagnostics give the posterior mode, the Bayes estimator under relative
    squared error (E[1/N] / E[1/N^2], Madigan & York's choice) and the top graphs.

    ``posterior_draws`` values of N are drawn from the posterior on the grid (with ``seed``)
    and kept in ``draws``, so that independent strata can be added up draw by draw; the
    estimate and interval themselves come from the exact posterior and need no seed.

    Raises ``EstimationRefused`` when fewer than 3 or more than 5 lists saw anyone, or the
    posterior still has mass at the end of the grid (the data do not bound N).
    """
    data.require_estimable()
    data = data.without_empty_lists()
    if data.k > MAX_LISTS:
        raise EstimationRefused(
            f"dga averages over decomposable graphs for {MIN_LISTS} to {MAX_LISTS} lists; "
            f"these data have {data.k}"
        )
    if posterior_draws < 0:
        raise ValueError("posterior_draws must not be negative")
    d = 2.0**-data.k if delta is None else delta
    prior: LogPrior = log_prior if log_prior is not None else (lambda big_n: -np.log(big_n))
    if missing_grid is None:
        grid = _default_grid(data.observed)
        weights = np.gradient(grid)
    else:
        grid = np.asarray(missing_grid, dtype=np.float64)
        weights = np.ones_like(grid)
    logp = graph_log_posteriors(data, grid, delta=d, log_prior=prior)
    logp = logp + np.log(weights)[None, :]
    logp -= logp.max()
    joint = np.exp(logp)
    total = joint.sum()
    graph_post = joint.sum(axis=1) / total
    post = joint.sum(axis=0) / total
    if missing_grid is None and post[-20:].sum() > 1e-4:
        raise EstimationRefused(
            "the posterior of N does not decay within 200 times the observed count: the "
            "data do not bound the population"
        )
    big_n = data.observed + grid
    cdf = np.cumsum(post)
    a = (1 - level) / 2

    def quantile(q: float) -> float:
        return float(big_n[min(int(np.searchsorted(cdf, q)), len(big_n) - 1)])

    # Mode of the density per unit of N, not per grid point.
    density = post / weights
    bayes = float((post / big_n).sum() / (post / big_n**2).sum())
    rng = np.random.default_rng(seed)
    draws = big_n[rng.choice(len(big_n), size=posterior_draws, p=post / post.sum())]
    graphs = decomposable_graphs(data.k)
    top = np.argsort(graph_post)[::-1][:3]

    def name(g: Graph) -> str:
        return " ".join("[" + ",".join(data.lists[j] for j in sorted(c)) + "]" for c in g[0])

    return EstimateResult(
        method="dga",
        observed=data.observed,
        estimate=quantile(0.5),
        lower=quantile(a),
        upper=quantile(1 - a),
        level=level,
        diagnostics={
            "posterior_mode": float(big_n[int(np.argmax(density))]),
            "bayes_estimator_relative_loss": round(bayes, 3),
            "posterior_mean": round(float((post * big_n).sum()), 3),
            "delta": d,
            "graphs": len(graphs),
            "top_graphs": [
                {"cliques": name(graphs[i]), "posterior": round(float(graph_post[i]), 4)}
                for i in top
            ],
        },
        draws=draws if posterior_draws else None,
    )
