"""bench/independent_lists.py: four person lists and a truth that agree, in the README's format."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import independent_lists as il

SOURCES = ("complaints", "press", "ngo", "petitions")
PEOPLE = 400


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def lists_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lists")
    code = il.main(["--people", str(PEOPLE), "--seed", "7", "--out", str(out)])
    assert code == 0
    return out


def truth_of(folder: Path) -> dict[tuple[str, str], str]:
    rows = read(folder / "truth.csv")
    keys = [(r["source"], r["record_id"]) for r in rows]
    assert len(keys) == len(set(keys)), "a record is named twice in the truth"
    return {(r["source"], r["record_id"]): r["person_id"] for r in rows}


def test_the_truth_names_every_record_of_every_list_exactly_once(lists_dir: Path) -> None:
    truth = truth_of(lists_dir)
    records = []
    for source in SOURCES:
        for row in read(lists_dir / f"{source}.csv"):
            assert row["source"] == source
            records.append((source, row["record_id"]))
    assert len(records) == len(set(records))
    assert set(records) == set(truth)
    assert len(set(truth.values())) <= PEOPLE


def test_only_complaints_name_the_same_person_twice(lists_dir: Path) -> None:
    truth = truth_of(lists_dir)
    per_source: dict[str, Counter[str]] = {s: Counter() for s in SOURCES}
    for (source, _), person in truth.items():
        per_source[source][person] += 1
    for source in ("press", "ngo", "petitions"):
        assert max(per_source[source].values()) == 1, source
    assert max(per_source["complaints"].values()) >= 2


def test_each_list_covers_a_different_overlapping_part_of_the_people(lists_dir: Path) -> None:
    truth = truth_of(lists_dir)
    people: dict[str, set[str]] = {s: set() for s in SOURCES}
    for (source, _), person in truth.items():
        people[source].add(person)
    everyone = set(truth.values())
    # Some people are on no list at all: that is what estimation has to estimate.
    assert len(everyone) < PEOPLE
    sizes = {s: len(p) for s, p in people.items()}
    assert len(set(sizes.values())) == len(SOURCES), sizes
    for i, a in enumerate(SOURCES):
        assert 0 < sizes[a] < len(everyone)
        for b in SOURCES[i + 1 :]:
            assert people[a] & people[b], (a, b)
            assert people[a] - people[b], (a, b)


def test_the_same_seed_gives_the_same_lists_and_another_seed_other_lists() -> None:
    first = il.generate(150, seed=3)
    again = il.generate(150, seed=3)
    other = il.generate(150, seed=4)
    assert first.rows == again.rows and first.truth == again.truth
    assert first.rows != other.rows


def test_without_birth_dates_the_same_records_have_no_birth_date_or_age(tmp_path: Path) -> None:
    il.main(["--people", "200", "--seed", "5", "--out", str(tmp_path / "with")])
    il.main(
        ["--people", "200", "--seed", "5", "--out", str(tmp_path / "without"), "--no-birth-dates"]
    )
    for source in SOURCES:
        with_dates = read(tmp_path / "with" / f"{source}.csv")
        without = read(tmp_path / "without" / f"{source}.csv")
        assert without and "birth_date" not in without[0] and "age" not in without[0]
        assert [
            {k: v for k, v in r.items() if k not in ("birth_date", "age")} for r in with_dates
        ] == without
    assert read(tmp_path / "with" / "truth.csv") == read(tmp_path / "without" / "truth.csv")


CYRILLIC = re.compile("[А-Яа-яЁё]")


def share(rows: list[dict[str, str]], column: str) -> float:
    """The share of rows whose ``column`` has a Cyrillic letter."""
    return sum(bool(CYRILLIC.search(r[column])) for r in rows) / len(rows)


def test_each_list_is_written_the_way_its_source_writes(lists_dir: Path) -> None:
    complaints = read(lists_dir / "complaints.csv")
    press = read(lists_dir / "press.csv")
    ngo = read(lists_dir / "ngo.csv")
    petitions = read(lists_dir / "petitions.csv")
    # Complaints and petitions in Cyrillic, press and NGO lists mostly in Latin letters.
    assert share(complaints, "family_name") + share(complaints, "full_name") > 0.8
    assert share(petitions, "full_name") > 0.9
    assert share(press, "full_name") == 0
    assert share(ngo, "family_name") < 0.2
    # The press gives ages, never birth dates; petitions write "Фамилия И.О." most often.
    assert "birth_date" not in press[0] and any(r["age"].isdigit() for r in press)
    initials = re.compile(r"^\w[\w-]+ [А-ЯЁ]\. ?[А-ЯЁ]\.$")
    assert sum(bool(initials.match(r["full_name"])) for r in petitions) > len(petitions) / 2
    # Fields go missing, and both women and men are on the lists.
    assert any(not r["birth_date"] for r in complaints)
    assert {r["sex"] for r in complaints} >= {"m", "f", ""}


def test_names_are_transliterated_by_each_scheme_as_its_users_write_them() -> None:
    spellings = {s: il.transliterate("Шамиль Евлоев", s) for s in il.SCHEMES}
    assert spellings["bgn"] == "Shamil' Yevloyev"
    assert spellings["passport"] == "Shamil Evloev"
    assert spellings["scientific"] == "Šamilʹ Evloev"
    assert spellings["french"] == "Chamil Evloïev"
    assert spellings["german"] == "Schamil Jewlojew"
    assert il.transliterate("ХАСАВЮРТ", "passport") == "KHASAVIURT"
    assert il.patronymic("Муса", "f") == "Мусаевна" and il.patronymic("Ахмед", "m") == "Ахмедович"
    assert il.feminine("Сатуев") == "Сатуева" and il.feminine("Петренко") == "Петренко"


def test_ombuds_link_reads_every_row_of_every_list(lists_dir: Path, tmp_path: Path) -> None:
    ombuds = Path(sys.executable).parent / "ombuds"
    files = [str(lists_dir / f"{s}.csv") for s in SOURCES]
    out = tmp_path / "clusters.csv"
    done = subprocess.run(
        [
            str(ombuds),
            "link",
            *files,
            "--unique-within",
            "press,ngo,petitions",
            "--out",
            str(out),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "rows rejected: 0" in done.stdout
    clustered = {(r["source"], r["record_id"]) for r in read(out)}
    assert clustered == set(truth_of(lists_dir))


@pytest.fixture(scope="module")
def larger() -> il.Lists:
    return il.generate(2000, seed=13)


def test_the_order_of_a_list_says_nothing_about_who_is_who(larger: il.Lists) -> None:
    for source in SOURCES:
        people = [p for s, _, p in larger.truth if s == source]
        assert people != sorted(people), source


def test_the_ngo_list_sometimes_has_the_family_name_in_the_given_name_column(
    larger: il.Lists,
) -> None:
    family_like = re.compile(r"(ov|ev|ow|ew|ëv)a?$", re.IGNORECASE)
    rows = larger.rows["ngo"]
    swapped = sum(bool(family_like.search(r["given_name"])) for r in rows)
    assert 0.03 < swapped / len(rows) < 0.3


def test_some_ngo_birth_dates_have_day_and_month_swapped(larger: il.Lists) -> None:
    person = {(s, r): p for s, r, p in larger.truth}
    complaint_dates: dict[str, set[str]] = {}
    for row in larger.rows["complaints"]:
        if len(row["birth_date"]) == 10:
            complaint_dates.setdefault(person[("complaints", row["record_id"])], set()).add(
                row["birth_date"]
            )
    swapped = 0
    for row in larger.rows["ngo"]:
        date = row["birth_date"]
        if len(date) == 10 and date[5:7] != date[8:10]:
            flipped = f"{date[:4]}-{date[8:10]}-{date[5:7]}"
            if flipped in complaint_dates.get(person[("ngo", row["record_id"])], set()):
                swapped += 1
    assert swapped > 0
