"""Demo cases for `ombuds demo` (staff/demo.py calls :func:`demo_cases`).

Two cases coded from the demo complaints, as the working group's intake officer would:

1. From the complaints about Argun (consent: prosecutor) and Grozny (consent: none), referred to
   the prosecutor's office, which therefore reads the first complaint's material and the staff
   notes but not the Grozny witness's account (the withheld notice says why).
2. From the Gudermes complaint (consent: everyone), referred to the interior ministry, which
   reads all of it.

Evidence: the Argun relative's photo (sent with the complaint) and a staff photo on the first
case, attached before the referral, so its chain of custody shows the transfer to the
prosecutor's office. Both are JPEGs made here with GPS EXIF, which the working copies lack.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from ombuds import crypto
from ombuds.evidence import services as evidence_services
from ombuds.intake.models import Complaint
from ombuds.intake.selectors import (
    ComplaintView,
    complaint_data_key_for_agency,
    decrypt_complaint,
)
from ombuds.staff.models import Agency, StaffUser

from . import services
from .models import Case, CasePriority, CaseStatus
from .records import (
    ActRecord,
    ActType,
    DatePrecision,
    DetentionType,
    EventRecord,
    FuzzyDate,
    InformationRecord,
    InvolvementDegree,
    InvolvementRecord,
    PerpetratorType,
    PersonRecord,
    Reliability,
    Sex,
    SourceType,
    VictimStatus,
    ViolationStatus,
)


def _read(complaint: Complaint, agency: Agency, key: crypto.PrivateKey) -> ComplaintView:
    data_key = complaint_data_key_for_agency(
        complaint=complaint, agency=agency, agency_private_key=key
    )
    return decrypt_complaint(complaint=complaint, data_key=data_key)


#: Where the demo photos claim to be taken (Argun): GPS IFD, degrees-minutes-seconds.
DEMO_GPS = {1: "N", 2: (43.0, 17.0, 30.0), 3: "E", 4: (45.0, 52.0, 20.0)}


def demo_photo(colour: tuple[int, int, int], size: tuple[int, int] = (320, 240)) -> bytes:
    """A small JPEG with a phone's EXIF (maker, GPS), as a witness's photo would carry."""
    img = Image.new("RGB", size, (40, 40, 48))
    draw = ImageDraw.Draw(img)
    width, height = size
    draw.rectangle((0, height * 2 // 3, width, height), fill=(90, 80, 60))
    draw.rectangle((width // 4, height // 3, width * 3 // 4, height * 2 // 3), fill=colour)
    exif = Image.Exif()
    exif[0x010F] = "Demo phone maker"  # Make
    exif[0x8825] = DEMO_GPS  # GPSInfo
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


def demo_cases(
    *, agency_keys: Mapping[str, crypto.PrivateKey], opener: str = "intake"
) -> list[Case]:
    """Make the two demo cases; needs the demo complaints (oldest first) and staff.

    ``agency_keys`` maps agency slugs to private keys, as ``demo_install`` holds them; only
    the working group's is used (the opener's agency), the way a signed-in member's would be.
    Returns the cases, or an empty list if cases exist already.
    """
    if Case.objects.exists():
        return []
    user = StaffUser.objects.select_related("agency").get(username=opener)
    agency = user.agency
    if agency is None:
        raise ValueError("the demo opener belongs to no agency")
    key = agency_keys[agency.slug]
    complaints = list(Complaint.objects.order_by("pk")[:3])
    if len(complaints) < 3:
        raise ValueError("demo_cases needs the three demo complaints")
    argun, grozny, gudermes = complaints
    prosecutor = Agency.objects.get(slug="prosecutor")
    interior = Agency.objects.get(slug="interior")
    cases: list[Case] = []
    with transaction.atomic():
        # The Argun relative's photo, sent with the complaint.
        evidence_services.evidence_attach(
            complaint=argun,
            data_key=complaint_data_key_for_agency(
                complaint=argun, agency=agency, agency_private_key=key
            ),
            upload=SimpleUploadedFile("дом-ночью.jpg", demo_photo((150, 40, 40))),
            by_complainant=True,
        )

        # 1. Argun and Grozny, referred to the prosecutor's office.
        case, keys = services.case_open(
            user=user,
            complaints=[(argun, _read(argun, agency, key)), (grozny, _read(grozny, agency, key))],
            priority=CasePriority.URGENT,
        )
        victim = services.person_add(
            user=user,
            case=case,
            keys=keys,
            person=PersonRecord(
                name="Магомед Д.",
                other_names=("Magomed D.", "Magomed Dadaev"),
                sex=Sex.MALE,
                birth_date=FuzzyDate("1990", DatePrecision.ESTIMATE),
                age=27,
                origin="Аргун",
            ),
            sources=[argun],
        )
        event, act = services.event_add(
            user=user,
            case=case,
            keys=keys,
            event=EventRecord(
                title="Ночное задержание в Аргуне",
                date=FuzzyDate("2017-03", DatePrecision.MONTH),
                place="Аргун",
                description="Забран из дома ночью людьми в форме, две машины.",
            ),
            act=ActRecord(
                event="",
                act_type=ActType.DETENTION,
                detention_type=DetentionType.UNACKNOWLEDGED,
                victim=str(victim.public_id),
                start=FuzzyDate("2017-03", DatePrecision.MONTH),
                place="Аргун",
                victim_status=VictimStatus.MISSING,
            ),
            sources=[argun],
        )
        assert act is not None  # noqa: S101 - event_add returns the act it was given
        services.involvement_add(
            user=user,
            case=case,
            keys=keys,
            involvement=InvolvementRecord(
                act=str(act.public_id),
                perpetrator_type=PerpetratorType.POLICE,
                degree=InvolvementDegree.CARRIED_OUT,
                perpetrator_unit="Argun district police (ОМВД по г. Аргун)",
            ),
            sources=[argun],
        )
        services.information_add(
            user=user,
            case=case,
            keys=keys,
            information=InformationRecord(
                source_type=SourceType.MEDIA,
                reliability=Reliability.MEDIUM,
                violation_status=ViolationStatus.LIKELY,
                about=str(event.public_id),
                source_ref="Novaya Gazeta, 2017-04-01",
                summary="Reports of mass detentions in Argun in March 2017.",
            ),
        )
        services.event_add(
            user=user,
            case=case,
            keys=keys,
            event=EventRecord(
                title="Beatings in a former military building",
                date=FuzzyDate("2017", DatePrecision.YEAR),
                place="Grozny",
            ),
            act=ActRecord(
                event="",
                act_type=ActType.TORTURE,
                place="Grozny",
                victim_status=VictimStatus.UNKNOWN,
            ),
            sources=[grozny],
        )
        # A staff photo, readable by every agency holding the case: referring the case
        # records its transfer to the prosecutor's office in the chain of custody.
        evidence_services.evidence_attach_to_case(
            user=user,
            case=case,
            keys=keys,
            upload=SimpleUploadedFile("argun-checkpoint.jpg", demo_photo((40, 90, 150))),
        )
        services.case_set_status(user=user, case=case, status=CaseStatus.INVESTIGATING)
        services.case_refer(user=user, case=case, keys=keys, agency=prosecutor)
        cases.append(case)

        # 2. Gudermes, referred to the interior ministry (the complainant consented).
        case, keys = services.case_open(
            user=user, complaints=[(gudermes, _read(gudermes, agency, key))]
        )
        victim = services.person_add(
            user=user,
            case=case,
            keys=keys,
            person=PersonRecord(
                name="(имя не названо заявителем)",
                sex=Sex.MALE,
                age=31,
                origin="Гудермес",
            ),
            sources=[gudermes],
        )
        event, act = services.event_add(
            user=user,
            case=case,
            keys=keys,
            event=EventRecord(
                title="Задержание в Гудермесе",
                date=FuzzyDate("2017-02-20", DatePrecision.DAY),
                place="Гудермес",
            ),
            act=ActRecord(
                event="",
                act_type=ActType.DETENTION,
                detention_type=DetentionType.INCOMMUNICADO,
                victim=str(victim.public_id),
                start=FuzzyDate("2017-02-20", DatePrecision.DAY),
                end=FuzzyDate("2017-03-01", DatePrecision.ESTIMATE),
                victim_status=VictimStatus.RELEASED,
            ),
            sources=[gudermes],
        )
        services.act_add(
            user=user,
            case=case,
            keys=keys,
            act=ActRecord(
                event=str(event.public_id),
                act_type=ActType.FORCED_DISCLOSURE,
                victim=str(victim.public_id),
                start=FuzzyDate("2017-02", DatePrecision.MONTH),
                victim_status=VictimStatus.RELEASED,
            ),
            sources=[gudermes],
        )
        services.case_refer(user=user, case=case, keys=keys, agency=interior)
        cases.append(case)
    return cases
