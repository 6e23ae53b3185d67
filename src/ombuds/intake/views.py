"""Public pages. No JavaScript; every state change is a plain POST form.

Views stay thin: a form validates, a service writes, a selector reads.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from ombuds import crypto
from ombuds.evidence import services as evidence_services
from ombuds.evidence.files import FileRefused, Prepared
from ombuds.evidence.forms import EvidenceUploadForm, OptionalEvidenceForm

from . import budget, selectors, services
from .formpage import blank_form_page, filled_page
from .forms import (
    CodenameForm,
    ComplaintForm,
    FollowUpForm,
    PersonFormSet,
    WithdrawForm,
    build_content,
)
from .middleware import KEY_COOKIE, KeyCookieExpired, key_cookie_open, key_cookie_set
from .models import Complaint
from .snapshot import intake_snapshot
from .summary import complaint_summary

#: The complaint's id and data key, wrapped under the key in the visitor's cookie: the session
#: store alone (a seized server) says neither which complaint was opened nor its key.
SESSION_WRAPPED_KEY = "complainant.key"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A rejected form (missing or stale security token): say so plainly, save nothing."""
    return render(request, "intake/csrf_failure.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "intake/bad_request.html", status=400)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/home.html")


def _language() -> str:
    """The page's language, kept with the complaint (the staff see which language the
    complainant wrote in); the codename's words come from its list, or Russian's where it has
    none, as Chechen has none (intake/services.py)."""
    lang = translation.get_language() or settings.LANGUAGE_CODE
    return lang if lang in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _codename_in_other_language() -> bool:
    """True where this page's language has no codename word list: the page says so."""
    return _language() not in crypto.LANGUAGES


@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.FILES and budget.budget_exhausted():  # before the costly checks of a file
            return budget.budget_refused(request)
        # The install key and agencies, read once for the form's boxes and the sealing.
        snapshot = intake_snapshot()
        form = ComplaintForm(request.POST, consent_agencies=snapshot.consent_agencies)
        persons = PersonFormSet(request.POST, prefix="person")
        attachment = OptionalEvidenceForm(request.POST, request.FILES)
        # The file is checked before anything is saved: a refused file must not cost the
        # complainant their complaint, nor leave a complaint they think has a file.
        prepared = _checked_attachment(attachment)
        if _file_dropped(request):
            attachment.add_error("file", _file_too_large_message())
        if form.is_valid() and persons.is_valid() and not attachment.errors:
            if not any(p.is_filled() for p in persons.forms):
                persons.forms[0].add_error("name", _no_person_message())
            else:
                content = build_content(form, persons, language=_language())
                attachments = []
                if prepared is not None:
                    attachments.append(_first_file(attachment.cleaned_data["file"], prepared))
                if not budget.budget_take(nbytes=len(prepared.original) if prepared else 0):
                    return budget.budget_refused(request)
                try:
                    receipt = services.complaint_submit(
                        content=content,
                        form_token=form.cleaned_data["form_token"],
                        attachments=attachments,
                        snapshot=snapshot,
                    )
                except services.DuplicateSubmission:
                    return render(request, "intake/already_received.html", status=409)
                return _receipt_page(request, receipt)
        # A form cannot send a file back to the browser, and a file is never kept unencrypted
        # between two posts: say so where the file was chosen (a refused file says why).
        file_not_kept = bool(request.FILES.get("file")) and not attachment.has_error("file")
        if file_not_kept:
            attachment.add_error("file", _file_not_kept_message())
    else:
        return _blank_complaint_form(request)
    return render(
        request,
        "intake/complaint_form.html",
        {
            "form": form,
            "persons": persons,
            "attachment": attachment,
            "file_not_kept": file_not_kept,
        },
    )


def _blank_complaint_form(request: HttpRequest) -> HttpResponse:
    """The empty form: rendered once per language and set of consent boxes (intake/formpage.py),
    with this request's CSRF token and one-time form token put in."""
    consent_agencies = intake_snapshot().consent_agencies

    def render_with(holes: Mapping[str, str]) -> HttpResponse:
        form = ComplaintForm(
            initial={"form_token": holes["form_token"]}, consent_agencies=consent_agencies
        )
        context = {
            "form": form,
            "persons": PersonFormSet(prefix="person"),
            "attachment": OptionalEvidenceForm(),
            "file_not_kept": False,
            "csrf_token": holes["csrf_token"],
        }
        return render(request, "intake/complaint_form.html", context)

    return blank_form_page(request, consent_agencies, render_with)


def _receipt_page(request: HttpRequest, receipt: services.Receipt) -> HttpResponse:
    """The codename, shown once: the page is rendered once a day per language with holes for
    the words (intake/formpage.py), so the kept page never holds a codename."""
    assert receipt.codename is not None  # noqa: S101 - the public path always makes one
    words = receipt.codename.reveal().split(" ")
    # What selectors.complaint_keeping would read back: no case holds it yet.
    keeping = selectors.Keeping(held_by_case=False, last_day=receipt.last_day)

    def render_with(holes: Mapping[str, str]) -> HttpResponse:
        codename = [holes[f"word{i}"] for i in range(len(words))]
        context = {
            "codename": codename,
            "keeping": keeping,
            "codename_in_other_language": _codename_in_other_language(),
        }
        return render(request, "intake/received.html", context)

    values = {f"word{i}": word for i, word in enumerate(words)}
    return filled_page(request, ("receipt", receipt.last_day), render_with, values)


def _file_not_kept_message() -> str:
    return gettext("The file you chose was not kept: please choose it again before sending.")


def _checked_attachment(attachment: OptionalEvidenceForm) -> Prepared | None:
    """The checked file sent with a new complaint; None if none (or refused: see its errors)."""
    if not attachment.is_valid() or not attachment.cleaned_data.get("file"):
        return None
    try:
        return evidence_services.evidence_check(upload=attachment.cleaned_data["file"])
    except FileRefused as exc:
        attachment.add_error("file", str(exc))
        return None


def _file_dropped(request: HttpRequest) -> bool:
    """A body over the in-memory upload limit reached no upload handler: Django dropped its
    file without a word (uploads never go to a temporary file), so none is in FILES."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE and not request.FILES


def _file_too_large_message() -> str:
    return gettext("No file arrived. Choose a file; files larger than 20 MB cannot be received.")


def _first_file(upload: UploadedFile, prepared: Prepared) -> services.Attachment:
    """Store the file sent with a new complaint, inside the complaint's own transaction."""

    def attach(complaint: Complaint, data_key: crypto.DataKey) -> None:
        evidence_services.evidence_attach(
            complaint=complaint,
            data_key=data_key,
            upload=upload,
            by_complainant=True,
            prepared=prepared,
        )

    return attach


def _no_person_message() -> str:
    return gettext("Please tell us about at least one person: a name, an age or a sex.")


# --- return visits --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def return_visit(request: HttpRequest) -> HttpResponse:
    form = CodenameForm(request.POST or None)
    throttled = False
    if request.method == "POST" and form.is_valid():
        # The codename is checked before anything is counted: a right one always gets in,
        # however many wrong ones others sent this minute (decision 0003).
        try:
            codename = crypto.parse_codename(form.cleaned_data["codename"])
            found = services.complainant_unlock(codename=codename)
        except crypto.InvalidCodename:
            found = None
        if found is not None:
            public_id, data_key = found
            request.session.cycle_key()
            cookie_key, wrapped = crypto.session_wrap(public_id.bytes + data_key.reveal())
            request.session[SESSION_WRAPPED_KEY] = wrapped.hex()
            response = HttpResponseRedirect(reverse("intake:my_complaint"))
            key_cookie_set(response, cookie_key.reveal().hex())
            return response
        throttled = services.guess_record_failure(limit=settings.OMBUDS_RETURN_ATTEMPTS_PER_MINUTE)
        form.add_error("codename", _unknown_codename_message())
    status = 429 if throttled else 200
    context = {
        "form": form,
        "throttled": throttled,
        "codename_in_other_language": _codename_in_other_language(),
    }
    return render(request, "intake/return.html", context, status=status)


def _unknown_codename_message() -> str:
    return gettext(
        "We could not find a complaint with this codename. Check each word and try again."
    )


def _complainant_access(request: HttpRequest) -> tuple[uuid.UUID, crypto.DataKey] | None:
    wrapped = request.session.get(SESSION_WRAPPED_KEY)
    if not wrapped:
        return None
    try:
        cookie = key_cookie_open(request.COOKIES.get(KEY_COOKIE, ""))
    except KeyCookieExpired:  # idle too long: the session ends (the clock is in the cookie)
        request.session.flush()
        return None
    if not cookie:
        return None
    try:
        unwrapped = crypto.session_unwrap(
            crypto.SessionKey(bytes.fromhex(cookie)), bytes.fromhex(wrapped)
        )
    except (crypto.DecryptionFailed, ValueError):
        return None
    if len(unwrapped) != 16 + 32:  # a complaint id (UUID) and its data key
        return None
    return uuid.UUID(bytes=unwrapped[:16]), crypto.DataKey(unwrapped[16:])


def _forget_visit(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    request.session.flush()
    response.delete_cookie(KEY_COOKIE)
    return response


ComplainantView = Callable[[HttpRequest, uuid.UUID, crypto.DataKey], HttpResponse]


def complainant_required(view: ComplainantView) -> Callable[[HttpRequest], HttpResponse]:
    """Run ``view`` with the complaint id and data key of this visit, or go to the codename page.

    The complaint may be gone while this visit is open: withdrawn from another browser, or by
    retention. The visit is then forgotten and the codename page shown, as for an expired
    visit, instead of failing on every request.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        access = _complainant_access(request)
        to_return = HttpResponseRedirect(reverse("intake:return"))
        if access is None:
            return to_return
        try:
            return view(request, *access)
        except Complaint.DoesNotExist:
            return _forget_visit(to_return, request)

    return wrapper


@require_http_methods(["GET", "POST"])
@complainant_required
def my_complaint(
    request: HttpRequest, public_id: uuid.UUID, data_key: crypto.DataKey
) -> HttpResponse:
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not budget.budget_take():
            return budget.budget_refused(request)
        services.complainant_follow_up(
            public_id=public_id, data_key=data_key, text=form.cleaned_data["text"]
        )
        return HttpResponseRedirect(reverse("intake:my_complaint") + "?sent=1")
    return _complaint_page(
        request,
        public_id,
        data_key,
        form=form,
        sent=request.GET.get("sent") == "1",
        file_added=request.GET.get("file") == "1",
    )


def _complaint_page(
    request: HttpRequest,
    public_id: uuid.UUID,
    data_key: crypto.DataKey,
    *,
    status: int = 200,
    **context: object,
) -> HttpResponse:
    """The return page: the complaint, its replies, what was written and how long it is kept.

    ``context`` overrides the page's forms (a form sent back with its errors) and notices.
    """
    view = selectors.complaint_get_for_complainant(public_id=public_id, data_key=data_key)
    files = selectors.complaint_files_for_complainant(public_id=public_id, data_key=data_key)
    page: dict[str, object] = {
        "complaint": view,
        "form": FollowUpForm(),
        "withdraw_form": WithdrawForm(),
        "evidence_form": EvidenceUploadForm(),
        "progress": selectors.complaint_progress_for_complainant(public_id=public_id),
        "summary": complaint_summary(content=view.content, agencies=view.consented, files=files),
        "keeping": selectors.complaint_keeping(public_id=public_id),
    }
    page.update(context)
    return render(request, "intake/my_complaint.html", page, status=status)


@require_POST
@complainant_required
def my_complaint_file(
    request: HttpRequest, public_id: uuid.UUID, data_key: crypto.DataKey
) -> HttpResponse:
    """The complainant attaches a file (a separate multipart form on the return-visit page)."""
    form = EvidenceUploadForm(request.POST, request.FILES)
    if form.is_valid():
        if not budget.budget_take(nbytes=form.cleaned_data["file"].size or 0):
            return budget.budget_refused(request)
        try:
            evidence_services.evidence_attach(
                complaint=Complaint.objects.get(public_id=public_id),
                data_key=data_key,
                upload=form.cleaned_data["file"],
                by_complainant=True,
            )
            return HttpResponseRedirect(reverse("intake:my_complaint") + "?file=1")
        except FileRefused as exc:
            form.add_error("file", str(exc))
    return _complaint_page(request, public_id, data_key, evidence_form=form, status=400)


@require_POST
@complainant_required
def withdraw(request: HttpRequest, public_id: uuid.UUID, data_key: crypto.DataKey) -> HttpResponse:
    """Withdraw the complaint: its keys and content are destroyed; there is no undo."""
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _complaint_page(request, public_id, data_key, withdraw_form=form, status=400)
    services.complaint_withdraw(public_id=public_id, data_key=data_key)
    return _forget_visit(render(request, "intake/withdrawn.html"), request)


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    return _forget_visit(HttpResponseRedirect(reverse("intake:home")), request)
