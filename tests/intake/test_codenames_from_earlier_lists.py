"""Complainants who hold a codename from the word lists before their rebuild still get in.

The lists were rebuilt (issue 9, item 11); codenames handed out before hold words that are in
no list now. A codename is never stored, only a keyed derivation of it, and the return visit
derives the keys from the words as typed (normalised), without looking them up in a list: so
an old codename opens its complaint as before. These tests hold that promise.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ombuds import crypto
from ombuds.intake import services
from ombuds.intake.models import Complaint
from ombuds.staff.models import Installation
from tests.conftest import submit_complaint

pytestmark = pytest.mark.django_db

#: Seven words of each list as it was before the rebuild (most named in issue 9), none of them
#: in any list now.
EARLIER_RU = "Виселица морг наркоман чеченец дерьмо водка анус"
EARLIER_EN = "vagina cocaine sperm penis heroin grenade vodka"


def _filed_under(codename: str) -> Complaint:
    """A complaint stored as an install with the earlier lists stored it: its lookup id and
    key pair derive from ``codename``, its data key is sealed to that key pair."""
    receipt_codename = submit_complaint(Client(), account="Canary account, filed long ago.")
    found = services.complainant_unlock(codename=crypto.parse_codename(receipt_codename))
    assert found is not None
    public_id, data_key = found
    keys = crypto.complainant_keys(
        crypto.parse_codename(codename), Installation.current().install_key()
    )
    Complaint.objects.filter(public_id=public_id).update(
        lookup_id=keys.lookup_id,
        complainant_public_key=keys.keypair.public_key,
        sealed_for_complainant=crypto.seal_data_key(keys.keypair.public_key, data_key),
    )
    return Complaint.objects.get(public_id=public_id)


@pytest.mark.parametrize("codename", [EARLIER_RU, EARLIER_EN])
def test_a_codename_of_words_no_longer_in_any_list_still_opens_its_complaint(
    world: Any, codename: str
) -> None:
    listed = set(crypto.wordlist("ru")) | set(crypto.wordlist("en"))
    assert not listed & set(crypto.parse_codename(codename).reveal().split())
    _filed_under(codename)
    visitor = Client()
    r = visitor.post("/en/return/", {"codename": codename})
    assert r.status_code == 302
    page = visitor.get("/en/return/complaint/")
    assert page.status_code == 200 and "Canary account, filed long ago." in page.content.decode()


def test_an_earlier_codename_typed_as_people_type_it_still_opens_its_complaint(
    world: Any,
) -> None:
    _filed_under(EARLIER_RU)
    typed = "  виселица МОРГ наркоман,  чеченец дёрьмо водка анус. "
    r = Client().post("/en/return/", {"codename": typed})
    assert r.status_code == 302
