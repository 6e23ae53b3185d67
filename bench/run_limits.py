"""Limits on analysis runs (issue 13, item 2): the issue's list of one common name, with and
without the cap on candidate pairs, and the pair rows a run stores before and after keeping
only the review band.

    .venv/bin/python bench/run_limits.py --records 4000 --cap 2000000

Each case runs in a fresh subprocess so that its peak memory (ru_maxrss, DuckDB's included)
is its own. Cases:

- ``uncapped``: ``link_records`` on N men of one name (Джабраилов Магомед), born 1988-1992,
  no patronymic, with no cap (as before): time, memory, pairs scored, the pair rows the old
  rule (p >= 0.2) and the new one (0.2 <= p < 0.95) would store, and the size of those rows
  in an SQLite table shaped like ``ScoredPairRow``;
- ``capped``: the same list with ``max_pairs``: time until the refusal, memory, the message;
- ``synthetic``: the built-in synthetic lists (``--synthetic`` people): pair rows stored by
  the old and the new rule, and blocking time with the cap (rule by rule) against without.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from typing import Any


def _common_name(n: int) -> list[Any]:
    from ombuds.linkage import PersonRecord

    rng = random.Random(13)
    return [
        PersonRecord(
            record_id=str(i),
            source="list",
            family_name="Джабраилов",
            given_name="Магомед",
            sex="m",
            birth_date=f"{1988 + rng.randrange(5)}-{1 + rng.randrange(12):02d}-"
            f"{1 + rng.randrange(28):02d}",
        )
        for i in range(n)
    ]


def _rows_size(pairs: list[tuple[str, str, float]]) -> int:
    """Bytes of these pairs as rows of a ScoredPairRow-shaped SQLite table."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "pairs.sqlite3")
        con = sqlite3.connect(path)
        con.execute(
            "CREATE TABLE p (id INTEGER PRIMARY KEY, run_id INTEGER, left_source TEXT, "
            "left_id TEXT, right_source TEXT, right_id TEXT, probability REAL, linked INTEGER)"
        )
        con.executemany(
            "INSERT INTO p (run_id, left_source, left_id, right_source, right_id, probability, "
            "linked) VALUES (1, 'list:6f1c2a0e-0000-4000-8000-000000000000', ?, "
            "'list:6f1c2a0e-0000-4000-8000-000000000000', ?, ?, 0)",
            pairs,
        )
        con.execute("CREATE INDEX p_run ON p (run_id)")
        con.commit()
        con.close()
        return os.path.getsize(path)


def _case(name: str, records: int, cap: int, people: int) -> dict[str, Any]:
    from ombuds.linkage import LinkageSettings, TooManyPairs, link_records

    out: dict[str, Any] = {"case": name}
    if name in ("uncapped", "capped"):
        data = _common_name(records)
        start = time.perf_counter()
        try:
            result = link_records(
                data, LinkageSettings(), max_pairs=cap if name == "capped" else None
            )
        except TooManyPairs as refusal:
            out["refused"] = str(refusal)
        else:
            out["pairs_scored"] = result.pairs_scored
            old = [
                (p.left[1], p.right[1], p.probability) for p in result.pairs if p.probability >= 0.2
            ]
            new = [p for p in old if p[2] < 0.95]
            out["rows_old"], out["rows_new"] = len(old), len(new)
            out["seconds"] = round(time.perf_counter() - start, 1)
            out["db_mb_old"] = round(_rows_size(old) / 2**20, 1)
            out["db_mb_new"] = round(_rows_size(new) / 2**20, 1)
        out.setdefault("seconds", round(time.perf_counter() - start, 1))
    else:
        import duckdb

        from ombuds.linkage.features import records_to_frame
        from ombuds.linkage.limits import build_candidates
        from ombuds.linkage.model import PREDICTION_BLOCKING_RULES, candidate_pairs_sql
        from ombuds.linkage.synthetic import generate_lists

        lists = generate_lists(people, seed=7)
        frame = records_to_frame(lists.records)
        timings = {}
        for label, limit in (("blocking_s_uncapped", None), ("blocking_s_capped", cap)):
            best = float("inf")
            for _ in range(3):
                con = duckdb.connect()
                con.register("t", frame)
                t = time.perf_counter()
                counts = build_candidates(
                    con, candidate_pairs_sql("t"), PREDICTION_BLOCKING_RULES, max_pairs=limit
                )
                best = min(best, time.perf_counter() - t)
                con.close()
            timings[label] = round(best, 3)
        out.update(timings, records=len(lists.records), candidates=counts.total)
        result = link_records(lists.records, LinkageSettings(unique_within=frozenset({"ngo"})))
        probs = [p.probability for p in result.pairs]
        out["rows_old"] = sum(1 for p in probs if p >= 0.2)
        out["rows_new"] = sum(1 for p in probs if 0.2 <= p < 0.95)
        out["memberships"] = len(result.clusters)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=4000)
    parser.add_argument("--cap", type=int, default=2_000_000)
    parser.add_argument("--synthetic", type=int, default=5000, help="people in the lists")
    parser.add_argument("--cases", nargs="+", default=["capped", "uncapped", "synthetic"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_case(args.child, args.records, args.cap, args.synthetic)))
        return
    for case in args.cases:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", case, "--records", str(args.records),
             "--cap", str(args.cap), "--synthetic", str(args.synthetic)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        found = json.loads(proc.stdout.strip().splitlines()[-1])
        found["load"] = round(os.getloadavg()[0], 1)
        print(json.dumps(found, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
