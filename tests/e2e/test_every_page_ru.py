"""Every page every persona can reach is Russian, and none of them fails.

The demo install is put through every kind of action first (``crawl.exercise_demo``), so the
pages show what those actions leave behind. Then each demo member follows every link it can
reach on the Russian staff site (GET only, same site); the complainant does the same on the
public site. A page may refuse (403, 404, 409), never fail (500); its visible text holds no
Latin-script word other than the data the demo typed in, codes, and names of products.

Not a browser test (no ``e2e`` mark): it runs with the fast suite, through the test client.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.e2e.crawl import PUBLIC_SKIP, STAFF_SKIP, USERNAMES, Demo, crawl, exercise_demo

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def exercised_demo(settings, tmp_path) -> Demo:
    return exercise_demo(settings, tmp_path)


def test_every_staff_page_every_member_reaches_is_russian_and_none_fails(
    exercised_demo: Demo,
) -> None:
    problems = {}
    for username in USERNAMES:
        client = exercised_demo.clients[username]
        for path, problem in crawl(client, "/ru/staff/", "/ru/staff/", STAFF_SKIP).items():
            problems[f"{username} {path}"] = problem
    assert problems == {}


def test_every_public_page_a_complainant_reaches_is_russian_and_none_fails(
    exercised_demo: Demo,
) -> None:
    visitor = Client()
    assert visitor.post("/ru/return/", {"codename": exercised_demo.codenames[0]}).status_code == 302
    problems = crawl(visitor, "/ru/", "/ru/", PUBLIC_SKIP)
    problems |= crawl(visitor, "/ru/return/complaint/", "/ru/", PUBLIC_SKIP)
    assert problems == {}
