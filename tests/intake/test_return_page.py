"""What the complainant's return page says: who answered, what became of the complaint, what
they sent and how long it is kept (issue 9, items 9, 14 and 17)."""

from __future__ import annotations

import datetime
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from ombuds.intake.models import Complaint
from tests.casework.helpers import case_url, file_complaint, open_case, signed_in
from tests.conftest import fresh_form, share_complaint, submit_complaint


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 0)).save(out, format="PNG")
    return SimpleUploadedFile("yard.png", out.getvalue(), content_type="image/png")


def _codename(receipt: str) -> str:
    found = re.search(r'<p class="codename" id="codename">(.*?)</p>', receipt, re.S)
    assert found, receipt[:2000]
    return " ".join(re.findall(r"<span>([^<]+)</span>", found.group(1)))


def _visit(codename: str, language: str = "en") -> Client:
    visitor = Client()
    r = visitor.post(f"/{language}/return/", {"codename": codename})
    assert r.status_code == 302
    return visitor


def _page(visitor: Client, language: str = "en") -> str:
    r = visitor.get(f"/{language}/return/complaint/")
    assert r.status_code == 200
    return r.content.decode()


def _progress(page: str) -> str | None:
    found = re.search(r'<p class="notice progress">(.*?)</p>', page, re.S)
    return None if found is None else found.group(1)


def _named_agencies(world) -> None:
    for slug, ru, en in (
        ("prosecutor", "Прокуратура республики", "The Republic's prosecutor's office"),
        ("interior", "Министерство внутренних дел", "The interior ministry"),
        ("working-group", "Рабочая группа омбудсмена", "The ombudsperson's working group"),
    ):
        agency = world.agencies[slug]
        agency.name_ru, agency.name_en = ru, en
        agency.save()


# --- item 14: who answered ------------------------------------------------------------------


def test_a_reply_from_the_prosecutor_is_signed_with_its_name_in_the_pages_language(world) -> None:
    _named_agencies(world)
    codename = submit_complaint(Client(), consent_prosecutor="on")
    complaint = Complaint.objects.get()
    share_complaint(world, complaint, "prosecutor")
    prosecutor = signed_in(world, "prosecutor")
    r = prosecutor.post(
        f"/en/staff/complaints/{complaint.public_id}/reply/", {"text": "Come to our office."}
    )
    assert r.status_code == 302
    officer = signed_in(world, "intake_officer")
    r = officer.post(f"/en/staff/complaints/{complaint.public_id}/reply/", {"text": "We read it."})
    assert r.status_code == 302
    visitor = _visit(codename, "ru")
    ru = _page(visitor, "ru")
    metas = re.findall(r'<p class="meta">(.*?)</p>', ru)
    assert len(metas) == 2
    assert "Прокуратура республики" in metas[0] and "Рабочая группа" not in metas[0]
    assert "Рабочая группа омбудсмена" in metas[1]
    en = _page(visitor, "en")
    assert "The Republic&#x27;s prosecutor&#x27;s office" in en


# --- item 9: what became of it, from what was shared -----------------------------------------


def test_a_complainant_whose_material_was_withheld_is_not_told_it_went_to_the_prosecutor(
    world,
) -> None:
    _named_agencies(world)
    shared_codename = submit_complaint(Client(), consent_prosecutor="on", account="Shared.")
    withheld_codename = submit_complaint(Client(), account="Withheld.")
    shared, withheld = Complaint.objects.order_by("pk")
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, shared, withheld)
    r = officer.post(case_url(case, "refer/"), {"agency": world.agencies["prosecutor"].pk})
    assert r.status_code == 302

    assert _progress(_page(_visit(withheld_codename))) == (
        "Your complaint is part of an investigation."
    )
    assert _progress(_page(_visit(shared_codename))) == (
        "Your complaint has been referred to: The Republic&#x27;s prosecutor&#x27;s office."
    )


def test_a_referral_to_the_interior_ministry_names_it_not_the_prosecutor(world) -> None:
    _named_agencies(world)
    codename = submit_complaint(Client(), consent_interior="on")
    officer = signed_in(world, "intake_officer")
    case = open_case(officer, Complaint.objects.get())
    r = officer.post(case_url(case, "refer/"), {"agency": world.agencies["interior"].pk})
    assert r.status_code == 302
    progress = _progress(_page(_visit(codename, "ru"), "ru"))
    assert progress is not None
    assert "Министерство внутренних дел" in progress and "прокурат" not in progress.lower()


def test_a_complaint_in_no_case_has_no_progress_line(world) -> None:
    file_complaint("prosecutor")
    codename = submit_complaint(Client())
    assert _progress(_page(_visit(codename))) is None


# --- item 17: what you wrote, when to come back, how long it is kept -----------------------


def _what_you_wrote(page: str) -> str:
    found = re.search(r"<summary>What you wrote</summary>(.*?)</details>", page, re.S)
    assert found, "the page has a 'What you wrote' section"
    return found.group(1)


def test_what_you_wrote_shows_every_answer_the_consent_and_the_files(world) -> None:
    _named_agencies(world)
    client = Client()
    data = fresh_form(client, consent_prosecutor="on", place="Argun, Zavodskaya street")
    data["file"] = _photo()
    r = client.post("/en/complaint/", data)
    assert r.status_code == 200
    codename = _codename(r.content.decode())
    wrote = _what_you_wrote(_page(_visit(codename)))
    for shown in (
        "My brother was taken from our home at night.",  # the account
        "Argun, Zavodskaya street",  # the place
        "Magomed D., 27, Male, It happened to this person",  # the person, with their role
        "Detention, Disappearance",  # the acts
        "March 2017",  # when, in words
        "Police",  # by whom
        "Yes, someone is held right now",
        "The ombudsperson&#x27;s working group, The Republic&#x27;s prosecutor&#x27;s office",
        "yard.png",  # the file sent with the complaint
    ):
        assert shown in wrote, shown
    assert "interior" not in wrote.lower()


def test_the_complainant_is_told_when_to_come_back_and_until_when_it_is_kept(world) -> None:
    client = Client()
    r = client.post("/en/complaint/", fresh_form(client))
    receipt = r.content.decode()
    complaint = Complaint.objects.get()
    last_day = complaint.received_on + datetime.timedelta(
        days=world.agencies["working-group"].retention_days
    )
    for page in (receipt, _page(_visit(_codename(receipt)))):
        assert "Come back with your codename in about a week" in page
        assert f"everything you sent are deleted after {last_day:%Y-%m-%d}" in page

    officer = signed_in(world, "intake_officer")
    open_case(officer, complaint)
    page = _page(_visit(_codename(receipt)))
    assert "it is kept as long as the investigation needs it" in page
    assert "deleted after" not in page
