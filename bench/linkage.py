"""Linkage benchmark: precision, recall, F1, time and peak memory on synthetic lists.

    .venv/bin/python bench/linkage.py --records 10000 100000 1000000

Each (size, method) runs in a fresh subprocess so that peak memory (ru_maxrss, which
includes DuckDB's native memory) belongs to that run alone. Methods:

- ``ombuds``: the ombuds settings (normalised names, constrained clustering at 0.5);
- ``baseline``: Splink with its default name comparisons (``NameComparison``) on the raw
  strings, exact matches elsewhere, connected components at 0.9.

Time is the ``link_records`` call (wall clock), CPU its process time (all threads, DuckDB's
included: on a shared machine the steadier figure), load the 1-minute load average at the
end of the run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

RECORDS_PER_PERSON = 1.95


def _lists(records: int, seed: int) -> Any:
    from ombuds.linkage.synthetic import generate_lists

    return generate_lists(int(records / RECORDS_PER_PERSON), seed=seed)


def run_ombuds(records: int, seed: int) -> dict[str, Any]:
    from ombuds.linkage import LinkageSettings, link_records, pairwise_scores

    lists = _lists(records, seed)
    start, cpu = time.perf_counter(), time.process_time()
    settings = LinkageSettings(unique_within=frozenset(lists.unique_sources))
    result = link_records(lists.records, settings)
    elapsed = time.perf_counter() - start
    predicted = [result.clusters[r.key] for r in lists.records]
    scores = pairwise_scores(predicted, [lists.truth[r.key] for r in lists.records])
    return {
        "records": len(lists.records),
        "precision": scores.precision,
        "recall": scores.recall,
        "f1": scores.f1,
        "seconds": elapsed,
        "cpu_seconds": time.process_time() - cpu,
        "pairs_scored": result.pairs_scored,
        "timings": result.timings,
    }


def run_baseline(records: int, seed: int) -> dict[str, Any]:
    import duckdb
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from ombuds.linkage import pairwise_scores

    lists = _lists(records, seed)
    start, cpu = time.perf_counter(), time.process_time()
    rows = []
    for i, r in enumerate(lists.records):
        given, family = r.given_name, r.family_name
        if r.full_name and not (given or family):
            words = r.full_name.split()
            given, family = words[0], words[-1]
        rows.append(
            {
                "unique_id": i,
                "given_name": given or None,
                "family_name": family or None,
                "birth_date": r.birth_date or None,
                "place": r.place or None,
                "event_date": r.event_date or None,
                "sex": r.sex or None,
            }
        )
    frame = pd.DataFrame(rows)
    # DuckDB's default memory limit is 80% of the machine; hold the baseline to the 8 GB budget
    # of the targets, spilling to a temporary folder (synthetic data only), so that at 1M it
    # can finish instead of taking the machine's memory.
    spill = tempfile.mkdtemp(prefix="linkage-baseline-")
    con = duckdb.connect(config={"memory_limit": "6GB", "temp_directory": spill})
    db_api = DuckDBAPI(connection=con)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("family_name"),
            cl.ExactMatch("birth_date"),
            cl.ExactMatch("place"),
            cl.ExactMatch("event_date"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "family_name"),
            block_on("family_name", "birth_date"),
            block_on("given_name", "birth_date"),
        ],
        retain_matching_columns=False,
    )
    linker = Linker(db_api.register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    for rule in (block_on("family_name", "given_name"), block_on("birth_date")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except Exception as exc:  # report and go on, as a user would
            print(f"baseline EM failed: {exc}", file=sys.stderr)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.9
    ).as_pandas_dataframe()
    elapsed = time.perf_counter() - start
    con.close()
    shutil.rmtree(spill, ignore_errors=True)
    label = dict(zip(clusters["unique_id"], clusters["cluster_id"], strict=True))
    predicted = [label.get(i, f"single-{i}") for i in range(len(lists.records))]
    scores = pairwise_scores(predicted, [lists.truth[r.key] for r in lists.records])
    return {
        "records": len(lists.records),
        "precision": scores.precision,
        "recall": scores.recall,
        "f1": scores.f1,
        "seconds": elapsed,
        "cpu_seconds": time.process_time() - cpu,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--methods", nargs="+", default=["ombuds", "baseline"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        runner = run_ombuds if args.one == "ombuds" else run_baseline
        result = runner(args.records[0], args.seed)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result["load"] = os.getloadavg()[0]
        print(json.dumps(result))
        return 0
    print(
        "| records | method | precision | recall | F1 | time (s) | CPU (s) | peak RSS (MB) | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for size in args.records:
        for method in args.methods:
            done = subprocess.run(
                [sys.executable, __file__, "--one", method, "--records", str(size),
                 "--seed", str(args.seed)],
                capture_output=True,
                text=True,
                check=False,
            )  # fmt: skip
            if done.returncode != 0:
                print(f"| {size} | {method} | failed: {done.stderr.strip()[-300:]} |")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"| {r['records']} | {method} | {r['precision']:.4f} | {r['recall']:.4f} | "
                f"{r['f1']:.4f} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | "
                f"{r['peak_rss_mb']:.0f} | {r['load']:.1f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
