"""Run in a separate process against an install given by the environment (OMBUDS_DATA_DIR,
DATABASE_URL): ``build`` makes a world to back up, ``check`` looks at a restored one.

``python -m tests.deploy.backup_world build`` prints, as JSON, what a later check needs: the
complainant's codename, the canary their complaint carries, the escrow key (hex) and the
intake officer's password and TOTP secret. ``... check`` reads that JSON on standard input
and prints what the complainant and the intake officer see, as JSON.
"""

from __future__ import annotations

import io
import json
import re
import sys
import uuid
from typing import Any

import django


def build() -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from PIL import Image

    from ombuds.audit import signing
    from ombuds.audit.services import audit_checkpoint_create
    from ombuds.intake.models import Complaint
    from tests.conftest import build_world, submit_complaint

    world = build_world()
    canary = f"CANARY-{uuid.uuid4().hex}"
    person = f"Person{uuid.uuid4().hex[:10]}"
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 0)).save(photo, format="PNG")
    codename = submit_complaint(
        Client(),
        account=f"My account {canary}",
        place=f"Place {canary}",
        file=SimpleUploadedFile("yard.png", photo.getvalue(), content_type="image/png"),
        **{"person-0-name": person},
    )
    # A signed checkpoint, as the scheduler makes them: verify must check it after a restore.
    signing.ensure_signing_key()
    audit_checkpoint_create()
    officer = world.personas["intake_officer"]
    return {
        "codename": codename,
        "canary": canary,
        "person": person,
        "complaint": str(Complaint.objects.get().public_id),
        "escrow_key": world.escrow_private_key.reveal().hex(),
        "officer": {
            "username": officer.username,
            "password": officer.password,
            "totp_secret": officer.totp_secret,
        },
    }


def check(facts: dict[str, Any]) -> dict[str, Any]:
    import pyotp
    from django.test import Client
    from PIL import Image

    visitor = Client()
    returned = visitor.post("/en/return/", {"codename": facts["codename"]})
    complainant_page = visitor.get("/en/return/complaint/").content.decode()

    officer = Client()
    signed_in = (
        officer.post(
            "/en/staff/sign-in/",
            {"username": facts["officer"]["username"], "password": facts["officer"]["password"]},
        ).status_code
        == 302
        and officer.post(
            "/en/staff/sign-in/code/", {"code": pyotp.TOTP(facts["officer"]["totp_secret"]).now()}
        ).status_code
        == 302
    )
    staff_page = officer.get(f"/en/staff/complaints/{facts['complaint']}/").content.decode()
    evidence_page = officer.get(f"/en/staff/evidence/complaints/{facts['complaint']}/")
    items = re.findall(r"/en/staff/evidence/items/([0-9a-f-]{36})/", evidence_page.content.decode())
    size = None
    if items:
        working = officer.get(f"/en/staff/evidence/items/{items[0]}/working/")
        if working.status_code == 200:
            size = list(Image.open(io.BytesIO(working.getvalue())).size)
    return {
        "codename_accepted": returned.status_code == 302,
        "complainant_sees_the_canary": facts["canary"] in complainant_page,
        "officer_signed_in": signed_in,
        "officer_sees_the_canary": facts["canary"] in staff_page,
        "officer_opens_the_file": size == [40, 30],
    }


def main() -> None:
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name, as under pytest
    if sys.argv[1] == "build":
        print(json.dumps(build()))
    else:
        print(json.dumps(check(json.load(sys.stdin))))


if __name__ == "__main__":
    main()
