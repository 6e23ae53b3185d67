"""``ombuds estimate``: population estimates from list overlaps, on the command line."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from ombuds.estimation.api import METHODS, estimate, estimate_strata, total_of_strata
from ombuds.estimation.data import (
    CaptureData,
    capture_data_from_clusters,
    read_patterns_csv,
)
from ombuds.estimation.errors import EstimationRefused
from ombuds.estimation.result import EstimateResult


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ombuds estimate",
        description=(
            "Estimate how many people were affected from the overlap of several lists. "
            "PATTERNS.csv has one 0/1 column per list and a 'count' column."
        ),
    )
    p.add_argument("patterns", nargs="?", help="capture-pattern CSV (lists as 0/1 columns)")
    p.add_argument("--from-clusters", metavar="CLUSTERS", help="clusters.csv from 'ombuds link'")
    p.add_argument(
        "--strata",
        metavar="COLUMN",
        help="estimate each value of this column apart, and their total",
    )
    p.add_argument("--method", choices=METHODS, default="lcmcr")
    p.add_argument(
        "--interval",
        choices=("profile", "bootstrap"),
        default=None,
        help="loglinear only: profile likelihood (default) or bootstrap; a total over strata "
        "needs the bootstrap",
    )
    p.add_argument(
        "--bootstrap-replicates",
        type=int,
        default=None,
        metavar="B",
        help="loglinear with --interval bootstrap: number of replicates (default 200)",
    )
    p.add_argument("--seed", type=int, default=None, help="seed for reproducible runs")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--no-cross-check",
        action="store_true",
        help="do not run the other methods to check for disagreement",
    )
    return p


def _text(result: EstimateResult, title: str | None = None) -> str:
    upper = f"{result.upper:,.0f}" if math.isfinite(result.upper) else "unbounded"
    lines = [f"[{title}]"] if title else []
    lines += [
        f"method:    {result.method}",
        f"observed:  {result.observed:,}",
        f"estimate:  {result.estimate:,.0f}",
        f"{result.level:.0%} interval: {result.lower:,.0f} to {upper}",
    ]
    for key, value in result.diagnostics.items():
        lines.append(f"  {key}: {value}")
    lines += [f"WARNING: {w}" for w in result.warnings]
    return "\n".join(lines)


def _options(args: argparse.Namespace) -> dict[str, Any] | str:
    """The method's options from the command line, or what is wrong with them."""
    options: dict[str, Any] = {}
    if args.interval is not None:
        if args.method != "loglinear":
            return (
                "--interval applies to --method loglinear (the Bayesian methods' intervals "
                "are posterior quantiles)"
            )
        options["interval"] = args.interval
    if args.bootstrap_replicates is not None:
        if args.method != "loglinear" or args.interval != "bootstrap":
            return "--bootstrap-replicates needs --method loglinear --interval bootstrap"
        if args.bootstrap_replicates < 1:
            return "--bootstrap-replicates must be at least 1"
        options["bootstrap_replicates"] = args.bootstrap_replicates
    return options


def main(argv: list[str]) -> int:
    """Run the command; returns 0 on an estimate, 2 on bad input, 3 when refused.

    3 means the pooled table (the whole input) was refused. A stratum or the total over the
    strata that cannot be estimated is printed with its reason and leaves the exit code 0.
    """
    args = _parser().parse_args(argv)
    if (args.patterns is None) == (args.from_clusters is None):
        print("give either PATTERNS.csv or --from-clusters CLUSTERS.csv", file=sys.stderr)
        return 2
    if args.strata and not args.from_clusters:
        print("--strata needs --from-clusters", file=sys.stderr)
        return 2
    options = _options(args)
    if isinstance(options, str):
        print(options, file=sys.stderr)
        return 2
    try:
        if args.from_clusters:
            import csv

            with open(args.from_clusters, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
            pooled = capture_data_from_clusters(rows)
            strata = capture_data_from_clusters(rows, args.strata) if args.strata else None
        else:
            pooled = read_patterns_csv(args.patterns)
            strata = None
    except (OSError, ValueError) as exc:
        print(f"cannot read input: {exc}", file=sys.stderr)
        return 2
    return _report(pooled, strata, args, options)


def _report(
    pooled: CaptureData,
    strata: dict[str, CaptureData] | None,
    args: argparse.Namespace,
    options: dict[str, Any],
) -> int:
    payload: dict[str, Any]
    try:
        result = estimate(
            pooled,
            method=args.method,
            seed=args.seed,
            cross_check=not args.no_cross_check,
            options=options,
        )
    except EstimationRefused as exc:
        if args.json:
            print(
                json.dumps(
                    {
                        "method": args.method,
                        "observed": pooled.observed,
                        "estimate": None,
                        "lower": None,
                        "upper": None,
                        "refused": exc.reason,
                    }
                )
            )
        else:
            print(
                f"method:    {args.method}\nobserved:  {pooled.observed:,}\n"
                f"NO ESTIMATE: {exc.reason}"
            )
        return 3
    by_stratum = (
        estimate_strata(strata, method=args.method, seed=args.seed, options=options)
        if strata
        else {}
    )
    total: EstimateResult | EstimationRefused | None = None
    if by_stratum:
        try:
            total = total_of_strata(by_stratum)
        except EstimationRefused as exc:
            total = exc
    if args.json:
        payload = result.to_dict()
        if strata:
            payload["strata"] = {name: _json(r) for name, r in by_stratum.items()}
        if total is not None:
            payload["total"] = _json(total)
        print(json.dumps(payload, default=str))
        return 0
    print(_text(result, "all strata pooled" if strata else None))
    for name, r in by_stratum.items():
        print()
        if isinstance(r, EstimateResult):
            print(_text(r, f"{args.strata} = {name}"))
        else:
            print(f"[{args.strata} = {name}]\nNO ESTIMATE: {r.reason}")
    if total is not None:
        title = f"total over {args.strata} ({len(by_stratum)} strata)"
        print()
        if isinstance(total, EstimateResult):
            print(_text(total, title))
        else:
            print(f"[{title}]\nNO TOTAL: {total.reason}")
    return 0


def _json(r: EstimateResult | EstimationRefused) -> dict[str, Any]:
    return r.to_dict() if isinstance(r, EstimateResult) else {"refused": r.reason}
