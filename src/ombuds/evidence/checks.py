"""``ombuds check``: warn when the case file has no font to be drawn with (docs/deploy.md)."""

from __future__ import annotations

from typing import Any

from django.core import checks


@checks.register()
def case_file_font(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from .casefile import FontMissing, pdf_font

    try:
        pdf_font()
    except FontMissing as exc:
        return [
            checks.Warning(
                str(exc),
                hint="apt install fonts-dejavu-core, or set OMBUDS_PDF_FONT",
                id="ombuds.W101",
            )
        ]
    return []
