"""Staff pages for record linkage: import, filing a list into a case, runs, progress, review,
unique persons.

Thin views: unlock the agency key, ask a selector, validate a form, call a service, redirect.
Analysts and administrators only (others 403, strangers to sign-in); another agency's list or
run is 404. Pages that show names are audited.
"""

from __future__ import annotations

import math
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ombuds import access, crypto
from ombuds.audit.models import AuditAction
from ombuds.audit.services import audit_record
from ombuds.casework import selectors as case_selectors
from ombuds.casework.models import Case
from ombuds.casework.services import CaseworkError
from ombuds.linkage.diagnostics import Diagnostics
from ombuds.linkage.labels import MIN_EACH, MIN_LABELS_TO_CORRECT
from ombuds.staff.access import current_staff, staff_key, staff_required
from ombuds.staff.keyring import agency_private_key
from ombuds.staff.models import AgencyKeyGrant, StaffUser

from . import estimates, forms, jobs, selectors, services
from .models import CASE_SOURCE, LinkageRun, PersonList, ScoredPairRow

analysis_required = staff_required(roles=access.ANALYSIS_ROLES)
PAIRS_PER_PAGE = 25
PERSONS_PER_PAGE = 50
#: Seconds between reloads of the progress page (a meta refresh: no JavaScript).
REFRESH_SECONDS = 3


def _user(request: HttpRequest) -> StaffUser:
    user = current_staff(request)
    if not access.access_analysis(user=user):
        raise PermissionDenied
    return user


def _agency_key(request: HttpRequest, user: StaffUser) -> crypto.PrivateKey:
    if user.agency is None:
        raise PermissionDenied
    try:
        return agency_private_key(user=user, user_key=staff_key(request), agency=user.agency)
    except AgencyKeyGrant.DoesNotExist as exc:
        raise PermissionDenied from exc


def _run(user: StaffUser, public_id: uuid.UUID) -> LinkageRun:
    try:
        return jobs.run_mark_stale(selectors.run_get_for_user(user=user, public_id=public_id))
    except LinkageRun.DoesNotExist as exc:
        raise Http404 from exc


def _page(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _audit_view(user: StaffUser, subject: str, page: str, number: int) -> None:
    with transaction.atomic():
        audit_record(
            action=AuditAction.LINKAGE_VIEWED,
            actor=user,
            subject=subject,
            details={"page": page, "number": number},
        )


@analysis_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    lists = selectors.lists_for_user(user=user)
    return render(
        request,
        "analysis/home.html",
        {
            "lists": lists,
            "runs": selectors.runs_for_user(user=user)[:50],
            "run_form": forms.RunForm(lists=lists),
        },
    )


@analysis_required
@require_http_methods(["GET", "POST"])
def list_import(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, object]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.person_list_import(
                user=user,
                name=form.cleaned_data["name"],
                filename=upload.name or "upload.csv",
                data=upload.read(),
            )
        except services.ImportRefused as exc:
            form.add_error(None, str(exc))
            errors = selectors.errors_shown(exc.errors)
        else:
            return HttpResponseRedirect(
                reverse("analysis:list", args=[result.person_list.public_id])
            )
    return render(request, "analysis/import.html", {"form": form, "errors": errors})


def _list(user: StaffUser, public_id: uuid.UUID) -> PersonList:
    try:
        return selectors.list_get_for_user(user=user, public_id=public_id)
    except PersonList.DoesNotExist as exc:
        raise Http404 from exc


def _list_page(
    request: HttpRequest,
    user: StaffUser,
    person_list: PersonList,
    file_form: forms.FileForm | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = selectors.errors_shown(selectors.list_errors(person_list, _agency_key(request, user)))
    if errors:
        _audit_view(user, f"person-list:{person_list.public_id}", "import-errors", 1)
    cases = case_selectors.cases_for_list_filing(user=user)
    filings = selectors.list_filings(person_list=person_list)
    may_file = user.role in access.CASE_LIST_FILER_ROLES
    if file_form is None and may_file:
        # After a filing that left records, the redirect names the same choices, so that
        # "file again" is one click (the POST is validated as any other).
        file_form = forms.FileForm(
            cases=cases,
            initial={k: v for k, v in request.GET.items() if k in forms.FileForm.base_fields},
        )
    filed = sum(f.records for f in filings)
    return render(
        request,
        "analysis/list.html",
        {
            "person_list": person_list,
            "errors": errors,
            "filings": filings,
            "file_form": file_form,
            "has_cases": may_file and cases.exists(),
            "all_filed": filed >= person_list.record_count,
            "unfiled": max(0, person_list.record_count - filed),
            "per_request": services.FILE_MAX_PER_REQUEST,
        },
        status=status,
    )


@analysis_required
def list_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    return _list_page(request, user, _list(user, public_id))


def _count(n: int) -> str:
    """A count as the language writes it: 25,000 in English, 25 000 in Russian."""
    return number_format(n, force_grouping=True)


def _filing_done(result: services.FilingResult) -> str:
    """What a filing did, in words: filed now, left as they were, still to file."""
    done = ngettext(
        "%(n)s record filed into case %(case)s.",
        "%(n)s records filed into case %(case)s.",
        result.filed,
    ) % {"n": _count(result.filed), "case": result.case.short_id}
    if result.skipped:
        done += " " + ngettext(
            "%(n)s record filed before was left as it was.",
            "%(n)s records filed before were left as they were.",
            result.skipped,
        ) % {"n": _count(result.skipped)}
    if result.remaining:
        done += " " + ngettext(
            "%(n)s record remains: file the list again to go on.",
            "%(n)s records remain: file the list again to go on.",
            result.remaining,
        ) % {"n": _count(result.remaining)}
    return done


@analysis_required
@require_POST
def list_file(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """File the list's records into a case the agency holds (analysts; not administrators,
    who read no case content), at most ``services.FILE_MAX_PER_REQUEST`` of them: the message
    says how many remain, and the page offers the same choices again to file the next ones."""
    user = _user(request)
    if user.role not in access.CASE_LIST_FILER_ROLES:
        raise PermissionDenied
    person_list = _list(user, public_id)
    form = forms.FileForm(request.POST, cases=case_selectors.cases_for_list_filing(user=user))
    if form.is_valid():
        case: Case = form.cleaned_data["case"]
        try:
            result = services.person_list_file(
                user=user,
                person_list=person_list,
                case=case,
                agency_key=_agency_key(request, user),
                source_type=form.cleaned_data["source_type"],
                reliability=form.cleaned_data["reliability"],
            )
        except (services.AnalysisError, CaseworkError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _filing_done(result))
            url = reverse("analysis:list", args=[person_list.public_id])
            if result.remaining:
                # Random ids and choice values only: nothing in a list names anyone here.
                url += "?" + urlencode(
                    {
                        "case": str(case.public_id),
                        "source_type": form.cleaned_data["source_type"],
                        "reliability": form.cleaned_data["reliability"],
                    }
                )
            return HttpResponseRedirect(url)
    return _list_page(request, user, person_list, file_form=form, status=400)


@analysis_required
@require_POST
def run_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    lists = selectors.lists_for_user(user=user)
    form = forms.RunForm(request.POST, lists=lists)
    if not form.is_valid():
        return render(
            request,
            "analysis/home.html",
            {"lists": lists, "runs": selectors.runs_for_user(user=user)[:50], "run_form": form},
            status=400,
        )
    agency_key = _agency_key(request, user)
    try:
        with transaction.atomic():
            run = services.linkage_run_create(
                user=user,
                lists=form.cleaned_data["lists"],
                unique_lists=form.cleaned_data["unique_lists"],
                threshold=form.cleaned_data["threshold"],
                include_cases=form.cleaned_data["include_cases"],
            )
            jobs.linkage_run_start(run=run, user=user, agency_key=agency_key)
    except services.RunAlreadyActive as busy:
        # One run at a time per agency: nothing was created; the page links to the one.
        return render(
            request,
            "analysis/home.html",
            {
                "lists": lists,
                "runs": selectors.runs_for_user(user=user)[:50],
                "run_form": form,
                "active_run": busy.run,
            },
            status=409,
        )
    return HttpResponseRedirect(reverse("analysis:run", args=[run.public_id]))


def _refusal(found: estimates.RunEstimate) -> str:
    """Why a run has no estimate, in the page's language."""
    if found.refused == estimates.TOO_FEW_SOURCES:
        return ngettext(
            "No estimate: this run linked %(n)s source, and an estimate needs at least 3 "
            "(lists, or the persons in cases). With fewer, it would rest entirely on the "
            "untestable assumption that the sources are independent.",
            "No estimate: this run linked %(n)s sources, and an estimate needs at least 3 "
            "(lists, or the persons in cases). With fewer, it would rest entirely on the "
            "untestable assumption that the sources are independent.",
            found.sources,
        ) % {"n": found.sources}
    if found.refused == estimates.TOO_MANY_SOURCES:
        return _(
            "No estimate: this run linked %(n)s sources, and an estimate handles at most %(max)s."
        ) % {"n": found.sources, "max": estimates.MAX_SOURCES}
    return _(
        "No estimate: the overlap of these sources cannot support one (the estimation "
        "method refused these data)."
    )


def _how_many(found: estimates.RunEstimate | None) -> dict[str, object] | None:
    """The run page's "how many people" numbers, written as the language writes them."""
    if found is None:
        return None
    shown: dict[str, object] = {
        "documented": _count(found.documented),
        "sources": found.sources,
        "method": found.method,
        "level": round(found.level * 100),
        "warnings": found.warnings,
    }
    if found.refused or found.estimate is None or found.lower is None:
        shown["refusal"] = _refusal(found)
        return shown
    shown["estimate"] = _count(round(found.estimate))
    shown["lower"] = _count(round(found.lower))
    shown["upper"] = None if found.upper is None else _count(round(found.upper))
    return shown


def _check_words(check: dict[str, object]) -> str:
    """One model check (``linkage.checks.ModelCheck`` as stored) in the page's language."""
    values = {
        "linked": _count(int(str(check["linked"]))),
        "pairs": _count(int(str(check["pairs"]))),
        "limit": round(float(str(check["limit"])) * 100),
    }
    if check["code"] == "sure_pairs":
        return (
            _(
                "%(linked)s of %(pairs)s pairs of records that agree on the full name and the full "
                "date of birth reach the threshold (at least %(limit)s%% must)"
            )
            % values
        )
    return (
        _(
            "%(linked)s pairs of records within lists that name each person at most once reach "
            "the threshold, for %(pairs)s records in those lists (at most %(limit)s%% of the "
            "records may)"
        )
        % values
    )


def _run_quality(run: LinkageRun) -> dict[str, object]:
    """The model used, its checks and the run's diagnostics, as the page shows them.

    Read from the run's details: numbers, fixed codes and source codes only.
    """
    details = run.details if isinstance(run.details, dict) else {}
    names = {pl.source: pl.name for pl in run.lists.all()}
    names[CASE_SOURCE] = _("persons in cases")
    status = str(details.get("model_status", ""))
    status_words = {
        "trained": _("Trained on these records; it passed its checks."),
        "prior": _(
            "The prior parameters (too few records to train, or training off); they "
            "passed the checks."
        ),
        "fell_back": _(
            "The model trained on these records failed its checks and was set "
            "aside; the pairs were scored with the prior parameters, which passed."
        ),
        "failed_checks": _(
            "No model passed its checks: the clusters of this run are not "
            "sound. It gives no count and no estimate; review its pairs, check "
            "how the lists write names and dates, and run it again."
        ),
    }

    def checks(key: str) -> list[dict[str, object]]:
        found = details.get(key) or []
        return [
            {"words": _check_words(c), "passed": bool(c.get("passed"))}
            for c in found
            if isinstance(c, dict)
        ]

    diagnostics = Diagnostics.from_dict(details.get("diagnostics") or {})
    bands = [{"low": lo, "high": hi, "pairs": _count(n)} for lo, hi, n in diagnostics.bands]
    pairs = [
        {
            "left": names.get(p.left, p.left),
            "right": names.get(p.right, p.right),
            "left_persons": _count(p.left_persons),
            "right_persons": _count(p.right_persons),
            "shared": _count(p.shared),
            "expected": _count(round(p.expected)),
            "ratio": round(p.ratio, 2),
            "low": p.low,
        }
        for p in diagnostics.source_pairs
    ]
    return {
        "status": status,
        "status_words": status_words.get(status, ""),
        "checks": checks("checks"),
        "rejected": checks("rejected_checks"),
        "bounded": details.get("bounded") or [],
        "bands": bands,
        "source_pairs": pairs,
        "low_pairs": [p for p in pairs if p["low"]],
        "median_ratio": diagnostics.median_ratio,
    }


def _share(hits: int, of: int) -> str:
    return f"{hits / of:.2f}" if of else "—"


def _label_use(run: LinkageRun) -> dict[str, object] | None:
    """How the run used reviewers' verdicts (``linkage.labels``), as the page shows it: the
    constraints followed and the correction of the model, from the run's details (counts
    and two numbers). None when the run used no verdict."""
    details = run.details if isinstance(run.details, dict) else {}
    found = details.get("labels")
    if not isinstance(found, dict):
        return None
    must, cannot = int(found.get("must_link", 0)), int(found.get("cannot_link", 0))
    conflicts = int(found.get("conflicts", 0))
    if not (must or cannot or conflicts):
        return None
    correction = found.get("correction") or {}
    status = str(correction.get("status", ""))
    values = {
        "n": _count(int(correction.get("scored", 0))),
        "same": _count(int(correction.get("same", 0))),
        "min": MIN_LABELS_TO_CORRECT,
        "each": MIN_EACH,
    }
    if status == "corrected":
        # A score of 0.5 is a match weight of 0: after the correction, the intercept's.
        values["p"] = f"{1 / (1 + math.exp(-float(correction.get('intercept', 0.0)))):.2f}"
        words = _(
            "Corrected with %(n)s labelled pairs the model scored (%(same)s of them one "
            "person): a pair the model scored 0.50 now scores %(p)s."
        )
    elif status == "failed_checks":
        words = _(
            "Not corrected: the scores corrected with %(n)s labelled pairs failed the model's "
            "checks, so the model's own scores were used."
        )
    else:
        words = _(
            "Not corrected: %(n)s labelled pairs the model scored, %(same)s of them one "
            "person; at least %(min)s are needed, and %(each)s of each verdict."
        )
    rows = []
    if status in ("corrected", "failed_checks"):
        for key in ("before", "after"):
            a = correction.get(key) or {}
            linked_same = int(a.get("linked_same", 0))
            linked = linked_same + int(a.get("linked_other", 0))
            same = linked_same + int(a.get("apart_same", 0))
            rows.append({"precision": _share(linked_same, linked),
                         "recall": _share(linked_same, same)})  # fmt: skip
    return {
        "used": _count(must + cannot),
        "must": _count(must),
        "cannot": _count(cannot),
        "conflicts": _count(conflicts),
        "has_conflicts": conflicts > 0,
        "status": status,
        "words": words % values,
        "before": rows[0] if rows else None,
        "after": rows[1] if rows else None,
    }


@analysis_required
def run_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    run = _run(user, public_id)
    # Cluster memberships only (no names): computed in the request the first time, then
    # read from the run's details.
    how_many = _how_many(estimates.run_estimate(run))
    response = render(
        request,
        "analysis/run.html",
        {
            "run": run,
            "percent": round(run.progress * 100),
            "refresh": REFRESH_SECONDS if run.active else None,
            "lists": run.lists.all(),
            "unique_lists": run.unique_lists.all(),
            "uncertain": run.pairs.filter(
                probability__gte=selectors.REVIEW_LOW, probability__lt=selectors.REVIEW_HIGH
            ).count(),
            "how_many": how_many,
            "quality": _run_quality(run) if run.status == "done" else None,
            "labelled": selectors.labelled_quality(run=run) if run.status == "done" else None,
            "label_use": _label_use(run) if run.status == "done" else None,
            "min_labels": selectors.MIN_LABELS,
            "others": max(0, run.cluster_count - run.victim_count),
        },
    )
    if run.active:
        # The Refresh header does what the page's meta refresh does; neither is JavaScript.
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@analysis_required
@require_http_methods(["GET", "POST"])
def run_review(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    run = _run(user, public_id)
    page = _page(request)
    if request.method == "POST":
        form = forms.DecisionForm(request.POST)
        if not form.is_valid():
            return HttpResponse(_("Bad request."), status=400)
        try:
            pair = run.pairs.get(pk=form.cleaned_data["pair"])
        except ScoredPairRow.DoesNotExist as exc:
            raise Http404 from exc
        services.decision_record(
            user=user,
            run=run,
            left=(pair.left_source, pair.left_id),
            right=(pair.right_source, pair.right_id),
            same=form.cleaned_data["same"],
        )
        messages.success(request, _("Decision kept. It applies from the next run."))
        return HttpResponseRedirect(
            reverse("analysis:review", args=[run.public_id]) + f"?page={page}#pair-{pair.pk}"
        )
    offset = (page - 1) * PAIRS_PER_PAGE
    pairs, total = selectors.review_pairs(
        run=run,
        user=user,
        agency_key=_agency_key(request, user),
        offset=offset,
        limit=PAIRS_PER_PAGE,
    )
    _audit_view(user, f"linkage-run:{run.public_id}", "review", page)
    return render(
        request,
        "analysis/review.html",
        {
            "run": run,
            "pairs": pairs,
            "total": total,
            "page": page,
            "next_page": page + 1 if offset + PAIRS_PER_PAGE < total else None,
            "previous_page": page - 1 if page > 1 else None,
        },
    )


@analysis_required
def run_persons(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    run = _run(user, public_id)
    page = _page(request)
    offset = (page - 1) * PERSONS_PER_PAGE
    persons, total = selectors.unique_persons(
        run=run,
        user=user,
        agency_key=_agency_key(request, user),
        offset=offset,
        limit=PERSONS_PER_PAGE,
    )
    _audit_view(user, f"linkage-run:{run.public_id}", "persons", page)
    return render(
        request,
        "analysis/persons.html",
        {
            "run": run,
            "persons": persons,
            "total": total,
            "page": page,
            "next_page": page + 1 if offset + PERSONS_PER_PAGE < total else None,
            "previous_page": page - 1 if page > 1 else None,
        },
    )
