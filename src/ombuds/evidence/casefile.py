"""The prosecutor's case file: one signed archive to put before an investigator or a court.

From a case, a case worker of an agency holding it exports ``casefile.pdf`` (in Russian, with
the agency's name: the cover, the persons with their roles, the events and acts with places
and dates, who was involved, the sources, the index of evidence with hashes and the chain of
custody, and what the file does not hold, said without content) together with the evidence
files, in the signed package of :mod:`.package`: the manifest lists the PDF with its SHA-256,
so the embedded ``verify_package.py`` checks it offline with everything else.

What goes in is what the exporter's agency reads (its compartment keys), less the persons the
exporting officer leaves out (witnesses, say); the PDF says that something was left out and
that material was withheld by consent, never what, whom or how much (issue 9, item 8).

The PDF is drawn by fpdf2 (pure Python: no browser, no network) with a TrueType font covering
Cyrillic: ``OMBUDS_PDF_FONT``, or Debian's DejaVu Sans (fonts-dejavu-core) found at run time.
See docs/evidence.md, "The case file".
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from ombuds.access import may_export_case_file
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record
from ombuds.casework.models import Case, CaseRecord
from ombuds.casework.records import (
    ActRecord,
    ActType,
    DetentionType,
    EventRecord,
    FuzzyDate,
    InformationRecord,
    InvolvementDegree,
    InvolvementRecord,
    PerpetratorType,
    PersonRecord,
    Record,
    Reliability,
    Sex,
    SourceType,
    VictimStatus,
    ViolationStatus,
)
from ombuds.casework.selectors import (
    CaseKeys,
    WithheldKinds,
    case_records_readable,
    case_withheld_kinds,
)
from ombuds.staff.models import StaffUser

from . import services
from .models import CustodyEntry, CustodyStep, EvidenceFile, EvidenceItem, EvidenceKind
from .package import _export
from .templatetags.custody import custody_note

if TYPE_CHECKING:  # fpdf2 is imported when a file is drawn, not when the site starts
    from fpdf import FPDF

#: Where Debian's fonts-dejavu-core puts DejaVu Sans (and where other systems often do).
DEFAULT_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/local/share/fonts/DejaVuSans.ttf"),
)
#: Letters the font must draw: the Russian alphabet, Latin, digits and the signs the file uses.
REQUIRED_LETTERS = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяAZaz09№—«»"
CASE_FILE_PDF = "casefile.pdf"


class FontMissing(Exception):
    """No usable font for the case file; the message says what to install or set."""


class CaseFileRefused(Exception):
    """The user may not export this case's file (the view answers 403)."""


def _covers(path: Path) -> bool:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(str(path), lazy=True) as font:
            cmap = font.getBestCmap() or {}
    except (OSError, TTLibError, AssertionError, KeyError, ValueError):
        return False
    return all(ord(ch) in cmap for ch in REQUIRED_LETTERS)


def pdf_font() -> Path:
    """The TrueType font the case file is drawn with: ``OMBUDS_PDF_FONT`` when set, else the
    first DejaVu Sans found. Raises :class:`FontMissing` (with what to do) when there is none,
    or when it cannot draw Cyrillic."""
    configured = getattr(settings, "OMBUDS_PDF_FONT", "")
    candidates = [Path(configured)] if configured else list(DEFAULT_FONTS)
    for path in candidates:
        if path.is_file() and _covers(path):
            return path
    if configured:
        raise FontMissing(
            gettext(
                "The font set in OMBUDS_PDF_FONT (%(path)s) is missing or does not cover "
                "Cyrillic: set a TrueType font that does."
            )
            % {"path": configured}
        )
    raise FontMissing(
        gettext(
            "No font for the case file: install the package fonts-dejavu-core, or set "
            "OMBUDS_PDF_FONT to a TrueType font that covers Cyrillic."
        )
    )


# --- what the file says -----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonChoice:
    """A person the exporting officer may leave out: a Person record or a witness (an
    Information record whose source is a witness statement)."""

    public_id: str
    name: str
    roles: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name} ({', '.join(self.roles)})" if self.roles else self.name


@dataclass
class CaseFileContent:
    """The case as the exporter's agency reads it, decrypted for one request; never stored."""

    case: Case
    records: list[tuple[CaseRecord, Record]]
    persons: list[PersonChoice]
    withheld: WithheldKinds


def _choice_label(value: str, choices: type, fallback: str = "") -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or fallback


def _date(value: FuzzyDate) -> str:
    return gettext("unknown") if str(value) == "?" else str(value)


def _roles(records: Sequence[tuple[CaseRecord, Record]]) -> dict[str, list[str]]:
    roles: dict[str, list[str]] = {}
    for _row, rec in records:
        if isinstance(rec, ActRecord) and rec.victim:
            roles.setdefault(rec.victim, []).append(gettext("victim"))
        elif isinstance(rec, InvolvementRecord) and rec.perpetrator_person:
            roles.setdefault(rec.perpetrator_person, []).append(gettext("perpetrator"))
    return {k: list(dict.fromkeys(v)) for k, v in roles.items()}


def _is_witness(rec: Record) -> bool:
    return isinstance(rec, InformationRecord) and rec.source_type == SourceType.WITNESS


def case_file_content(*, case: Case, keys: CaseKeys) -> CaseFileContent:
    """Decrypt what ``keys`` open of ``case`` for the case file: every record (not a page), the
    persons and witnesses with their roles, and why the rest is withheld (reasons only)."""
    records = case_records_readable(case=case, keys=keys)
    roles = _roles(records)
    persons: list[PersonChoice] = []
    for row, rec in records:
        public_id = str(row.public_id)
        if isinstance(rec, PersonRecord):
            persons.append(
                PersonChoice(
                    public_id,
                    rec.name or gettext("(no name)"),
                    tuple(roles.get(public_id) or [gettext("named in the case")]),
                )
            )
        elif _is_witness(rec):
            assert isinstance(rec, InformationRecord)  # noqa: S101 - narrows the type
            persons.append(PersonChoice(public_id, rec.summary, (gettext("witness"),)))
    held = set(
        CaseRecord.objects.filter(case=case).values_list("compartment_id", flat=True).distinct()
    ) | set(
        EvidenceItem.objects.filter(case=case).values_list("compartment_id", flat=True).distinct()
    )
    withheld = case_withheld_kinds(case=case, keys=keys, compartment_ids=held)
    return CaseFileContent(case=case, records=records, persons=persons, withheld=withheld)


def case_file_person_choices(*, case: Case, keys: CaseKeys) -> list[PersonChoice]:
    """The persons (and witnesses) the exporting officer may leave out, labelled with their
    roles, in the language of the page."""
    return case_file_content(case=case, keys=keys).persons


# --- the PDF -----------------------------------------------------------------------------------


def _new_pdf(font: Path, title: str, footer: str) -> FPDF:
    from fpdf import FPDF

    class CaseFilePDF(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("body", size=7)
            self.cell(0, 5, f"{footer} · {self.page_no()}/{{nb}}", align="C")

    pdf = CaseFilePDF(format="A4")
    pdf.set_margins(16, 14, 16)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font("body", fname=str(font))
    pdf.set_lang("ru")
    pdf.set_title(title)
    pdf.set_creator("ombuds")
    pdf.set_font("body", size=10)
    return pdf


class _Writer:
    """Paragraphs, headings and label/value lines on an fpdf2 document."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf

    def _text(self, text: str, size: float, height: float, indent: float = 0) -> None:
        from fpdf.enums import XPos, YPos

        pdf = self.pdf
        pdf.set_font("body", size=size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def title(self, text: str) -> None:
        self._text(text, 18, 9)
        self.space(2)

    def heading(self, text: str) -> None:
        self.space(3)
        self._text(text, 13, 7)
        self.space(1)

    def subheading(self, text: str, indent: float = 0) -> None:
        self.space(1.5)
        self._text(text, 11, 5.5, indent)

    def para(self, text: str, indent: float = 0) -> None:
        self._text(text, 10, 5, indent)

    def line(self, label: str, value: object, indent: float = 0) -> None:
        if value in ("", None, ()):
            return
        self._text(f"{label}: {value}", 10, 5, indent)

    def small(self, text: str, indent: float = 0) -> None:
        self._text(text, 8, 4, indent)

    def space(self, mm: float) -> None:
        self.pdf.ln(mm)


@dataclass(frozen=True)
class ExportFacts:
    """What the cover says of the export itself."""

    package_id: uuid.UUID
    exported_by: str
    agency_name: str
    exported_at: datetime.datetime
    include_originals: bool


def _left(public_id: str, labels: dict[str, str], left_out: frozenset[str]) -> str:
    if public_id in left_out:
        return gettext("(left out)")
    return labels.get(public_id, gettext("withheld"))


def render_case_file(
    *,
    content: CaseFileContent,
    left_out: frozenset[str],
    items: Sequence[tuple[EvidenceItem, services.Facts]],
    custody: Iterable[CustodyEntry],
    paths: dict[str, list[str]],
    facts: ExportFacts,
    font: Path,
) -> bytes:
    """The case file as PDF bytes, in Russian. ``left_out``: the public ids of the persons and
    witnesses not to include; ``paths``: each item's files in the archive."""
    with translation.override("ru"):
        return _render(content, left_out, items, list(custody), paths, facts, font)


def _render(
    content: CaseFileContent,
    left_out: frozenset[str],
    items: Sequence[tuple[EvidenceItem, services.Facts]],
    custody: list[CustodyEntry],
    paths: dict[str, list[str]],
    facts: ExportFacts,
    font: Path,
) -> bytes:
    case = content.case
    records = [(row, rec) for row, rec in content.records if str(row.public_id) not in left_out]
    roles = _roles(records)
    labels: dict[str, str] = {}
    for row, rec in content.records:
        if isinstance(rec, PersonRecord):
            labels[str(row.public_id)] = rec.name or gettext("(no name)")
        elif isinstance(rec, EventRecord):
            labels[str(row.public_id)] = rec.title
    for row, rec in content.records:
        if isinstance(rec, ActRecord):
            act_label = _choice_label(rec.act_type, ActType)
            victim = _left(rec.victim, labels, left_out) if rec.victim else ""
            labels[str(row.public_id)] = f"{act_label}: {victim}" if victim else act_label

    short = str(case.public_id)[:8]
    pdf = _new_pdf(
        font,
        gettext("Case file %(id)s") % {"id": short},
        gettext("Case %(id)s · %(agency)s") % {"id": short, "agency": facts.agency_name},
    )
    pdf.add_page()
    w = _Writer(pdf)

    # The cover.
    w.title(gettext("Case file"))
    w.para(facts.agency_name)
    w.space(3)
    w.line(gettext("Case reference"), str(case.public_id))
    w.line(gettext("Opened"), case.opened_on.isoformat())
    updated = max(
        [case.status_changed_on]
        + [row.changed_on or row.created_on for row, _rec in content.records]
        + [item.received_on for item, _facts in items]
    )
    w.line(gettext("Last updated"), updated.isoformat())
    status = str(case.get_status_display())
    if case.outcome:
        status += f" ({case.get_outcome_display()})"
    w.line(gettext("Status"), status)
    if case.closed_on:
        w.line(gettext("Closed"), case.closed_on.isoformat())
    w.line(gettext("Priority"), case.get_priority_display())
    w.line(gettext("Responsible agency"), case.agency.display_name)
    w.line(
        gettext("Held by"),
        "; ".join(h.agency.display_name for h in case.holdings.select_related("agency")),
    )
    w.space(3)
    w.line(
        gettext("Exported"),
        timezone.localtime(facts.exported_at).strftime("%Y-%m-%d %H:%M %Z"),
    )
    w.line(gettext("Exported by"), f"{facts.exported_by}, {facts.agency_name}")
    w.line(gettext("Package"), str(facts.package_id))
    w.space(3)
    w.para(
        gettext(
            "This file holds what %(agency)s may read of the case. The evidence files are in "
            "the same archive; manifest.json lists every file, this PDF included, with its "
            "SHA-256, and is signed. Anyone can check the archive with verify_package.py, "
            "which it contains."
        )
        % {"agency": facts.agency_name}
    )
    w.heading(gettext("What this file does not include"))
    said = False
    if content.withheld.no_consent:
        w.para(
            gettext(
                "Records and files from complaints whose complainants did not consent to "
                "sharing with your agency are not included."
            )
        )
        said = True
    if content.withheld.not_yet_shared:
        w.para(
            gettext(
                "Some records and files have not been shared with your agency yet and are not "
                "included: an agency that can read them must refer the case again."
            )
        )
        said = True
    if left_out:
        w.para(
            gettext(
                "At the exporting officer's choice, some persons named in the case are left "
                "out of this file; where a record names one of them it says “(left out)”."
            )
        )
        said = True
    if case.sources_withdrawn:
        w.para(
            gettext(
                "Some complaints this case came from were withdrawn by their complainants: "
                "what was copied from them has been removed."
            )
        )
        said = True
    if not said:
        w.para(gettext("Nothing: the file holds every record and file of the case."))

    # Persons.
    w.heading(pgettext("case file", "Persons"))
    shown = 0
    for row, rec in records:
        public_id = str(row.public_id)
        if isinstance(rec, PersonRecord):
            shown += 1
            role = ", ".join(roles.get(public_id) or [gettext("named in the case")])
            w.subheading(f"{shown}. {rec.name or gettext('(no name)')} — {role}")
            w.line(gettext("Other names"), ", ".join(rec.other_names), 5)
            w.line(gettext("Sex"), _choice_label(rec.sex, Sex), 5)
            w.line(gettext("Birth date"), _date(rec.birth_date), 5)
            w.line(gettext("Age"), rec.age, 5)
            w.line(gettext("Origin"), rec.origin, 5)
            w.line(gettext("Notes"), rec.notes, 5)
        elif _is_witness(rec):
            assert isinstance(rec, InformationRecord)  # noqa: S101 - narrows the type
            shown += 1
            w.subheading(f"{shown}. {rec.summary} — {gettext('witness')}")
            w.line(pgettext("source", "Reference"), rec.source_ref, 5)
    if not shown:
        w.para(gettext("None."))

    # Events, their acts and who was involved.
    w.heading(gettext("Events and acts"))
    acts_of: dict[str, list[tuple[CaseRecord, ActRecord]]] = {}
    involvements_of: dict[str, list[InvolvementRecord]] = {}
    for row, rec in records:
        if isinstance(rec, ActRecord):
            acts_of.setdefault(rec.event, []).append((row, rec))
        elif isinstance(rec, InvolvementRecord):
            involvements_of.setdefault(rec.act, []).append(rec)
    events = [(row, rec) for row, rec in records if isinstance(rec, EventRecord)]
    known_events = {str(row.public_id) for row, _rec in events}
    orphan_acts = [
        pair for ev, pairs in acts_of.items() if ev not in known_events for pair in pairs
    ]

    def write_involvement(inv: InvolvementRecord, indent: float) -> None:
        if inv.perpetrator_person:
            who = _left(inv.perpetrator_person, labels, left_out)
        else:
            who = inv.perpetrator_unit or gettext("unknown")
        w.para(
            gettext("Involved: %(who)s (%(type)s; %(degree)s)")
            % {
                "who": who,
                "type": _choice_label(inv.perpetrator_type, PerpetratorType),
                "degree": _choice_label(inv.degree, InvolvementDegree),
            },
            indent,
        )
        w.line(gettext("Notes"), inv.notes, indent + 5)

    def write_act(row: CaseRecord, act: ActRecord, indent: float) -> None:
        w.subheading(_choice_label(act.act_type, ActType), indent)
        if act.victim:
            w.line(gettext("Victim"), _left(act.victim, labels, left_out), indent + 5)
        w.line(
            gettext("Dates"),
            f"{_date(act.start)} — {_date(act.end)}",
            indent + 5,
        )
        w.line(gettext("Place"), act.place, indent + 5)
        if act.detention_type:
            w.line(
                gettext("Detention"), _choice_label(act.detention_type, DetentionType), indent + 5
            )
        w.line(
            gettext("Victim's status at the end"),
            _choice_label(act.victim_status, VictimStatus),
            indent + 5,
        )
        w.line(gettext("Notes"), act.notes, indent + 5)
        for inv in involvements_of.get(str(row.public_id), []):
            write_involvement(inv, indent + 5)

    for number, (row, ev) in enumerate(events, 1):
        w.subheading(f"{number}. {ev.title}")
        w.line(gettext("Date"), _date(ev.date), 5)
        w.line(gettext("Place"), ev.place, 5)
        w.line(gettext("Description"), ev.description, 5)
        for act_row, act in acts_of.get(str(row.public_id), []):
            write_act(act_row, act, 5)
    for act_row, act in orphan_acts:
        write_act(act_row, act, 0)
    act_ids = {str(row.public_id) for row, rec in records if isinstance(rec, ActRecord)}
    loose = [inv for ref, invs in involvements_of.items() if ref not in act_ids for inv in invs]
    if loose:
        w.subheading(gettext("Involvement not yet tied to an act"))
        for inv in loose:
            write_involvement(inv, 5)
    if not events and not orphan_acts and not loose:
        w.para(gettext("None."))

    # Sources.
    w.heading(gettext("Sources"))
    sources = [
        rec for _row, rec in records if isinstance(rec, InformationRecord) and not _is_witness(rec)
    ]
    for number, info in enumerate(sources, 1):
        w.subheading(f"{number}. {_choice_label(info.source_type, SourceType)}")
        w.line(pgettext("source", "Reference"), info.source_ref, 5)
        w.line(gettext("Reliability"), _choice_label(info.reliability, Reliability), 5)
        w.line(
            gettext("Violation status"), _choice_label(info.violation_status, ViolationStatus), 5
        )
        if info.about:
            w.line(pgettext("source", "About"), labels.get(info.about, gettext("withheld")), 5)
        w.line(gettext("What it says"), info.summary, 5)
    if not sources:
        w.para(gettext("None."))

    # The evidence index.
    w.heading(gettext("Index of evidence"))
    steps: dict[int, list[CustodyEntry]] = {}
    for entry in custody:
        steps.setdefault(entry.item_id, []).append(entry)
    for number, (item, item_facts) in enumerate(items, 1):
        w.subheading(f"{number}. {item_facts.name}")
        w.line(
            gettext("Type"),
            f"{_choice_label(item.kind, EvidenceKind)} ({item_facts.media_type})",
            5,
        )
        w.line(pgettext("evidence", "Received"), item.received_on.isoformat(), 5)
        w.line(
            gettext("Added by"),
            gettext("the complainant") if item.by_complainant else gettext("staff"),
            5,
        )
        w.line(gettext("Original, size in bytes"), item_facts.original_size, 5)
        w.small(gettext("Original, SHA-256:"), 5)
        w.small(item_facts.original_sha256, 5)
        w.line(gettext("Working copy, size in bytes"), item_facts.working_size, 5)
        w.small(gettext("Working copy, SHA-256:"), 5)
        w.small(item_facts.working_sha256, 5)
        if item_facts.removed:
            w.line(gettext("Removed from the working copy"), item_facts.removed, 5)
        w.line(gettext("In this archive"), ", ".join(paths.get(str(item.public_id), [])), 5)
        w.para(gettext("Chain of custody:"), 5)
        for entry in steps.get(item.pk, []):
            when = (
                entry.at.date().isoformat()
                if entry.by_complainant
                else timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M")
            )
            who = (
                gettext("the complainant")
                if entry.by_complainant
                else ", ".join(
                    x
                    for x in (
                        entry.actor_username,
                        entry.agency.display_name if entry.agency else "",
                    )
                    if x
                )
            )
            note = custody_note(entry.note) if entry.note else ""
            text = f"{when} — {_choice_label(entry.step, CustodyStep)} — {who}"
            w.small(text + (f" — {note}" if note else ""), 10)
    if not items:
        w.para(gettext("None."))
    return bytes(pdf.output())


# --- the export --------------------------------------------------------------------------------


def case_file_export(
    *,
    user: StaffUser,
    case: Case,
    keys: CaseKeys,
    left_out: Iterable[str],
    include_originals: bool,
) -> tuple[str, bytes]:
    """Build and sign the case file of ``case`` as ``user``'s agency reads it; return (file
    name, ZIP bytes).

    ``left_out``: public ids of persons and witnesses (among :func:`case_file_person_choices`)
    not to include. Records the ``exported`` custody entry of each item and one audit entry
    for the file (who, which case, counts; no content), in one transaction. Raises
    :class:`CaseFileRefused`, :class:`FontMissing` (before anything is recorded),
    :class:`ValueError` for a person not among the choices, and as
    :func:`.package.case_evidence_export` does.
    """
    if not may_export_case_file(user=user, case=case) or user.agency is None:
        raise CaseFileRefused
    font = pdf_font()
    content = case_file_content(case=case, keys=keys)
    chosen = frozenset(left_out)
    if chosen - {p.public_id for p in content.persons}:
        raise ValueError("a person left out is not among the case's persons")
    items = list(
        EvidenceItem.objects.filter(case=case, compartment_id__in=list(keys.by_compartment))
        .select_related("case", "compartment")
        .prefetch_related(Prefetch("files", queryset=EvidenceFile.objects.defer("ciphertext")))
        .order_by("pk")
    )
    with_facts = [
        (
            item,
            services.facts_of(
                item=item,
                file_key=services.file_key_of(
                    item=item, data_key=keys.by_compartment[item.compartment_id or 0]
                ),
            ),
        )
        for item in items
    ]
    agency = user.agency
    with translation.override("ru"):
        agency_name = agency.display_name

    def documents(package_id: uuid.UUID, log: list[CustodyEntry]) -> list[tuple[str, str, bytes]]:
        paths: dict[str, list[str]] = {}
        for item, _facts in with_facts:
            roles = ["original", "working"] if include_originals else ["working"]
            paths[str(item.public_id)] = [
                f"files/{item.public_id}/{role}.{_extension(item)}" for role in roles
            ]
        pdf = render_case_file(
            content=content,
            left_out=chosen,
            items=with_facts,
            custody=log,
            paths=paths,
            facts=ExportFacts(
                package_id=package_id,
                exported_by=user.get_username(),
                agency_name=agency_name,
                exported_at=timezone.now(),
                include_originals=include_originals,
            ),
            font=font,
        )
        persons_in = len(content.persons) - len(chosen)
        audit_record(
            action=AuditAction.EXPORT,
            actor=user,
            subject=f"case:{case.public_id}",
            details={
                "what": "case_file",
                "package": str(package_id),
                "records": len(content.records) - len(chosen),
                "persons": persons_in,
                "persons_left_out": len(chosen),
                "items": len(with_facts),
                "originals": include_originals,
                "withheld": content.withheld.no_consent or content.withheld.not_yet_shared,
                "pdf_sha256": services.sha256_hex(pdf),
            },
        )
        return [(CASE_FILE_PDF, "application/pdf", pdf)]

    return _export(
        user=user,
        owner={"case": str(case.public_id)},
        items=[(item, keys.by_compartment[item.compartment_id or 0]) for item in items],
        include_originals=include_originals,
        documents=documents,
    )


def _extension(item: EvidenceItem) -> str:
    from . import files

    return files.EXTENSIONS[files.Kind(item.kind)][0]
