"""What the complaint form and ``complaint_submit`` need to know about the install, in one read.

A complaint needs the install key (codename derivation) and the agencies: those that receive
every complaint (sealed to now), those offered on the form as consent boxes (their names and
notes in two languages), and each one's public key and retention period. Reading them through
the ORM took three queries per complaint (the form's consent boxes, the installation, the
recipients), each compiled anew. Here it is one raw ``SELECT`` (SQLite and PostgreSQL alike)
whose rows are the whole answer, read on every request: nothing is cached across requests, so
a key rotation or an agency edit in one worker is seen by the next request in every worker
(a complaint is never sealed to a retired key).

The rows are also the key under which ``intake.formpage`` keeps the rendered form page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, router

from ombuds import crypto
from ombuds.staff.models import Agency, Installation


@dataclass(frozen=True)
class AgencyFacts:
    """What intake uses of an agency (a row of ``staff_agency``, read-only)."""

    pk: int
    slug: str
    name_ru: str
    name_en: str
    public_key: bytes
    receives_all: bool
    offered_for_consent: bool
    consent_note_ru: str
    consent_note_en: str
    retention_days: int

    # English in English, Russian in every other language: an agency has no Chechen name or
    # note, and a Chechen page falls back to Russian like its other strings (docs/languages.md).
    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_ru

    def consent_note(self, language: str) -> str:
        return self.consent_note_en if language == "en" else self.consent_note_ru

    @property
    def display_name(self) -> str:
        """The name in the language of the current request (as ``Agency.display_name``)."""
        from django.utils import translation

        return self.name(translation.get_language() or "ru")

    @property
    def consent_offered(self) -> bool:
        """A box on the public form (an agency that does not receive every complaint)."""
        return self.offered_for_consent and not self.receives_all


@dataclass(frozen=True)
class IntakeSnapshot:
    install_key: crypto.InstallKey
    #: All agencies, in the model's order (those that receive all first, then by pk).
    agencies: tuple[AgencyFacts, ...]

    @property
    def consent_agencies(self) -> tuple[AgencyFacts, ...]:
        """The consent boxes of the public form, by pk."""
        return tuple(sorted((a for a in self.agencies if a.consent_offered), key=lambda a: a.pk))

    def recipients(self, consent: tuple[str, ...]) -> tuple[list[AgencyFacts], list[AgencyFacts]]:
        """The agencies a new complaint is sealed to (those that receive all), and those its
        complainant consented to (by slug, among the consent boxes), which get a key only when
        a case holding the complaint is referred to them."""
        return (
            [a for a in self.agencies if a.receives_all],
            [a for a in self.agencies if a.consent_offered and a.slug in consent],
        )


_COLUMNS = (
    "id",
    "slug",
    "name_ru",
    "name_en",
    "public_key",
    "receives_all",
    "offered_for_consent",
    "consent_note_ru",
    "consent_note_en",
    "retention_days",
)


def _sql(q: Callable[[str], str]) -> str:
    """The query, with names quoted by ``q`` (``connection.ops.quote_name``)."""
    inst, agency = q(Installation._meta.db_table), q(Agency._meta.db_table)
    columns = ", ".join(f"a.{q(c)}" for c in _COLUMNS)
    # The first installation row (as Installation.current()) next to every agency; an install
    # without agencies gives one row of NULLs after the key.
    return (
        f"SELECT i.{q('codename_key')}, {columns} FROM {inst} i "  # noqa: S608 - model names
        f"LEFT JOIN {agency} a ON 1 = 1 "
        f"WHERE i.{q('id')} = (SELECT MIN({q('id')}) FROM {inst}) "
        f"ORDER BY a.{q('receives_all')} DESC, a.{q('id')}"
    )


def intake_snapshot() -> IntakeSnapshot:
    """The install key and the agencies, read now in one query.

    Raises ``Installation.DoesNotExist`` on an install that was never initialised.
    """
    connection = connections[router.db_for_read(Agency)]
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.ops.quote_name))
        rows = cursor.fetchall()
    if not rows:
        raise Installation.DoesNotExist("ombuds is not initialised: run `ombuds init`")
    agencies = tuple(
        AgencyFacts(
            pk=int(r[1]),
            slug=r[2],
            name_ru=r[3],
            name_en=r[4],
            public_key=bytes(r[5]),
            receives_all=bool(r[6]),
            offered_for_consent=bool(r[7]),
            consent_note_ru=r[8],
            consent_note_en=r[9],
            retention_days=int(r[10]),
        )
        for r in rows
        if r[1] is not None
    )
    return IntakeSnapshot(install_key=crypto.InstallKey(bytes(rows[0][0])), agencies=agencies)
