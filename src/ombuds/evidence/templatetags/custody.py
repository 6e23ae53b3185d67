"""How a custody entry's note reads in the staff member's language.

The note stored with a custody entry is a fixed English record written when the step happened
("jpeg, 5912 bytes", "ciphertext sha256 ..."); the custody log is evidence and is never
rewritten. The pages show it translated: each kind of note the code writes has a pattern here,
and a note matching none is shown as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext

from ombuds.staff.models import Agency

register = template.Library()


def _agency_name(slug: str) -> str:
    agency = Agency.objects.filter(slug=slug).first()
    return agency.display_name if agency is not None else slug


NOTES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"(?P<kind>\w+), (?P<size>\d+) bytes"),
        lambda m: (
            gettext("%(kind)s, %(size)s bytes")
            % {
                "kind": m["kind"].upper(),
                "size": number_format(int(m["size"]), force_grouping=True),
            }
        ),
    ),
    (
        re.compile(r"ciphertext sha256 (?P<hash>[0-9a-f]+)"),
        lambda m: gettext("SHA-256 of the encrypted file: %(hash)s") % {"hash": m["hash"]},
    ),
    (
        re.compile(r"readable by (?P<slug>[\w-]+) \(case referred\)"),
        lambda m: (
            gettext("readable by %(agency)s (the case was referred)")
            % {"agency": _agency_name(m["slug"])}
        ),
    ),
    (
        re.compile(r"package (?P<id>\S+) with originals"),
        lambda m: gettext("export package %(id)s, with the originals") % {"id": m["id"]},
    ),
    (
        re.compile(r"package (?P<id>\S+)"),
        lambda m: gettext("export package %(id)s") % {"id": m["id"]},
    ),
]


@register.filter
def custody_note(note: str) -> str:
    for pattern, render in NOTES:
        match = pattern.fullmatch(note)
        if match:
            return render(match)
    return note


@register.filter
def removed_metadata(removed: str) -> str:
    """What the working copy lost: metadata names are codes; the one sentence is translated."""
    sentences = {
        "encoding normalised to UTF-8": gettext("the text encoding was normalised to UTF-8"),
        "document information, XMP": gettext("document information, XMP"),
        "udta, meta, XMP, times": gettext("udta, meta, XMP, creation times"),
    }
    return sentences.get(removed, removed)
