"""The ``role`` column: only victims are counted (issue 11, item 5)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ombuds.estimation.data import capture_data_from_clusters
from ombuds.linkage import LinkageSettings, PersonRecord, link_records, parse_person_list
from ombuds.linkage.cli import main

HEADER = "record_id,source,family_name,given_name,birth_date,place,role\n"


def test_roles_are_read_in_english_and_russian_and_empty_means_victim() -> None:
    text = HEADER + (
        "1,ngo,Исаев,Руслан,1980,Шали,\n"
        "2,ngo,Исаев,Адам,1955,Шали,witness\n"
        "3,ngo,Умаров,Ислам,1970,Аргун,Свидетель\n"
        "4,ngo,Хасанов,Тимур,1975,Аргун,заявитель\n"
        "5,ngo,Юсупов,Шамиль,1966,Грозный,perpetrator\n"
        "6,ngo,Мусаев,Муса,1966,Грозный,bystander\n"
    )
    records, errors = parse_person_list(text, "ngo.csv")
    assert [r.role for r in records] == ["victim", "witness", "witness", "reporter", "perpetrator"]
    assert [r.is_victim for r in records] == [True, False, False, False, False]
    assert [(e.row, e.column, e.code, e.value) for e in errors] == [
        (7, "role", "role", "bystander")
    ]


def test_a_run_counts_victims_only() -> None:
    records = [
        PersonRecord("1", "ngo", "Руслан", "", "Исаев", birth_date="1980-02-03", place="Шали"),
        PersonRecord("2", "press", "Ruslan", "", "Isaev", birth_date="1980-02-03", place="Shali"),
        # The brother who reported him, and a witness named once: linked, not counted.
        PersonRecord("3", "ngo", "Адам", "", "Исаев", birth_date="1955", role="reporter"),
        PersonRecord("4", "press", "Islam", "", "Umarov", birth_date="1970", role="witness"),
        # Named as a witness by one list and as a victim by the other: a victim.
        PersonRecord("5", "ngo", "Тимур", "", "Хасанов", birth_date="1975-05-06", role="witness"),
        PersonRecord("6", "press", "Timur", "", "Khasanov", birth_date="1975-05-06"),
    ]
    result = link_records(records, LinkageSettings())
    assert result.cluster_count == 4
    assert result.victims == 2


def test_the_estimate_from_a_clusters_file_leaves_out_persons_not_named_as_victims() -> None:
    rows = [
        {"source": "a", "record_id": "1", "cluster_id": "1", "role": "victim"},
        {"source": "b", "record_id": "2", "cluster_id": "1", "role": "witness"},
        {"source": "b", "record_id": "3", "cluster_id": "2", "role": "perpetrator"},
        {"source": "c", "record_id": "4", "cluster_id": "3", "role": ""},
        {"source": "c", "record_id": "5", "cluster_id": "4"},  # no role column: a victim
    ]
    data = capture_data_from_clusters(rows)
    assert data.lists == ("a", "c")
    assert data.observed == 3


def test_link_writes_each_records_role_and_counts_victims(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ngo.csv"
    path.write_text(
        HEADER + "1,ngo,Исаев,Руслан,1980,Шали,\n2,ngo,Исаев,Адам,1955,Шали,reporter\n",
        encoding="utf-8",
    )
    out = tmp_path / "clusters.csv"
    assert main([str(path), "--out", str(out), "--no-progress"]) == 0
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["record_id"], r["role"]) for r in rows] == [("1", "victim"), ("2", "reporter")]
    printed = capsys.readouterr().out
    assert "clusters: 2" in printed and "victims (persons some record names as a victim" in printed
    assert "the count): 1" in printed
