"""Helpers for the analysis tests: two small cross-script lists, import and run through HTTP."""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import astuple

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from ombuds.analysis.models import LinkageRun, PersonList
from ombuds.linkage import COLUMNS, PersonRecord
from ombuds.linkage.synthetic import generate_lists

HEADER = (
    "record_id,source,family_name,given_name,patronymic,sex,birth_date,place,event_date,"
    "event_type\n"
)
NGO = HEADER + (
    "1,ngo,Джабраилов,Магомед,Ахмедович,m,1990-05-12,с. Гойты,2017-03-14,detention\n"
    "2,ngo,Хамзатов,Ислам,Русланович,m,1985-02-01,Аргун,2017-04-02,disappearance\n"
    "3,ngo,Умарова,Зарема,Исаевна,f,1979-11-03,Грозный,2017-02-20,detention\n"
)
PRESS = HEADER + (
    "p1,press,Dzhabrailov,Magomed,Akhmedovich,m,1990-05-12,Goity village,2017-03-14,detention\n"
    "p2,press,Khamzatov,Islam,Ruslanovich,m,1985-02-01,Argun,2017-04,disappearance\n"
    "p3,press,Saidov,Adam,Khasanovich,m,1995-01-01,Shali,2017-05-10,killing\n"
)


def import_list(client: Client, name: str, text: str) -> PersonList:
    upload = SimpleUploadedFile(f"{name}.csv", text.encode("utf-8"), content_type="text/csv")
    r = client.post("/en/staff/analysis/import/", {"name": name, "file": upload})
    assert r.status_code == 302, r.content[:3000]
    public_id = uuid.UUID(r["Location"].rstrip("/").rsplit("/", 1)[1])
    return PersonList.objects.get(public_id=public_id)


def start_run(
    client: Client,
    lists: list[PersonList],
    unique: list[PersonList] | None = None,
    threshold: str = "0.5",
) -> LinkageRun:
    data = {
        "lists": [str(pl.pk) for pl in lists],
        "unique_lists": [str(pl.pk) for pl in (unique or [])],
        "threshold": threshold,
    }
    r = client.post("/en/staff/analysis/runs/new/", data)
    assert r.status_code == 302, r.content[:3000]
    public_id = uuid.UUID(r["Location"].rstrip("/").rsplit("/", 1)[1])
    return LinkageRun.objects.get(public_id=public_id)


def persons_on_page(page: str) -> list[set[str]]:
    """The unique persons shown on the persons page, each as the set of its (family) names."""
    people = []
    for section in re.findall(r'<section class="person".*?</section>', page, re.S):
        names = re.findall(r"<tbody>(.*?)</tbody>", section, re.S)[0]
        people.append({cell.split()[0] for cell in re.findall(r"<tr><td>(.*?)</td>", names)})
    return people


def synthetic_lists(n_people: int = 40, seed: int = 3) -> dict[str, str]:
    """Synthetic cross-script lists (``ombuds.linkage.synthetic``) as CSV text, one per source.

    Big enough for the model to be unsure of some pairs, small enough for a run of seconds.
    """
    lists = generate_lists(n_people, seed=seed)
    by_source: dict[str, list[PersonRecord]] = {}
    for record in lists.records:
        by_source.setdefault(record.source, []).append(record)
    texts = {}
    for source, records in sorted(by_source.items()):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for r in records:
            writer.writerow(["" if v is None else str(v) for v in astuple(r)])
        texts[source] = out.getvalue()
    return texts


def database_dump() -> str:
    """Every value of every table, as text (bytes decoded leniently)."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    out.append(str(value))
    return "\n".join(out)
