"""Imported person lists, linkage runs and reviewers' decisions, as stored.

Everything that names a person is encrypted: a list's records and its import errors (an error
message quotes the bad value) are encrypted under the list's own data key, which is sealed only
to the importing analyst's agency. Runs store references (random ids), probabilities and
cluster numbers, never names; the pages decrypt names on view.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ombuds.staff.models import Agency, StaffUser

#: ``source`` of a linkage input that is a person recorded in a case (not an imported list).
CASE_SOURCE = "case"


class PersonList(models.Model):
    """One imported file. ``name`` is the analyst's label for the source, stored in the clear:
    the form says not to put anyone's name in it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="person_lists")
    name = models.CharField(max_length=120)
    imported_by = models.ForeignKey(
        StaffUser, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    record_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    #: The list's data key sealed to ``agency.public_key``.
    sealed_key = models.BinaryField()
    #: The import errors (JSON), encrypted: their messages quote the rejected values.
    errors_ciphertext = models.BinaryField(default=b"")

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def source(self) -> str:
        """The linkage engine's ``source`` for this list's records."""
        return f"list:{self.public_id}"

    @property
    def errors_aad(self) -> bytes:
        return b"person-list-errors|" + self.public_id.bytes


class ListRecord(models.Model):
    """One person as a list names them (a ``linkage.PersonRecord``), encrypted."""

    person_list = models.ForeignKey(PersonList, on_delete=models.CASCADE, related_name="records")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["pk"]

    def aad(self, person_list: PersonList) -> bytes:
        # Bound to this row and its list: a ciphertext copied elsewhere fails to decrypt.
        return b"|".join((b"list-record", person_list.public_id.bytes, self.public_id.bytes))


class FiledRecord(models.Model):
    """A list record filed into a case: the case person it became.

    The primary key is the list record, so the database itself refuses to file one record
    twice (into the same case or another). Linkage reads this link so that the person enters a
    run once (``selectors.case_persons``). Deleting the case person (its case) removes the link,
    and the record may be filed again.
    """

    list_record = models.OneToOneField(
        ListRecord, on_delete=models.CASCADE, primary_key=True, related_name="filed"
    )
    #: By ``public_id``, which the filing chooses before the rows are written in bulk.
    case_person = models.OneToOneField(
        "casework.CaseRecord",
        on_delete=models.CASCADE,
        to_field="public_id",
        related_name="list_source",
    )
    filed_by = models.ForeignKey(StaffUser, null=True, on_delete=models.SET_NULL, related_name="+")
    filed_on = models.DateField()


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class LinkageRun(models.Model):
    """One run of the linkage engine: what went in, with which settings, by whom, and when.

    ``number`` counts an agency's runs (1, 2, ...): the version analysts cite.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="linkage_runs")
    number = models.PositiveIntegerField()
    started_by = models.ForeignKey(
        StaffUser, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    progress = models.FloatField(default=0.0)
    threshold = models.FloatField()
    #: The imported lists linked, and those of them named unique within (no two records of
    #: such a list are one person).
    lists: models.ManyToManyField[PersonList, Any] = models.ManyToManyField(
        PersonList, related_name="runs"
    )
    unique_lists: models.ManyToManyField[PersonList, Any] = models.ManyToManyField(
        PersonList, related_name="+", blank=True
    )
    include_cases = models.BooleanField(default=False)
    #: Counts filled in when the run finishes.
    record_count = models.PositiveIntegerField(default=0)
    cluster_count = models.PositiveIntegerField(default=0)
    pairs_scored = models.PositiveIntegerField(default=0)
    decisions_applied = models.PositiveIntegerField(default=0)
    #: Persons some record names as a victim: the count the page shows (witnesses, reporters
    #: and perpetrators are linked, so that a person is one person, but not counted).
    victim_count = models.PositiveIntegerField(default=0)
    #: False when no model passed its checks (``linkage.checks``): no count, no estimate.
    sound = models.BooleanField(default=True)
    #: Engine details (timings, training steps skipped, input counts): no personal data.
    details = models.JSONField(default=dict)
    #: Why a run failed, in words that quote no data (English; the page shows
    #: :attr:`failure_words`, from ``details["failure"]``, in its own language).
    failure = models.CharField(max_length=300, blank=True)
    #: Written every few seconds while the run waits or works (``jobs.HEARTBEAT_EVERY``): an
    #: active run without a heartbeat for ``services.DEAD_AFTER`` died with its process.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="one_run_number_per_agency"),
            # One run waiting or running per agency, whichever process starts it (issue 13).
            models.UniqueConstraint(
                fields=["agency"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_run_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.number}"

    @property
    def active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def failure_words(self) -> str:
        """Why the run failed, in the active language (from the fixed code and numbers in
        ``details["failure"]``; runs failed before codes existed show :attr:`failure`)."""
        found = self.details.get("failure") if isinstance(self.details, dict) else None
        if not isinstance(found, dict):
            return self.failure
        code = found.get("code")
        if code == FAILURE_TOO_MANY_PAIRS:
            return _too_many_pairs_words(found)
        if code == FAILURE_STOPPED:
            return gettext("The run stopped without finishing; start it again.")
        if code == FAILURE_INTERNAL:
            return gettext("The run stopped with an internal error (%(error)s).") % {
                "error": str(found.get("error", ""))[:60]
            }
        return self.failure


#: ``details["failure"]["code"]`` of a failed run.
FAILURE_TOO_MANY_PAIRS = "too_many_pairs"
FAILURE_STOPPED = "stopped"
FAILURE_INTERNAL = "internal"

#: What a blocking rule's feature columns (``linkage.features``) are, in words, as they
#: follow "Blocking on" (Russian puts them in the dative: "по фамилии").
BLOCKING_COLUMN_WORDS = {
    "fam_key": pgettext_lazy("blocking on", "family name"),
    "fam_skel": pgettext_lazy("blocking on", "family name (consonants)"),
    "fam_pre": pgettext_lazy("blocking on", "first letters of the family name"),
    "fam_sound": pgettext_lazy("blocking on", "sound of the family name"),
    "given_key": pgettext_lazy("blocking on", "given name"),
    "given_skel": pgettext_lazy("blocking on", "given name (consonants)"),
    "given_init": pgettext_lazy("blocking on", "initial of the given name"),
    "given_sound": pgettext_lazy("blocking on", "sound of the given name"),
    "pat_key": pgettext_lazy("blocking on", "patronymic"),
    "pat_init": pgettext_lazy("blocking on", "initial of the patronymic"),
    "sex": pgettext_lazy("blocking on", "sex"),
    "by_lo": pgettext_lazy("blocking on", "birth year"),
    "by_hi": pgettext_lazy("blocking on", "birth year"),
    "bm": pgettext_lazy("blocking on", "birth month"),
    "bd": pgettext_lazy("blocking on", "birth day"),
    "place_key": pgettext_lazy("blocking on", "place"),
    "ev_lo": pgettext_lazy("blocking on", "event date"),
    "ev_ym": pgettext_lazy("blocking on", "event month"),
}


def _millions(n: int) -> str:
    """A count as the page's language writes it: "6.2 million", "45,000"."""
    if n >= 1_000_000:
        return gettext("%(n)s million") % {"n": number_format(round(n / 1_000_000, 1))}
    return number_format(n, force_grouping=True)


def _too_many_pairs_words(found: dict[str, Any]) -> str:
    columns = [str(c) for c in found.get("columns", [])]
    words: list[str] = []
    for column in columns:
        word = str(BLOCKING_COLUMN_WORDS.get(column, column))
        if word not in words:
            words.append(word)
    values = {
        "rule": " + ".join(words),
        "pairs": _millions(int(found.get("pairs", 0))),
        "total": _millions(int(found.get("total", 0))),
        "limit": _millions(int(found.get("limit", 0))),
    }
    if int(found.get("pairs", 0)) > int(found.get("limit", 0)):
        said = gettext(
            "Blocking on %(rule)s produced %(pairs)s candidate pairs, over the limit of "
            "%(limit)s for a run."
        )
    else:
        said = gettext(
            "Blocking produced more than %(limit)s candidate pairs, the limit for a run "
            "(%(pairs)s of them on %(rule)s)."
        )
    return (
        said % values
        + " "
        + gettext(
            "The lists have many records that agree on these fields (one common name, say), "
            "and each of them would have to be compared with every other. Nothing was scored "
            "or stored. Link fewer or smaller lists at a time, or ask the administrator to "
            "raise the limit (OMBUDS_RUN_MAX_PAIRS)."
        )
    )


class Membership(models.Model):
    """A record of a run's input and the cluster (unique person) it was put in."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="memberships")
    source = models.CharField(max_length=60)
    record_id = models.CharField(max_length=60)
    cluster = models.PositiveIntegerField()
    #: Whether the record names the person as a victim (its list's ``role`` column: empty or
    #: "victim"). Counts and estimates read victims' records only.
    victim = models.BooleanField(default=True)

    class Meta:
        ordering = ["cluster", "pk"]
        indexes = [models.Index(fields=["run", "cluster"], name="membership_cluster")]


class ScoredPairRow(models.Model):
    """A pair the model was unsure of (probability in the review band), for review."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="pairs")
    left_source = models.CharField(max_length=60)
    left_id = models.CharField(max_length=60)
    right_source = models.CharField(max_length=60)
    right_id = models.CharField(max_length=60)
    probability = models.FloatField()
    #: Whether the run put the two records in one cluster.
    linked = models.BooleanField()

    class Meta:
        ordering = ["-probability", "pk"]


class Decision(models.Model):
    """A reviewer's verdict on a pair: the same person or not. It outlives runs and overrides
    the model on every later run of the agency that includes both records."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    left_source = models.CharField(max_length=60)
    left_id = models.CharField(max_length=60)
    right_source = models.CharField(max_length=60)
    right_id = models.CharField(max_length=60)
    same = models.BooleanField()
    decided_by = models.ForeignKey(
        StaffUser, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)
    #: The run whose review page it was made on.
    run = models.ForeignKey(LinkageRun, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "left_source", "left_id", "right_source", "right_id"],
                name="one_decision_per_pair",
            )
        ]
