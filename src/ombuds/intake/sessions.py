"""The session store (``SESSION_ENGINE``): session rows that cannot date a visit.

Django's database sessions keep two exact times per row: ``expire_date`` (the last save plus
the session age, so the time of the last request) and, inside ``session_data``, the signing
timestamp of the last save. For a complainant that is the time of their visit, which next to a
network operator's records of who connected when would name them (threat model 1). Here:

* ``session_data`` is signed without a timestamp (:class:`django.core.signing.Signer`), for
  every session; it holds no time at all (the complainant's idle limit is kept in their own
  cookie: ``intake.views``).
* a public-side session (no staff key in it) expires at a day boundary: the first 00:00 UTC at
  or after the usual expiry. A staff session keeps its exact expiry, which enforces the staff
  session's length (staff actions are audited with exact times anyway).

Expired rows are deleted every hour (``sessions_clear_task``, enqueued by ``ombuds scheduler``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core import signing

#: Keys only staff sessions hold: Django's signed-in user, and ``staff.*`` (the wrapped key,
#: the half-finished sign-in).
STAFF_KEY_PREFIXES = ("_auth_user", "staff.")


def is_staff_session(data: dict[str, Any]) -> bool:
    return any(key.startswith(STAFF_KEY_PREFIXES) for key in data)


def day_ceiling(moment: datetime.datetime) -> datetime.datetime:
    """The first 00:00 UTC at or after ``moment``."""
    utc = moment.astimezone(datetime.UTC)
    midnight = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == utc else midnight + datetime.timedelta(days=1)


class SessionStore(DatabaseSessionStore):
    def _signer(self) -> signing.Signer:
        return signing.Signer(salt=self.key_salt)

    def encode(self, session_dict: dict[str, Any]) -> str:
        return self._signer().sign_object(session_dict, serializer=self.serializer, compress=True)

    def decode(self, session_data: bytes | str) -> dict[str, Any]:
        text = session_data.decode() if isinstance(session_data, bytes) else session_data
        try:
            data: dict[str, Any] = self._signer().unsign_object(text, serializer=self.serializer)
            return data
        except signing.BadSignature:
            # A row written before this store (with a timestamp): read once, rewritten without.
            old: dict[str, Any] = super().decode(session_data)
            return old

    def create_model_instance(self, data: dict[str, Any]) -> AbstractBaseSession:
        row = super().create_model_instance(data)
        if not is_staff_session(data):
            row.expire_date = day_ceiling(row.expire_date)
        return row
