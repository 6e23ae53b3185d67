"""The demo install: three agencies, one member per role, a few complaints.

For trying ombuds out and for the browser tests; never for real complaints (the escrow key
is written to disk and the demo passwords are public).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.db import transaction

from ombuds import crypto
from ombuds.intake import services as intake_services
from ombuds.intake.content import ComplaintContent, PersonConcerned
from ombuds.intake.forms import new_form_token

from . import services
from .models import Agency, AgencyKind, Installation, Role, StaffUser


@dataclass(frozen=True)
class DemoStaff:
    username: str
    agency: str
    role: Role

    @property
    def password(self) -> str:
        return f"{self.username}-demo-pass"


def _b32(text: str) -> str:
    """A demo member's TOTP secret: derived from the name so `ombuds democode` can print
    codes. Acceptable only in a demo, whose passwords are public anyway."""
    import base64

    return base64.b32encode((text + "-demo-totp-seed").encode()[:20].ljust(20, b"0")).decode()


AGENCIES = [
    (
        "working-group",
        AgencyKind.WORKING_GROUP,
        "Рабочая группа уполномоченного по правам человека",
        "Ombudsperson's working group",
        True,
    ),
    ("prosecutor", AgencyKind.PROSECUTOR, "Генеральная прокуратура", "Prosecutor's office", False),
    ("interior", AgencyKind.INTERIOR, "Министерство внутренних дел", "Interior ministry", False),
]
STAFF = [
    DemoStaff("intake", "working-group", Role.INTAKE_OFFICER),
    DemoStaff("analyst", "working-group", Role.ANALYST),
    DemoStaff("auditor", "working-group", Role.AUDITOR),
    DemoStaff("admin", "working-group", Role.ADMIN),
    DemoStaff("prosecutor", "prosecutor", Role.INVESTIGATOR),
    DemoStaff("liaison", "interior", Role.LIAISON),
]

COMPLAINTS = [
    ComplaintContent(
        filer_role="relative",
        acts=("detention", "disappearance"),
        when_kind="month",
        when_value="2017-03",
        place="Аргун",
        persons=(PersonConcerned("Магомед Д.", "27", "m"),),
        perpetrators=("police",),
        perpetrator_details="Люди в форме, приехали ночью на двух машинах.",
        held_now="yes",
        account="Моего брата забрали из дома ночью. С тех пор мы ничего о нём не знаем.",
        contact="",
        language="ru",
        consent=("prosecutor",),
    ),
    ComplaintContent(
        filer_role="witness",
        acts=("torture", "threats"),
        when_kind="year",
        when_value="2017",
        place="Grozny",
        persons=(PersonConcerned("unknown", "", "m"),),
        perpetrators=("security_forces",),
        perpetrator_details="",
        held_now="unknown",
        account="I saw men being beaten in the yard of a former military building.",
        contact="",
        language="en",
        consent=(),
    ),
    ComplaintContent(
        filer_role="victim",
        acts=("detention", "torture", "forced_disclosure"),
        when_kind="day",
        when_value="2017-02-20",
        place="Гудермес",
        persons=(PersonConcerned("", "31", "m"),),
        perpetrators=("police", "officials"),
        perpetrator_details="",
        held_now="no",
        account="Меня задержали и держали девять дней, требовали назвать имена знакомых.",
        contact="Только через этот сайт.",
        language="ru",
        consent=("prosecutor", "interior"),
    ),
]


@dataclass(frozen=True)
class DemoResult:
    created: bool
    codenames: tuple[str, ...] = ()


def escrow_key_path() -> str:
    return str(settings.DATA_DIR / "demo-escrow.key")


def demo_install() -> DemoResult:
    """Make the demo install; a second run changes nothing.

    What the demo's staff write (the summaries copied into cases) is written in the site's
    default language, as a member using the Russian staff site would write it, whatever
    language the caller has active (a management command has none).
    """
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return _demo_install()


def _demo_install() -> DemoResult:
    if Installation.objects.exists():
        return DemoResult(created=False)
    from ombuds.audit.signing import ensure_signing_key

    new = services.install_initialise(demo=True)
    ensure_signing_key()
    with open(escrow_key_path(), "w") as fh:
        fh.write(new.escrow_private_key.reveal().hex())
    keys: dict[str, crypto.PrivateKey] = {}
    for slug, kind, ru, en, receives_all in AGENCIES:
        _agency, keys[slug] = services.agency_create(
            slug=slug, kind=kind, name_ru=ru, name_en=en, receives_all=receives_all
        )
    for member in STAFF:
        agency = Agency.objects.get(slug=member.agency)
        user = services.staff_create(
            username=member.username,
            password=member.password,
            agency=agency,
            role=member.role,
            agency_private_key=keys[member.agency],
        )
        services.totp_enrol(user=user, secret=_b32(member.username))
    codenames = []
    for content in COMPLAINTS:
        receipt = intake_services.complaint_submit(content=content, form_token=new_form_token())
        assert receipt.codename is not None  # noqa: S101 - the public path makes one
        codenames.append(receipt.codename.reveal())
    # A reply on the first complaint, as the intake officer would write it.
    from ombuds.intake.models import Complaint
    from ombuds.intake.selectors import complaint_data_key_for_agency

    officer = StaffUser.objects.get(username="intake")
    wg = Agency.objects.get(slug="working-group")
    first = Complaint.objects.order_by("pk").first()
    if first is None:
        raise RuntimeError("the demo complaints were not saved")
    data_key = complaint_data_key_for_agency(
        complaint=first, agency=wg, agency_private_key=keys["working-group"]
    )
    with transaction.atomic():
        intake_services.complaint_reply(
            user=officer,
            complaint=first,
            data_key=data_key,
            text=(
                "Мы получили вашу жалобу и передали её в прокуратуру. "
                "Можете ли вы сообщить дату задержания?"
            ),
        )
    from ombuds.casework.demo import demo_cases

    demo_cases(agency_keys=keys)
    from ombuds.audit.services import audit_checkpoint_create

    audit_checkpoint_create()  # anchored from the start, as `ombuds init` does
    return DemoResult(created=True, codenames=tuple(codenames))


def demo_code(username: str) -> str:
    """The current second-factor code of a demo member (demo installs only)."""
    inst = Installation.current()
    if not inst.is_demo:
        raise PermissionError("second-factor codes are printed only on a demo install")
    if not any(m.username == username for m in STAFF):
        raise KeyError(username)
    return pyotp.TOTP(_b32(username)).now()
