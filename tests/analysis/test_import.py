"""Importing a person list: bad rows are named by row and column, good rows are kept, encrypted."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from ombuds.analysis.models import ListRecord, PersonList
from ombuds.analysis.selectors import list_records
from ombuds.audit.models import AuditAction, AuditEntry
from tests.analysis.helpers import HEADER, database_dump, import_list
from tests.conftest import World

BAD = HEADER + (
    "1,ngo,Джабраилов,Магомед,Ахмедович,m,1990-05-12,с. Гойты,2017-03-14,detention\n"
    "2,ngo,Висаитова,Луиза,,f,2001-02-30,Шали,2017-04-02,detention\n"
    "3,ngo,Хамзатов,Ислам,Русланович,m,1985,Аргун,2017-04-02,disappearance\n"
)


def test_a_bad_row_is_named_by_row_and_column_and_good_rows_are_kept(world: World) -> None:
    client = world.client_for("analyst")
    person_list = import_list(client, "NGO list 2019", BAD)
    assert person_list.record_count == 2
    assert person_list.error_count == 1
    assert ListRecord.objects.filter(person_list=person_list).count() == 2

    page = client.get(f"/en/staff/analysis/lists/{person_list.public_id}/").content.decode()
    assert "<td>3</td><td><code>birth_date</code></td>" in page  # the header is row 1
    assert "2 records imported" in page


def test_imported_records_and_errors_are_encrypted_at_rest(world: World) -> None:
    client = world.client_for("analyst")
    import_list(client, "NGO list 2019", BAD)
    dump = database_dump()
    for plaintext in ("Джабраилов", "Хамзатов", "Висаитова", "Гойты", "1990-05-12", "2001-02-30"):
        assert plaintext not in dump


def test_a_file_with_no_good_row_is_refused_and_nothing_is_stored(world: World) -> None:
    client = world.client_for("analyst")
    upload = SimpleUploadedFile("x.csv", b"name,age\nX,3\n", content_type="text/csv")
    r = client.post("/en/staff/analysis/import/", {"name": "broken", "file": upload})
    assert r.status_code == 200
    page = r.content.decode()
    assert "No row could be imported." in page
    assert "<td>1</td><td><code>record_id</code></td>" in page
    assert not PersonList.objects.exists()


def test_a_file_that_is_not_text_is_refused(world: World) -> None:
    client = world.client_for("analyst")
    upload = SimpleUploadedFile("x.csv", b"\x98\x00\xff" * 10, content_type="text/csv")
    r = client.post("/en/staff/analysis/import/", {"name": "junk", "file": upload})
    assert r.status_code == 200
    assert not PersonList.objects.exists()


def test_an_import_is_audited(world: World) -> None:
    client = world.client_for("analyst")
    person_list = import_list(client, "NGO list 2019", BAD)
    entry = AuditEntry.objects.filter(action=AuditAction.LIST_IMPORTED).get()
    assert entry.subject == f"person-list:{person_list.public_id}"
    assert entry.details == {"records": 2, "rejected_rows": 1}
    assert entry.actor_username == "analyst"


def test_a_cp1251_list_is_read_as_cyrillic(world: World) -> None:
    client = world.client_for("analyst")
    upload = SimpleUploadedFile("cp.csv", BAD.encode("cp1251"), content_type="text/csv")
    r = client.post("/en/staff/analysis/import/", {"name": "CP1251", "file": upload})
    assert r.status_code == 302
    person_list = PersonList.objects.get(name="CP1251")
    key = world.agency_keys["working-group"]
    names = sorted(shown.record.family_name for shown in list_records(person_list, key))
    assert names == ["Джабраилов", "Хамзатов"]


def test_import_errors_are_told_in_russian_on_the_russian_pages(world: World) -> None:
    client = world.client_for("analyst")
    text = (
        "record_id,source,family_name,sex,age,birth_date\n"
        "1,ngo,Хамзатов,x,27,\n"
        "2,ngo,Умарова,f,двадцать,\n"
        "3,ngo,Исаев,m,,1990-13\n"
        "4,ngo,Исаев,m,,\n"
    )
    person_list = import_list(client, "NGO", text)
    page = client.get(f"/ru/staff/analysis/lists/{person_list.public_id}/").content.decode()
    assert "«x» — не пол: напишите m или f (м или ж)" in page
    assert "«двадцать» — не возраст в полных годах" in page
    assert "«1990-13» — не дата: напишите ГГГГ, ГГГГ-ММ или ГГГГ-ММ-ДД" in page
    assert "is not" not in page
