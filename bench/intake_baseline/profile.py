"""Where a complaint post spends its CPU: one app in-process, no server, no network.

    PYTHONPATH=bench .venv/bin/python -m intake_baseline.profile ombuds [--posts 300]
    PYTHONPATH=bench .venv/bin/python -m intake_baseline.profile baseline

Prints CPU milliseconds per form GET and per POST (no profiler attached), then a cProfile of
the POSTs: the functions with the most own time and the cumulative time of the steps of the
complaint path. Bodies are url-encoded, as a browser sends them.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/, for intake.py

STEPS = (
    "views.py:.*\\(complaint_new\\)",
    "services.py:.*\\(complaint_submit\\)",
    "snapshot.py:.*\\(intake_snapshot\\)",
    "formpage.py:.*\\(blank_form_page\\)",
    "models.py:.*\\(current\\)",
    "services.py:.*\\(audit_record\\)",
    "ombuds/crypto/",
    "crypto_box_seal",
    "crypto_aead",
    "intake/forms.py",
    "(build_content)",
    "forms.py:.*\\(is_valid\\)",
    "formsets.py:.*\\(is_valid\\)",
    "shortcuts.py:.*\\(render\\)",
    "method 'commit'",
    "SQLiteCursorWrapper.execute",
    "content.py",
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("app", choices=["ombuds", "baseline"])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"])
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="ombuds-profile-"))
    os.environ.update(
        OMBUDS_DATA_DIR=str(data_dir),
        BASELINE_DATA_DIR=str(data_dir),
        OMBUDS_PASSWORD_COST="minimum",  # noqa: S106 - a cost profile name; demo setup only
        OMBUDS_ALLOWED_HOSTS="testserver",
        BENCH_SQLITE_SYNCHRONOUS=args.synchronous,
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = (
        "intake_baseline.settings" if args.app == "baseline" else "intake_baseline.ombuds_settings"
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from intake import COMPLAINT_FIELDS

    settings.ALLOWED_HOSTS.append("testserver")
    if args.app == "ombuds":
        call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        path = "/en/complaint/"
    else:
        call_command("migrate", run_syncdb=True, verbosity=0)
        path = "/complaint/"
    client = Client()

    n = args.posts + 20
    for _ in range(20):  # the first request loads translations and compiles the templates
        client.get(path)
    cpu = time.process_time()
    pages = [client.get(path).content.decode() for _ in range(n)]
    get_ms = (time.process_time() - cpu) / n * 1000
    bodies = []
    for page in pages:
        token = re.search(r'name="form_token" value="([^"]+)"', page)
        fields = [*COMPLAINT_FIELDS, *([("form_token", token.group(1))] if token else [])]
        bodies.append(urllib.parse.urlencode(fields))

    def post(body: str) -> None:
        r = client.post(path, body, content_type="application/x-www-form-urlencoded")
        assert r.status_code == 200 and b"received" in r.content, r.content[:500]

    for body in bodies[:20]:
        post(body)
    half = args.posts // 2
    cpu, wall = time.process_time(), time.perf_counter()
    for body in bodies[20 : 20 + half]:
        post(body)
    post_ms = (time.process_time() - cpu) / half * 1000
    wall_ms = (time.perf_counter() - wall) / half * 1000
    print(
        f"{args.app} (synchronous={args.synchronous}): form GET {get_ms:.2f} ms CPU; "
        f"POST {post_ms:.2f} ms CPU, {wall_ms:.2f} ms wall (one process, no server)"
    )
    profiler = cProfile.Profile(time.process_time)  # CPU time: the machine may be busy
    profiler.enable()
    for body in bodies[20 + half :]:
        post(body)
    profiler.disable()
    stats = pstats.Stats(profiler)
    count = len(bodies) - 20 - half
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"\ncProfile of {count} POSTs: {total / count * 1000:.2f} ms CPU per POST (profiled)")
    print("\nsteps (cumulative CPU ms per POST, profiled):")
    for func, (_cc, _nc, _tt, ct, _callers) in sorted(
        stats.stats.items(),  # type: ignore[attr-defined]
        key=lambda kv: -kv[1][3],
    ):
        name = f"{func[0]}:{func[1]}({func[2]})"
        if any(re.search(step, name) for step in STEPS) and ct / count > 0.00005:
            short = name.split("site-packages/")[-1].split("src/")[-1]
            print(f"  {ct / count * 1000:7.2f}  {short}")
    print()
    stats.sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
