"""``ombuds link LIST.csv [LIST.csv ...] --out clusters.csv``: link person lists offline."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from pathlib import Path

from ombuds.linkage.engine import DEFAULT_THRESHOLD, LinkageSettings, link_records
from ombuds.linkage.labels import parse_label_file
from ombuds.linkage.records import PersonRecord, decode_bytes, read_person_list


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ombuds link",
        description="Link person lists (docs/linkage.md) into clusters of the same person.",
    )
    parser.add_argument("lists", nargs="+", type=Path, metavar="LIST.csv")
    parser.add_argument("--out", required=True, type=Path, help="clusters CSV to write")
    parser.add_argument(
        "--unique-within",
        default="",
        metavar="SOURCE,...",
        help="sources that name each person at most once (never two records in a cluster)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        metavar="P",
        help=f"match probability needed to merge (default {DEFAULT_THRESHOLD})",
    )
    parser.add_argument("--backend", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument(
        "--no-training",
        action="store_true",
        help="score with the prior parameters, without training the model on these lists",
    )
    parser.add_argument(
        "--labels",
        type=Path,
        metavar="LABELS.csv",
        help="reviewers' verdicts on pairs of records (left_source, left_record_id, "
        "right_source, right_record_id, verdict: same or different): 'same' merges, "
        "'different' keeps apart, and enough of them correct the model (docs/linkage.md)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str]) -> int:
    """Run the command; returns 0 on success, 1 if some rows were rejected, 2 on bad usage,
    3 if no model passed its checks (the clusters are written, but not sound)."""
    args = _parser().parse_args(argv)
    if not 0 < args.threshold <= 1:
        print("ombuds link: --threshold must be in (0, 1]", file=sys.stderr)
        return 2
    records: list[PersonRecord] = []
    error_count = 0
    seen: set[tuple[str, str]] = set()
    for path in args.lists:
        try:
            found, errors = read_person_list(path)
        except OSError as exc:
            print(f"ombuds link: cannot read {path}: {exc}", file=sys.stderr)
            return 2
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        error_count += len(errors)
        for record in found:
            if record.key in seen:
                print(
                    f"error: {path}: record {record.record_id} of source {record.source} "
                    "appears in an earlier list; skipped",
                    file=sys.stderr,
                )
                error_count += 1
                continue
            seen.add(record.key)
            records.append(record)
    decisions: dict[tuple[tuple[str, str], tuple[str, str]], bool] = {}
    if args.labels is not None:
        try:
            text = decode_bytes(args.labels.read_bytes())
        except OSError as exc:
            print(f"ombuds link: cannot read {args.labels}: {exc}", file=sys.stderr)
            return 2
        decisions, label_errors = parse_label_file(text, str(args.labels), seen)
        for error in label_errors:
            print(f"error: {error}", file=sys.stderr)
        error_count += len(label_errors)
    unique = frozenset(s.strip() for s in args.unique_within.split(",") if s.strip())
    settings = LinkageSettings(
        threshold=args.threshold,
        unique_within=unique,
        backend=args.backend,
        train=not args.no_training,
    )
    result = link_records(
        records, settings, progress=_progress_bar(args.no_progress), decisions=decisions
    )
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("source", "record_id", "cluster_id", "role"))
        for record in records:
            writer.writerow(
                (record.source, record.record_id, result.clusters[record.key], record.role)
            )
    print(
        f"records: {result.records}\n"
        f"clusters: {result.cluster_count}\n"
        f"victims (persons some record names as a victim; the count): {result.victims}\n"
        f"pairs scored: {result.pairs_scored}\n"
        f"rows rejected: {error_count}\n"
        f"time: {result.timings.get('total', 0.0):.1f} s"
    )
    if args.labels is not None:
        print(result.labels.describe())
    print(result.model_summary())
    print("\n".join(result.diagnostics.lines()))
    if not result.sound:
        print(
            "ombuds link: the model failed its checks (see above): the clusters were written "
            "but are not sound; do not publish counts or estimates from them",
            file=sys.stderr,
        )
        return 3
    return 1 if error_count else 0


def _progress_bar(disabled: bool) -> Callable[[str, float], None]:
    from tqdm import tqdm

    bar = tqdm(total=100, file=sys.stderr, disable=disabled, unit="%", leave=False)

    def update(stage: str, fraction: float) -> None:
        bar.set_description(stage[:40])
        bar.update(max(0, round(fraction * 100) - bar.n))
        if fraction >= 1.0:
            bar.close()

    return update
