from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ombuds.linkage import PersonRecord, RowError, read_person_list, write_person_list
from ombuds.linkage.records import parse_person_list

HEADER = (
    "record_id,source,given_name,patronymic,family_name,full_name,sex,birth_date,age,place,"
    "event_date,event_type\n"
)


def test_cp1251_list_is_detected_and_read(tmp_path: Path) -> None:
    path = tmp_path / "ngo.csv"
    path.write_bytes(
        (HEADER + "1,ngo,Магомед,,Джабраилов,,м,1970-03-02,,Гойты,2001,detention\n").encode(
            "cp1251"
        )
    )
    records, errors = read_person_list(path)
    assert errors == []
    assert records[0].given_name == "Магомед"
    assert records[0].sex == "m"


def test_utf8_list_with_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(("\ufeff" + HEADER + "1,news,,,,Джабраилов Магомед,,,,,,\n").encode("utf-8"))
    records, errors = read_person_list(path)
    assert errors == [] and records[0].full_name == "Джабраилов Магомед"


def test_bad_rows_name_file_row_and_column_and_good_rows_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        HEADER
        + "1,ngo,A,,B,,,1970-13-01,,,,\n"
        + "2,ngo,C,,D,,,1970,,,,\n"
        + ",ngo,E,,F,,,,,,,\n"
        + "4,ngo,G,,H,,,,abc,,2001-02-30,\n",
        encoding="utf-8",
    )
    records, errors = read_person_list(path)
    assert [r.record_id for r in records] == ["2"]
    bad_month = RowError(
        str(path), 2, "birth_date", "month 13 is out of range", "date", "1970-13-01"
    )
    assert bad_month in errors
    assert {(e.row, e.column) for e in errors} >= {(4, "record_id"), (5, "age"), (5, "event_date")}


def test_missing_required_column_is_an_error_on_the_header() -> None:
    records, errors = parse_person_list("record_id,given_name\n1,A\n", "x.csv")
    missing = RowError("x.csv", 1, "source", "missing from the header", "missing")
    assert records == [] and errors == [missing]


def test_repeated_record_id_in_one_source_is_rejected() -> None:
    records, errors = parse_person_list(HEADER + "1,ngo,,,,,,,,,,\n1,ngo,,,,,,,,,,\n", "x.csv")
    assert len(records) == 1 and errors[0].row == 3


@settings(deadline=None)  # the shared CI machine is sometimes slow
@given(
    st.lists(
        st.builds(
            PersonRecord,
            record_id=st.text(alphabet="abc123", min_size=1, max_size=5),
            source=st.sampled_from(["ngo", "complaint"]),
            given_name=st.text(max_size=10).filter(lambda s: s == s.strip()),
            family_name=st.sampled_from(["", "Джабраилов", "O'Neil, Jr"]),
            birth_date=st.sampled_from(["", "1970", "1970-03", "1970-03-02"]),
            age=st.none() | st.integers(0, 130),
        ),
        max_size=5,
        unique_by=lambda r: (r.source, r.record_id),
    )
)
def test_written_lists_read_back_unchanged(records: list[PersonRecord]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "l.csv"
        write_person_list(records, path)
        back, errors = read_person_list(path)
    assert errors == []
    assert back == [r for r in records]
