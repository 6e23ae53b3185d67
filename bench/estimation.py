"""Simulation study and sampler speed for ``ombuds.estimation``.

Run: ``.venv/bin/python bench/estimation.py --reps 100 --workers 2`` (prints a Markdown table).
Populations of known size N are drawn under scenarios from easy to hard; each method's 95%
interval is checked for covering N, with the relative bias of the point estimate and the time.
``--speed`` measures the LCMCR sampler's iterations per second at 5 lists, ~10,000 observed.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from ombuds.estimation import (
    CaptureData,
    EstimateResult,
    EstimationRefused,
    estimate_dga,
    estimate_lcmcr,
    estimate_loglinear,
)
from ombuds.estimation.lcmcr import sample_lcmcr

N_TRUE = 2000
LISTS = 5


@dataclass(frozen=True)
class Scenario:
    name: str
    what: str
    draw: Callable[[np.random.Generator, int], np.ndarray]


def _classes(weights: list[float], probs: list[list[float]]) -> Callable[..., np.ndarray]:
    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        z = rng.choice(len(weights), size=n, p=weights)
        return rng.random((n, LISTS)) < np.asarray(probs)[z]

    return draw


def _dependent(rng: np.random.Generator, n: int) -> np.ndarray:
    # Lists 0 and 1 share referrals: being on list 0 raises the chance of list 1 from 0.15 to
    # 0.6, and list 3 avoids people on list 2; no latent class structure explains it exactly.
    seen = rng.random((n, LISTS)) < np.array([0.25, 0.15, 0.3, 0.25, 0.2])
    seen[:, 1] = np.where(seen[:, 0], rng.random(n) < 0.6, seen[:, 1])
    seen[:, 3] = np.where(seen[:, 2], rng.random(n) < 0.1, seen[:, 3])
    return seen


SCENARIOS = [
    Scenario(
        "independent",
        "one class, lists independent, capture 0.2-0.35",
        _classes([1.0], [[0.2, 0.3, 0.25, 0.35, 0.2]]),
    ),
    Scenario(
        "two-classes",
        "70% class captured 0.3-0.5, 30% class captured 0.05-0.15",
        _classes([0.7, 0.3], [[0.3, 0.4, 0.5, 0.35, 0.45], [0.05, 0.1, 0.15, 0.1, 0.05]]),
    ),
    Scenario(
        "rare-class",
        "40% class captured 0.03 by every list, 60% captured 0.3-0.5",
        _classes([0.6, 0.4], [[0.3, 0.4, 0.5, 0.35, 0.45], [0.03] * 5]),
    ),
    Scenario("dependent-lists", "lists 0-1 positively, 2-3 negatively dependent", _dependent),
    Scenario(
        "two-classes-visible",
        "60% class captured 0.4-0.55, 40% class captured 0.15-0.25",
        _classes([0.6, 0.4], [[0.5, 0.45, 0.55, 0.5, 0.4], [0.2, 0.15, 0.25, 0.2, 0.2]]),
    ),
]

LCMCR_BENCH = {"burnin": 5000, "samples": 1000, "thinning": 10, "chains": 2}

METHODS: dict[str, Callable[[CaptureData, int], EstimateResult]] = {
    "lcmcr": lambda d, s: estimate_lcmcr(d, seed=s, **LCMCR_BENCH),  # type: ignore[arg-type]
    "loglinear": lambda d, s: estimate_loglinear(d, max_order=2),
    "dga": lambda d, s: estimate_dga(d),
}


def table_of(seen: np.ndarray) -> CaptureData:
    idx = (seen * (1 << np.arange(LISTS))).sum(axis=1)
    cells = np.bincount(idx, minlength=1 << LISTS)
    return CaptureData.from_cells([f"L{j}" for j in range(LISTS)], cells)


def one_replicate(
    args: tuple[int, int, tuple[str, ...]],
) -> list[tuple[str, str, float, float, float, float]]:
    scenario_index, rep, methods = args
    sc = SCENARIOS[scenario_index]
    rng = np.random.default_rng([scenario_index, rep])
    data = table_of(sc.draw(rng, N_TRUE))
    rows = []
    for name in methods:
        fn = METHODS[name]
        t = time.perf_counter()
        try:
            r = fn(data, rep)
            rows.append((sc.name, name, r.estimate, r.lower, r.upper, time.perf_counter() - t))
        except EstimationRefused:
            rows.append((sc.name, name, np.nan, np.nan, np.nan, time.perf_counter() - t))
    return rows


def simulation(
    reps: int, workers: int, methods: tuple[str, ...], scenarios: tuple[str, ...]
) -> None:
    chosen = [sc for sc in SCENARIOS if sc.name in scenarios]
    jobs = [(SCENARIOS.index(sc), r, methods) for sc in chosen for r in range(reps)]
    with ProcessPoolExecutor(workers) as pool:
        results = [row for rows in pool.map(one_replicate, jobs, chunksize=4) for row in rows]
    print(f"N = {N_TRUE}, {LISTS} lists, {reps} replicates per scenario; 95% intervals")
    print(f"LCMCR settings: {LCMCR_BENCH}; log-linear: BIC, pairs, profile interval\n")
    print("| scenario | method | coverage | rel. bias | median |rel. err| | refused | s/run |")
    print("|---|---|---|---|---|---|---|")
    for sc in chosen:
        for m in methods:
            rows = [r for r in results if r[0] == sc.name and r[1] == m]
            est = np.array([r[2] for r in rows])
            ok = ~np.isnan(est)
            lo, hi = np.array([r[3] for r in rows])[ok], np.array([r[4] for r in rows])[ok]
            cover = float(np.mean((lo <= N_TRUE) & (hi >= N_TRUE))) if ok.any() else np.nan
            bias = float(np.mean(est[ok] / N_TRUE - 1)) if ok.any() else np.nan
            err = float(np.median(np.abs(est[ok] / N_TRUE - 1))) if ok.any() else np.nan
            secs = float(np.mean([r[5] for r in rows]))
            print(
                f"| {sc.name} | {m} | {cover:.2f} | {bias:+.3f} | {err:.3f} "
                f"| {int((~ok).sum())} | {secs:.2f} |"
            )
    print("\nScenarios:")
    for sc in chosen:
        print(f"- {sc.name}: {sc.what}")


def speed() -> None:
    from ombuds.estimation.lcmcr import numba_available

    rng = np.random.default_rng(7)
    data = table_of(SCENARIOS[1].draw(rng, 13_200))  # about 10,000 observed
    print(f"LCMCR sampler speed: {LISTS} lists, {data.observed:,} observed, 10 classes")
    backends = ["numpy", "numba"] if numba_available() else ["numpy"]
    for backend in backends:
        # Warm up first: the compiled sampler's one-off compilation is not sampling time.
        sample_lcmcr(data, burnin=0, samples=5, thinning=1, chains=1, seed=0, backend=backend)  # type: ignore[arg-type]
        for chains in (1, 4, 16):
            s = sample_lcmcr(
                data,
                burnin=0,
                samples=3000,
                thinning=1,
                chains=chains,
                seed=1,
                backend=backend,  # type: ignore[arg-type]
            )
            print(
                f"- {backend}, {chains:2d} chain(s), one process: "
                f"{s.chain_iterations_per_second:,.0f} chain-iterations/s"
            )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--reps", type=int, default=100)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--speed", action="store_true", help="only the sampler speed")
    p.add_argument("--no-speed", action="store_true", help="skip the sampler speed")
    p.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS))
    p.add_argument(
        "--scenarios",
        nargs="+",
        choices=[sc.name for sc in SCENARIOS],
        default=[sc.name for sc in SCENARIOS],
    )
    args = p.parse_args()
    if not args.no_speed:
        speed()
    if not args.speed:
        print()
        simulation(args.reps, args.workers, tuple(args.methods), tuple(args.scenarios))


if __name__ == "__main__":
    main()
