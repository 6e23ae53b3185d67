"""Reads for the staff site's administrators: failed sign-ins (issue 9, item 4).

Failed sign-ins are read from the audit log (``sign_in_failed`` entries), the one record that
cannot be edited; it holds the time, the account (or none, for a name that is no account) and
the step that failed, and never a client address or user agent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ombuds.audit.models import AuditAction, AuditEntry
from ombuds.audit.services import audit_record

from .models import Role, SignInStage, StaffUser

#: How far back the failed sign-ins page looks.
FAILED_SIGN_IN_DAYS = 30
#: At most this many single failures are listed (the counts per account cover them all).
FAILED_SIGN_IN_ROWS = 500


@dataclass(frozen=True)
class FailedSignIn:
    at: datetime.datetime
    account: str  # "" for a name that is no account
    stage: str
    together: bool  # password and code given in one step

    @property
    def stage_label(self) -> str:
        try:
            return str(SignInStage(self.stage).label)
        except ValueError:  # a stage of an older version
            return self.stage


@dataclass(frozen=True)
class AccountFailures:
    account: str
    count: int
    last: datetime.datetime
    asks_code_with_password: bool
    code_checks_paused_until: datetime.datetime | None


@dataclass(frozen=True)
class FailedSignIns:
    since: datetime.datetime
    accounts: list[AccountFailures]
    recent: list[FailedSignIn]


def access_sign_in_failures(*, viewer: StaffUser) -> None:
    """Only administrators see who failed to sign in; raises PermissionDenied otherwise."""
    if viewer.role != Role.ADMIN:
        raise PermissionDenied


def sign_in_failures_recent(*, viewer: StaffUser) -> FailedSignIns:
    """Failed sign-ins of the last FAILED_SIGN_IN_DAYS days, per account and one by one.

    The look is itself audited (``audit_viewed``).
    """
    from .services import sign_in_locked, sign_in_under_attack

    access_sign_in_failures(viewer=viewer)
    since = timezone.now() - datetime.timedelta(days=FAILED_SIGN_IN_DAYS)
    entries = AuditEntry.objects.filter(
        action=AuditAction.SIGN_IN_FAILED, created_at__gte=since
    ).order_by("-seq")
    counts: dict[str, tuple[int, datetime.datetime]] = {}
    recent: list[FailedSignIn] = []
    for entry in entries.only("created_at", "actor_username", "details").iterator():
        account = entry.actor_username
        count, last = counts.get(account, (0, entry.created_at))
        counts[account] = (count + 1, last)
        if len(recent) < FAILED_SIGN_IN_ROWS:
            details = entry.details if isinstance(entry.details, dict) else {}
            recent.append(
                FailedSignIn(
                    at=entry.created_at,
                    account=account,
                    stage=str(details.get("stage", "")),
                    together=bool(details.get("together", False)),
                )
            )
    users = {u.username: u for u in StaffUser.objects.filter(username__in=list(counts))}
    accounts = []
    for account, (count, last) in sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0])):
        user = users.get(account)
        accounts.append(
            AccountFailures(
                account=account,
                count=count,
                last=last,
                asks_code_with_password=sign_in_under_attack(user),
                code_checks_paused_until=(
                    user.locked_until if user is not None and sign_in_locked(user) else None
                ),
            )
        )
    audit_record(
        action=AuditAction.AUDIT_VIEWED, actor=viewer, details={"view": "sign_in_failures"}
    )
    return FailedSignIns(since=since, accounts=accounts, recent=recent)
