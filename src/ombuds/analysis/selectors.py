"""Reads of the analysis app: who may see what, and decryption on view.

Lists and runs belong to an agency; only its analysts and administrators see them (other
agencies get "does not exist"). Names are decrypted here, per request, with the agency key
unsealed from the reader's own grant, and dropped with the request.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Abs
from django.utils.translation import gettext

from ombuds import crypto
from ombuds.access import access_analysis
from ombuds.linkage import PersonRecord
from ombuds.linkage.records import RowError
from ombuds.staff.models import StaffUser

from .models import (
    CASE_SOURCE,
    Decision,
    FiledRecord,
    LinkageRun,
    ListRecord,
    PersonList,
    RunStatus,
)
from .services import RecordKey, pair_order, record_from_bytes

#: Pairs whose match probability lies in this band are "uncertain" and offered for review.
REVIEW_LOW = 0.2
REVIEW_HIGH = 0.95

# Case act types as the linkage engine compares them (lists write "disappearance").
_ACT_AS_EVENT = {
    "enforced_disappearance": "disappearance",
    "abduction": "disappearance",
    "death_in_custody": "killing",
}
_EXACT_PRECISIONS = frozenset({"day", "month", "year"})


def lists_for_user(*, user: StaffUser) -> QuerySet[PersonList]:
    if not access_analysis(user=user) or user.agency_id is None:
        return PersonList.objects.none()
    return PersonList.objects.filter(agency_id=user.agency_id).select_related("imported_by")


def list_get_for_user(*, user: StaffUser, public_id: uuid.UUID) -> PersonList:
    """Raises ``PersonList.DoesNotExist`` for no such list or one of another agency."""
    return lists_for_user(user=user).get(public_id=public_id)


def runs_for_user(*, user: StaffUser) -> QuerySet[LinkageRun]:
    if not access_analysis(user=user) or user.agency_id is None:
        return LinkageRun.objects.none()
    return LinkageRun.objects.filter(agency_id=user.agency_id).select_related("started_by")


def run_get_for_user(*, user: StaffUser, public_id: uuid.UUID) -> LinkageRun:
    """Raises ``LinkageRun.DoesNotExist`` for no such run or one of another agency."""
    return runs_for_user(user=user).get(public_id=public_id)


@dataclass(frozen=True)
class Filing:
    """How many records of a list were filed into one case (ids only, no content)."""

    case_id: uuid.UUID
    records: int

    @property
    def short_id(self) -> str:
        return str(self.case_id)[:8]


def list_filings(*, person_list: PersonList) -> list[Filing]:
    """The cases a list's records were filed into, with how many records each."""
    rows = (
        FiledRecord.objects.filter(list_record__person_list=person_list)
        .values_list("case_person__case__public_id")
        .annotate(n=Count("pk"))
        .order_by("case_person__case__public_id")
    )
    return [Filing(case_id=case_id, records=n) for case_id, n in rows]


# --- decryption -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownRecord:
    """A linkage input as a person reads it: where it comes from and what it says."""

    key: RecordKey
    origin: str  # the list's name, or "case 1a2b3c4d"
    record: PersonRecord  # as imported: ``source`` and ``record_id`` are the file's own

    @property
    def name(self) -> str:
        r = self.record
        parts = " ".join(p for p in (r.family_name, r.given_name, r.patronymic) if p)
        return parts or r.full_name

    def for_engine(self) -> PersonRecord:
        """The record keyed as the engine sees it: one source per list, random record ids."""
        return dataclasses.replace(self.record, source=self.key[0], record_id=self.key[1])


def _plausible_age(age: int | None) -> int | None:
    return age if age is not None and 0 <= age <= 130 else None


def list_data_key(person_list: PersonList, agency_key: crypto.PrivateKey) -> crypto.DataKey:
    return crypto.unseal_data_key(agency_key, bytes(person_list.sealed_key))


def list_records(
    person_list: PersonList,
    agency_key: crypto.PrivateKey,
    record_ids: Iterable[str] | None = None,
) -> list[ShownRecord]:
    """Decrypt a list's records (or those with the given public ids)."""
    key = list_data_key(person_list, agency_key)
    rows = ListRecord.objects.filter(person_list=person_list)
    if record_ids is not None:
        rows = rows.filter(public_id__in=list(record_ids))
    return [
        ShownRecord(
            key=(person_list.source, str(row.public_id)),
            origin=person_list.name,
            record=record_from_bytes(
                crypto.decrypt(key, bytes(row.ciphertext), aad=row.aad(person_list))
            ),
        )
        for row in rows
    ]


def list_errors(person_list: PersonList, agency_key: crypto.PrivateKey) -> list[dict[str, object]]:
    """The rows rejected at import: ``row``, ``column``, ``message`` (decrypted)."""
    if not person_list.errors_ciphertext:
        return []
    key = list_data_key(person_list, agency_key)
    raw = crypto.decrypt(key, bytes(person_list.errors_ciphertext), aad=person_list.errors_aad)
    errors: list[dict[str, object]] = json.loads(raw.decode("utf-8"))
    return errors


def filed_list_records(
    person_list: PersonList, agency_key: crypto.PrivateKey, record_ids: Iterable[str]
) -> list[ShownRecord]:
    """Those of the given records of a list that were filed into a case, decrypted; the
    origin names the list and the case."""
    wanted = list(record_ids)
    in_case = {
        str(record_id): str(case_id)[:8]
        for record_id, case_id in FiledRecord.objects.filter(
            list_record__person_list=person_list, list_record__public_id__in=wanted
        ).values_list("list_record__public_id", "case_person__case__public_id")
    }
    return [
        dataclasses.replace(shown, origin=f"{shown.origin}, case {in_case[shown.key[1]]}")
        for shown in list_records(person_list, agency_key, in_case)
    ]


def case_persons(
    *,
    user: StaffUser,
    agency_key: crypto.PrivateKey,
    record_ids: Iterable[str] | None = None,
    lists_in_run: Collection[int] = (),
) -> list[ShownRecord]:
    """Persons recorded in the cases the user's agency holds and can read, as linkage inputs.

    Only compartments whose keys were sealed to the agency are opened (casework's consent
    rule); a person's first act gives the event date, type and place. A person whom an
    involvement names as perpetrator and no act as victim is not an input: counting them
    would count a perpetrator among the victims (unique persons, the estimate).

    A person filed from one of the agency's own lists (:class:`FiledRecord`) enters a run
    once, as the list record it came from, never as a second, "case" record: the case knows
    of that person only because the list named them, so counting the case as another source
    would count one mention twice (and make the sources look dependent to estimation). So:

    - when its list is in the run (``lists_in_run``, list primary keys), it is left out here:
      the list record is an input already;
    - otherwise it enters as that list record: the list's source, the record's id and what
      the list says (origin "<list>, case <short id>"), so reviewers' verdicts on the record
      hold whichever way it enters a run.

    A person filed from another agency's list (which this agency cannot open) is a case
    person like any other. With ``record_ids`` (ids of case persons, the "case" source) only
    those persons are returned, and no filed ones.
    """
    from ombuds.casework import records as case_records
    from ombuds.casework import selectors as case_selectors
    from ombuds.casework.models import CaseRecord, RecordKind

    if user.agency is None:
        return []
    cases = case_selectors.case_list_for_user(user=user)
    wanted = set(record_ids) if record_ids is not None else None
    if wanted is not None:
        cases = cases.filter(records__public_id__in=wanted).distinct()
    shown: list[ShownRecord] = []
    #: Filed persons to enter as their list records: list -> list record ids.
    from_lists: dict[PersonList, list[str]] = {}
    for case in cases:
        keys = case_selectors.case_keys_for_user(
            user=user, case=case, agency_private_key=agency_key
        )
        filed = {
            str(person_id): (person_list, str(record_id))
            for person_id, person_list, record_id in (
                (f.case_person_id, f.list_record.person_list, f.list_record.public_id)
                for f in FiledRecord.objects.filter(
                    case_person__case=case, list_record__person_list__agency=user.agency
                ).select_related("list_record__person_list")
            )
        }
        persons: list[tuple[str, case_records.PersonRecord]] = []
        first_act: dict[str, case_records.ActRecord] = {}
        perpetrators: set[str] = set()
        rows = CaseRecord.objects.filter(
            case=case, kind__in=[RecordKind.PERSON, RecordKind.ACT, RecordKind.INVOLVEMENT]
        ).select_related("case", "compartment")
        for row in rows:
            key = keys.get(row.compartment)
            if key is None:
                continue
            public_id = str(row.public_id)
            if public_id in filed:
                person_list, list_record_id = filed[public_id]
                if wanted is None and person_list.pk not in lists_in_run:
                    from_lists.setdefault(person_list, []).append(list_record_id)
                continue
            rec = case_records.record_from_bytes(
                row.kind, crypto.decrypt(key, bytes(row.ciphertext), aad=row.aad)
            )
            if isinstance(rec, case_records.PersonRecord):
                if wanted is None or public_id in wanted:
                    persons.append((public_id, rec))
            elif isinstance(rec, case_records.ActRecord) and rec.victim:
                first_act.setdefault(rec.victim, rec)
            elif isinstance(rec, case_records.InvolvementRecord) and rec.perpetrator_person:
                perpetrators.add(rec.perpetrator_person)
        for public_id, person in persons:
            if public_id in perpetrators and public_id not in first_act:
                continue
            act = first_act.get(public_id)
            birth = person.birth_date
            shown.append(
                ShownRecord(
                    key=(CASE_SOURCE, public_id),
                    origin=f"case {case.short_id}",
                    record=PersonRecord(
                        record_id=public_id,
                        source=CASE_SOURCE,
                        full_name=person.name,
                        sex=person.sex if person.sex in ("m", "f") else "",
                        birth_date=birth.value if birth.precision in _EXACT_PRECISIONS else "",
                        age=_plausible_age(person.age),
                        place=(act.place if act and act.place else person.origin),
                        event_date=(
                            act.start.value
                            if act and act.start.precision in _EXACT_PRECISIONS
                            else ""
                        ),
                        event_type=_ACT_AS_EVENT.get(act.act_type, act.act_type) if act else "",
                    ),
                )
            )
    for person_list, list_record_ids in from_lists.items():
        shown.extend(filed_list_records(person_list, agency_key, list_record_ids))
    return shown


def linkage_inputs(
    *, run: LinkageRun, user: StaffUser, agency_key: crypto.PrivateKey
) -> list[ShownRecord]:
    """Every record a run links, decrypted (in memory only); each person once (see
    :func:`case_persons` for persons filed from a list into a case)."""
    inputs: list[ShownRecord] = []
    run_lists = list(run.lists.all())
    for person_list in run_lists:
        inputs.extend(list_records(person_list, agency_key))
    if run.include_cases:
        inputs.extend(
            case_persons(user=user, agency_key=agency_key, lists_in_run={pl.pk for pl in run_lists})
        )
    return inputs


def _list_public_id(source: str) -> uuid.UUID | None:
    prefix, _colon, rest = source.partition(":")
    if prefix != "list" or not rest:
        return None
    try:
        return uuid.UUID(rest)
    except ValueError:
        return None


def records_shown(
    *, run: LinkageRun, user: StaffUser, agency_key: crypto.PrivateKey, keys: Iterable[RecordKey]
) -> dict[RecordKey, ShownRecord]:
    """Decrypt just the given records of a run's inputs (for one page of review or persons)."""
    by_source: dict[str, set[str]] = {}
    for source, record_id in keys:
        by_source.setdefault(source, set()).add(record_id)
    shown: dict[RecordKey, ShownRecord] = {}
    run_lists = {pl.source: pl for pl in run.lists.all()}
    for source, ids in by_source.items():
        if source in run_lists:
            for rec in list_records(run_lists[source], agency_key, ids):
                shown[rec.key] = rec
    if run.include_cases and by_source.get(CASE_SOURCE):
        for rec in case_persons(
            user=user, agency_key=agency_key, record_ids=by_source[CASE_SOURCE]
        ):
            shown[rec.key] = rec
    # Persons filed from a list into a case, entered as their list records (case_persons).
    other_lists = {
        public_id: source
        for source in by_source
        if source not in run_lists and (public_id := _list_public_id(source)) is not None
    }
    if run.include_cases and other_lists and user.agency_id is not None:
        for person_list in PersonList.objects.filter(
            agency_id=user.agency_id, public_id__in=list(other_lists)
        ):
            for rec in filed_list_records(person_list, agency_key, by_source[person_list.source]):
                shown[rec.key] = rec
    return shown


def decisions_for(*, run: LinkageRun) -> dict[tuple[RecordKey, RecordKey], bool]:
    """The agency's reviewers' verdicts, keyed by canonical pair."""
    return {
        ((d.left_source, d.left_id), (d.right_source, d.right_id)): d.same
        for d in Decision.objects.filter(agency_id=run.agency_id)
    }


# --- pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewPair:
    pk: int
    left: ShownRecord | None  # None: the record is gone or no longer readable
    right: ShownRecord | None
    probability: float
    linked: bool
    decision: bool | None


def review_pairs(
    *, run: LinkageRun, user: StaffUser, agency_key: crypto.PrivateKey, offset: int, limit: int
) -> tuple[list[ReviewPair], int]:
    """One page of the run's uncertain pairs, both sides decrypted, with current verdicts.

    The most informative pairs come first, as in active learning (dedupe). First the
    *disputed* pairs, where the clustering overruled the model: linked though the model scored
    them below the threshold (joined through other records), or kept apart though it scored
    them above (a list declared unique, a contradiction, a verdict); a verdict there settles
    a whole cluster. Then the others by how close their probability is to the run's threshold,
    where a verdict is most likely to change the clusters and tells most about where the model
    errs.
    """
    threshold = Value(run.threshold, output_field=FloatField())
    disputed = Case(
        When(Q(linked=True, probability__lt=run.threshold), then=Value(0)),
        When(Q(linked=False, probability__gte=run.threshold), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    rows = run.pairs.filter(probability__gte=REVIEW_LOW, probability__lt=REVIEW_HIGH).order_by(
        disputed, Abs(F("probability") - threshold), "pk"
    )
    total = rows.count()
    page = list(rows[offset : offset + limit])
    keys = {(p.left_source, p.left_id) for p in page} | {(p.right_source, p.right_id) for p in page}
    shown = records_shown(run=run, user=user, agency_key=agency_key, keys=keys)
    verdicts = decisions_for(run=run)
    pairs = []
    for p in page:
        left, right = (p.left_source, p.left_id), (p.right_source, p.right_id)
        pairs.append(
            ReviewPair(
                pk=p.pk,
                left=shown.get(left),
                right=shown.get(right),
                probability=p.probability,
                linked=p.linked,
                decision=verdicts.get(pair_order(left, right)),
            )
        )
    return pairs, total


#: Precision and recall on labelled pairs are shown from this many verdicts on a run's pairs.
MIN_LABELS = 30


@dataclass(frozen=True)
class Rate:
    """A share with its 95% Wilson interval."""

    value: float
    lower: float
    upper: float
    of: int


def _wilson(hits: int, n: int, z: float = 1.96) -> Rate | None:
    if n == 0:
        return None
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return Rate(p, max(0.0, centre - half), min(1.0, centre + half), n)


@dataclass(frozen=True)
class LabelledQuality:
    """The run's precision and recall measured on the pairs reviewers labelled on its page.

    ``precision``: of the labelled pairs the run linked, the share that are one person;
    ``recall``: of the labelled pairs that are one person, the share the run linked. None
    until :data:`MIN_LABELS` verdicts (or when no labelled pair falls in the denominator).
    """

    labels: int
    precision: Rate | None
    recall: Rate | None


def labelled_quality(*, run: LinkageRun) -> LabelledQuality:
    """Precision and recall of ``run`` on the verdicts made on its own review page (a verdict
    made before the run was applied by it, and says nothing about the model)."""
    verdicts = {
        ((d.left_source, d.left_id), (d.right_source, d.right_id)): d.same
        for d in Decision.objects.filter(agency_id=run.agency_id, run=run)
    }
    linked_same = linked_other = unlinked_same = labels = 0
    for row in run.pairs.all().only("left_source", "left_id", "right_source", "right_id", "linked"):
        same = verdicts.get(((row.left_source, row.left_id), (row.right_source, row.right_id)))
        if same is None:
            continue
        labels += 1
        if row.linked and same:
            linked_same += 1
        elif row.linked:
            linked_other += 1
        elif same:
            unlinked_same += 1
    if labels < MIN_LABELS:
        return LabelledQuality(labels, None, None)
    return LabelledQuality(
        labels,
        _wilson(linked_same, linked_same + linked_other),
        _wilson(linked_same, linked_same + unlinked_same),
    )


@dataclass(frozen=True)
class UniquePerson:
    number: int
    records: list[ShownRecord]


def unique_persons(
    *, run: LinkageRun, user: StaffUser, agency_key: crypto.PrivateKey, offset: int, limit: int
) -> tuple[list[UniquePerson], int]:
    """One page of a finished run's unique persons (largest first) with their records."""
    if run.status != RunStatus.DONE:
        return [], 0
    clusters = run.memberships.values("cluster").annotate(n=Count("id")).order_by("-n", "cluster")
    total = clusters.count()
    page = [c["cluster"] for c in clusters[offset : offset + limit]]
    members = run.memberships.filter(cluster__in=page)
    by_cluster: dict[int, list[RecordKey]] = {}
    for m in members:
        by_cluster.setdefault(m.cluster, []).append((m.source, m.record_id))
    shown: Mapping[RecordKey, ShownRecord] = records_shown(
        run=run,
        user=user,
        agency_key=agency_key,
        keys=[k for ks in by_cluster.values() for k in ks],
    )
    persons = [
        UniquePerson(
            number=offset + i + 1,
            records=[shown[k] for k in by_cluster.get(cluster, []) if k in shown],
        )
        for i, cluster in enumerate(page)
    ]
    return persons, total


def row_error_message(error: Mapping[str, object]) -> str:
    """What an import error says, in the reader's language.

    The linkage package writes its errors in English for the command line, with a code and
    the offending value; errors stored before codes existed are shown as they were written.
    """
    value = str(error.get("value", ""))
    messages = {
        "required": gettext("required, and empty"),
        "date": gettext("“%(value)s” is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"),
        "age": gettext("“%(value)s” is not an age in whole years"),
        "sex": gettext("“%(value)s” is not a sex: write m or f (м or ж)"),
        "missing": gettext("missing from the header row"),
        "fields": gettext("the row has more fields than the header"),
        "repeated": gettext("the record_id “%(value)s” is used twice in this source"),
        "role": gettext(
            "“%(value)s” is not a role: write victim, witness, perpetrator or reporter "
            "(empty means victim)"
        ),
    }
    template = messages.get(str(error.get("code", "")))
    if template is None:
        return str(error.get("message", ""))
    return template % {"value": value} if "%(value)s" in template else template


def errors_shown(errors: Iterable[Mapping[str, object] | RowError]) -> list[dict[str, object]]:
    """Import errors as the pages show them: row, column and a translated message."""
    shown = []
    for e in errors:
        error = dataclasses.asdict(e) if isinstance(e, RowError) else dict(e)
        shown.append(
            {"row": error["row"], "column": error["column"], "message": row_error_message(error)}
        )
    return shown
