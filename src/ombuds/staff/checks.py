"""``ombuds check --deploy``: warn when urgent complaints would be announced to nobody."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(deploy=True)
def alerts_configured(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Without SMTP no alert is sent (staff/alerts.py), and without the staff address the mail
    cannot say where to sign in: a complaint that someone is held now would wait unseen."""
    missing = [
        name for name in ("OMBUDS_SMTP_HOST", "OMBUDS_STAFF_URL") if not getattr(settings, name, "")
    ]
    if not missing:
        return []
    return [
        checks.Warning(
            f"{' and '.join(missing)} not set: on-duty staff are not mailed when a complaint "
            "says someone is held now, nor when intake refuses submissions",
            hint="set the OMBUDS_SMTP_* variables and OMBUDS_STAFF_URL "
            "(deploy/ombuds.env.example; docs/deploy.md, 'Alerts and the intake budget')",
            id="ombuds.W102",
        )
    ]
