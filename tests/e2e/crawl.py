"""Crawling the demo install as its users would: the helpers of the every-page tests.

``exercise_demo`` puts the demo install through every kind of action (evidence opened, a
referral, a withdrawal, a list imported with a bad row, a linkage run, a reply) and signs every
member in once (a second-factor code is accepted once). ``crawl`` follows every link a signed-in
client can reach and says what each page had wrong.
"""

from __future__ import annotations

import json
import os
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyotp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.e2e.test_translations import LATIN_ALLOWED, TextNodes

# What the demo and this test type in as data: names, places and list contents in Latin
# script are the users' own words, not the site's.
DATA_WORDS = {
    "Grozny", "Magomed", "Dadaev", "Dzhabrailov", "Akhmedovich", "Goity", "village",
    "Khamzatov", "Islam", "Ruslanovich", "Argun", "Saidov", "Adam", "Khasanovich", "Shali",
    "unknown", "saw", "men", "being", "beaten", "in", "the", "yard", "of", "former",
    "military", "building", "press", "ngo", "csv", "jpg", "admin", "intake", "analyst",
    "auditor", "prosecutor", "liaison", "Novaya", "Gazeta", "Reports", "mass", "detentions",
    "March", "district", "police", "Beatings", "checkpoint",
}  # fmt: skip
# Staff and product codes shown as they are (file formats, hash names, units of data).
CODES = {"SHA", "UTF", "CSV", "LCMCR", "EXIF", "XMP", "GPS", "IPTC", "ZIP", "JSON", "TOTP", "ID"}

HEADER = "record_id,source,family_name,given_name,patronymic,sex,birth_date,place,event_date\n"
NGO = HEADER + (
    "1,ngo,Джабраилов,Магомед,Ахмедович,m,1990-05-12,с. Гойты,2017-03-14\n"
    "2,ngo,Хамзатов,Ислам,Русланович,x,1985-02-01,Аргун,2017-04-02\n"
    "3,ngo,Умарова,Зарема,Исаевна,f,1979-11-03,Грозный,2017-02-20\n"
)
PRESS = HEADER + (
    "p1,press,Dzhabrailov,Magomed,Akhmedovich,m,1990-05-12,Goity village,2017-03-14\n"
    "p2,press,Khamzatov,Islam,Ruslanovich,m,1985-02-01,Argun,2017-04\n"
    "p3,press,Saidov,Adam,Khasanovich,m,1995-01-01,Shali,2017-05-10\n"
)
MAX_PAGES = 400
# Links not followed: signing out ends the crawl; exports and downloads are not pages.
STAFF_SKIP = ("/sign-out/", "/export/", "/working/")
PUBLIC_SKIP = ("/staff/", "/return/leave/")
USERNAMES = ["intake", "analyst", "auditor", "admin", "prosecutor", "liaison"]


@dataclass
class Demo:
    codenames: tuple[str, ...]
    clients: dict[str, Client]


class VisibleText(TextNodes):
    """The visible text, less what ``<code>`` marks as a code (column names, media types)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "code":
            self._skip += 1
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._skip -= 1
        super().handle_endtag(tag)


def texts_of(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str, prefix: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        href = href.split("#", 1)[0]
        if href.startswith(prefix):
            out.append(href)
    return out


def foreign_words(texts: Iterable[str]) -> set[str]:
    """Latin-script words in the visible text that are neither data, codes nor products."""
    words = set()
    for text in texts:
        for token in text.split():
            if re.search(r"[\d/_@]|\w\.\w", token):  # ids, hashes, paths, file names: codes
                continue
            for word in re.findall(r"[A-Za-z]{2,}", token):
                if word not in LATIN_ALLOWED | DATA_WORDS | CODES:
                    words.add(word)
    return words


def crawl(
    client: Client, start: str, prefix: str, skip: tuple[str, ...], pages: list[str] | None = None
) -> dict[str, object]:
    """Follow every link under ``prefix`` from ``start``; what each page had wrong.

    The HTML pages reached are appended to ``pages`` when it is given.
    """
    seen = {start}
    queue = deque([start])
    problems: dict[str, object] = {}
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        visited += 1
        r = client.get(path)
        if path == start:
            assert r.status_code == 200, f"{start} answers {r.status_code}: not signed in?"
        if r.status_code >= 500:
            problems[path] = r.status_code
            continue
        if r.status_code in (301, 302):
            target = r["Location"]
            if target.startswith(prefix) and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if not r.get("Content-Type", "").startswith("text/html"):
            continue
        html = r.content.decode()
        if pages is not None:
            pages.append(path)
        texts = texts_of(html)
        latin = foreign_words(texts)
        if latin:
            problems[path] = sorted(latin)
            if os.environ.get("OMBUDS_CRAWL_REPORT"):
                problems[path + " (texts)"] = [t for t in texts if foreign_words([t])]
        for href in links_of(html, prefix):
            if href not in seen and not any(s in href for s in skip):
                seen.add(href)
                queue.append(href)
    if os.environ.get("OMBUDS_CRAWL_REPORT"):  # for whoever fixes what the crawl finds
        with open(os.environ["OMBUDS_CRAWL_REPORT"], "a") as fh:
            fh.write(json.dumps(problems, ensure_ascii=False, indent=1) + "\n")
    return problems


def sign_in(username: str) -> Client:
    from ombuds.staff.demo import STAFF, _b32

    member = next(m for m in STAFF if m.username == username)
    client = Client()
    r = client.post("/ru/staff/sign-in/", {"username": username, "password": member.password})
    assert r.status_code == 302, r.content[:500]
    r = client.post("/ru/staff/sign-in/code/", {"code": pyotp.TOTP(_b32(username)).now()})
    assert r.status_code == 302, r.content[:500]
    return client


def exercise_demo(settings: Any, data_dir: Path) -> Demo:
    """The demo install after every kind of action, with every member signed in.

    A second-factor code is accepted once, so each member signs in once, here.
    """
    from ombuds.staff.demo import demo_install

    settings.DATA_DIR = data_dir
    settings.OMBUDS_ANALYSIS_INLINE_RUNS = True
    result = demo_install()
    assert result.created

    clients = {username: sign_in(username) for username in USERNAMES}

    # The intake officer opens every complaint's evidence list.
    intake = clients["intake"]
    inbox = intake.get("/ru/staff/").content.decode()
    for href in set(links_of(inbox, "/ru/staff/complaints/")):
        page = intake.get(href).content.decode()
        for evidence in set(links_of(page, "/ru/staff/evidence/complaints/")):
            assert intake.get(evidence).status_code == 200

    # The analyst imports two lists (one with a bad row) and runs linkage over them.
    analyst = clients["analyst"]
    ids = []
    for name, text in (("ngo", NGO), ("press", PRESS)):
        upload = SimpleUploadedFile(f"{name}.csv", text.encode(), content_type="text/csv")
        r = analyst.post("/ru/staff/analysis/import/", {"name": name, "file": upload})
        assert r.status_code == 302, r.content[:2000]
        ids.append(r["Location"].rstrip("/").rsplit("/", 1)[1])
    from ombuds.analysis.models import PersonList

    lists = [PersonList.objects.get(public_id=i) for i in ids]
    r = analyst.post(
        "/ru/staff/analysis/runs/new/",
        {"lists": [str(pl.pk) for pl in lists], "unique_lists": [], "threshold": "0.5"},
    )
    assert r.status_code == 302, r.content[:2000]

    # The last complainant withdraws their complaint.
    visitor = Client()
    assert visitor.post("/ru/return/", {"codename": result.codenames[-1]}).status_code == 302
    r = visitor.post("/ru/return/withdraw/", {"confirm": "on"})
    assert r.status_code == 200
    return Demo(result.codenames, clients)
