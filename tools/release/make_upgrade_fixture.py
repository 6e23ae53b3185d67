"""Write the data of a previous release for the upgrade test (tests/release/test_upgrade.py).

    .venv/bin/python tools/release/make_upgrade_fixture.py            # 0.1.0
    .venv/bin/python tools/release/make_upgrade_fixture.py --release 0.1.0 --commit 3cbaa5c

The release's own code makes the data: its tree is taken from git (``git archive COMMIT``),
and ``demo_install()`` of that tree runs on an empty SQLite database, so complaints, staff,
agencies, a case with records and evidence, and the audit chain with its checkpoint are what
that release wrote, sealed with that release's cryptography. The rows of every table (but
Django's own bookkeeping: migrations, content types, permissions) go to
``tests/release/fixtures/<release>.json`` with the data folder's secrets, the complaints'
codenames and what each complaint said, the demo staff and each app's last migration at the
release. The test loads the rows into a database migrated to exactly those migrations.

Run it with the shared virtualenv: a release's code must import with today's dependencies.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RELEASES = {"0.1.0": "3cbaa5c4c5d3721f2918358b85a2fb69f30c646c"}
SKIPPED_TABLES = {"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"}

# Runs inside the release's tree: only what that release had (its demo and its settings).
OLD_SIDE = r"""
import json, os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "ombuds.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from ombuds.staff import demo
result = demo.demo_install()
print(json.dumps({
    "codenames": list(result.codenames),
    "accounts": [c.account for c in demo.COMPLAINTS],
    "staff": [
        {"username": m.username, "password": m.password, "agency": m.agency,
         "role": str(m.role), "totp_secret": demo._b32(m.username)}
        for m in demo.STAFF
    ],
}))
"""


def _value(v: object) -> object:
    if isinstance(v, bytes):
        return {"b64": base64.b64encode(v).decode()}
    return v


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", default="0.1.0")
    parser.add_argument("--commit", help="the release's commit (default: the recorded one)")
    parser.add_argument("--output", help="default: tests/release/fixtures/RELEASE.json")
    args = parser.parse_args(argv)
    commit = args.commit or RELEASES[args.release]
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{commit}^{{commit}}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    output = Path(args.output or ROOT / "tests" / "release" / "fixtures" / f"{args.release}.json")

    with tempfile.TemporaryDirectory(prefix="ombuds-release-") as tmp:
        tree, data = Path(tmp) / "tree", Path(tmp) / "var"
        tree.mkdir()
        archive = subprocess.run(
            ["git", "archive", commit], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "PYTHONPATH", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(PYTHONPATH=str(tree / "src"), OMBUDS_DATA_DIR=str(data))
        done = subprocess.run(
            [sys.executable, "-c", OLD_SIDE],
            cwd=tree,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        made = json.loads(done.stdout.strip().splitlines()[-1])

        db = sqlite3.connect(data / "ombuds.sqlite3")
        migrations: dict[str, str] = {}
        for app, name in db.execute("SELECT app, name FROM django_migrations ORDER BY id"):
            migrations[app] = max(name, migrations.get(app, name))
        tables: dict[str, dict[str, object]] = {}
        names = db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        for (table,) in names.fetchall():
            if table in SKIPPED_TABLES:
                continue
            cursor = db.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608
            rows = [[_value(v) for v in row] for row in cursor.fetchall()]
            if rows:
                columns = [d[0] for d in cursor.description]
                tables[table] = {"columns": columns, "rows": rows}
        db.close()
        files = {
            name: (data / name).read_text() for name in ("audit-signing.key", "demo-escrow.key")
        }

    fixture = {
        "release": args.release,
        "commit": commit,
        "made_by": "tools/release/make_upgrade_fixture.py (the release's demo_install)",
        "migrations": dict(sorted(migrations.items())),
        "files": files,
        **made,
        "tables": tables,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {output} ({sum(len(t['rows']) for t in tables.values())} rows)")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
