"""What the browser tests share: how Chromium is started, and a record of what it fetched."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A cheap phone: the public pages are read and filled in on one.
PHONE = {"width": 360, "height": 740}
MAX_PAGE_BYTES = 100_000


@dataclass
class Traffic:
    """Every request the browser made, and every page (document) it received."""

    origin: str
    requests: list[str] = field(default_factory=list)
    pages: list[tuple[str, int, bytes]] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        mine = urlsplit(self.origin).netloc
        return [url for url in self.requests if urlsplit(url).netloc != mine]
