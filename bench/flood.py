"""Flood benchmark: many clients filing complaints and loading the form, one complainant coming
back by codename once a second (issue 13, item 4).

    .venv/bin/python bench/flood.py                       # 2 workers, 32 filers + 16 loaders
    .venv/bin/python bench/flood.py --seconds 30 --filers 32 --loaders 16 --before main

One run starts on 127.0.0.1, with the gunicorn settings of ``ombuds serve`` (sync workers, no
access log; bench/intake.py's ``gunicorn_argv``), each on a fresh data folder:

- ``ombuds``: this tree, ``ombuds serve`` on an ``ombuds demo`` install;
- ``before``: the same, but the code of ``--before`` (a git revision, default the merge base
  with main), exported with ``git archive``: the form page's rate before this change;
- ``baseline``: ``bench/intake_baseline``, a plain Django form saving one unencrypted row.

The load runs in a separate process (an asyncio client on raw sockets; uvloop where
installed), so the numbers of the server are not the client's. Phases, each ``--seconds``
long:

1. **form page**: ``--filers + --loaders`` clients GET the form page back to back, against
   ``before``, ``ombuds`` and ``baseline`` in turn: pages per second.
2. **flood**: ``--filers`` clients each GET the form and POST a complaint (a full cycle, as a
   browser does), ``--loaders`` clients GET the form page only, against ``baseline`` and then
   ``ombuds``; during the ombuds flood one more client comes back once a second with the
   codename of a complaint filed before: GET the codename page, POST the codename, GET the
   complaint page it is sent to (the time of the whole visit: three requests). A complaint
   counts if the POST returned 200 and the receipt; a visit if it reached the complaint page.

Printed: complaints per second against the baseline's in the same flood, form pages per second
against ``before``, failed posts, and the returning visits' p50 / p99.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from intake import (  # noqa: E402 - bench/ on the path first
    COMPLAINT_FIELDS,
    free_port,
    gunicorn_argv,
    process_tree_cpu,
    wait_until_up,
)

TARGET_RATIO = 0.8  # complaints/s against the baseline's, in the same flood
TARGET_FORM_SPEEDUP = 5.0  # form pages/s against before
TARGET_RETURN_P99_MS = 1000.0


# --- servers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    pid: int
    path: str  # the complaint form
    receipt: str  # a successful post's page contains this


def export_revision(revision: str, into: Path) -> Path:
    """The ``src`` folder of a git revision, exported into ``into`` (no worktree, no checkout)."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", revision, "src"], cwd=BENCH_DIR.parent, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


@contextmanager
def servers(workers: int, data_dir: Path, before: str) -> Iterator[dict[str, Server]]:
    base_env = dict(os.environ)
    base_env.pop("DATABASE_URL", None)  # the embedded default: SQLite
    base_env.pop("OMBUDS_SECRET_KEY", None)
    # Faster demo setup only: staff password hashing is not on the complaint path.
    base_env["OMBUDS_PASSWORD_COST"] = "minimum"  # noqa: S105 - a cost profile name
    # The flood is measured, not refused: the intake budget is raised past it (its count, one
    # upsert per complaint, stays on the path and in the figures).
    base_env["OMBUDS_INTAKE_COMPLAINTS_PER_HOUR"] = "1000000000"
    base_env["OMBUDS_INTAKE_BYTES_PER_HOUR"] = "1000000000000"
    here_src = str(BENCH_DIR.parent / "src")
    before_src = str(export_revision(before, data_dir / "before-code"))
    procs: dict[str, subprocess.Popen[bytes]] = {}
    found: dict[str, Server] = {}
    try:
        for name, src in (("ombuds", here_src), ("before", before_src)):
            env = dict(
                base_env,
                OMBUDS_DATA_DIR=str(data_dir / name),
                PYTHONPATH=os.pathsep.join([src, str(BENCH_DIR)]),
            )
            cli = [sys.executable, "-m", "ombuds.cli"]
            subprocess.run([*cli, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
            port = free_port()
            procs[name] = subprocess.Popen(
                [*cli, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)], env=env
            )
            found[name] = Server(name, port, procs[name].pid, "/en/complaint/", 'id="codename"')
        env = dict(
            base_env,
            BASELINE_DATA_DIR=str(data_dir / "baseline"),
            DJANGO_SETTINGS_MODULE="intake_baseline.settings",
            PYTHONPATH=os.pathsep.join([here_src, str(BENCH_DIR)]),
        )
        (data_dir / "baseline").mkdir()
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--run-syncdb", "-v", "0"],
            env=env,
            check=True,
        )
        port = free_port()
        procs["baseline"] = subprocess.Popen(
            gunicorn_argv("intake_baseline.wsgi:application", port, workers), env=env
        )
        found["baseline"] = Server(
            "baseline", port, procs["baseline"].pid, "/complaint/", 'id="receipt"'
        )
        for s in found.values():
            wait_until_up(s.port, procs[s.name])
        yield found
    finally:
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


# --- the load client (runs in its own process: ``flood.py --client JSON``) -------------------

_CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_FORM_TOKEN = re.compile(rb'name="form_token" value="([^"]+)"')
_COOKIE = re.compile(rb"(?im)^set-cookie: ([^=]+)=([^;]*)")
_WORDS = re.compile(rb"<span>([^<]+)</span>")


async def http(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        return await reader.read(-1)  # sync workers close the connection after one response
    finally:
        writer.close()


def get(path: str, cookies: dict[str, str] | None = None) -> bytes:
    cookie = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "\r\n"
    ).encode()


def post(path: str, fields: list[tuple[str, str]], cookies: dict[str, str]) -> bytes:
    body = urllib.parse.urlencode(fields).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def cookies_of(response: bytes) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in _COOKIE.findall(response.split(b"\r\n\r\n")[0])}


async def file_complaint(port: int, path: str, receipt: bytes) -> tuple[bool, bytes]:
    """GET the form, POST a complaint with its tokens: (counted, the receipt page)."""
    page = await http(port, get(path))
    csrf = _CSRF_TOKEN.search(page)
    if not page.startswith(b"HTTP/1.1 200") or not csrf:
        return False, page
    fields = [*COMPLAINT_FIELDS, ("csrfmiddlewaretoken", csrf.group(1).decode())]
    token = _FORM_TOKEN.search(page)
    if token:
        fields.append(("form_token", token.group(1).decode()))
    response = await http(port, post(path, fields, cookies_of(page)))
    return response.startswith(b"HTTP/1.1 200") and receipt in response, response


async def return_visit(port: int, codename: str) -> bool:
    page = await http(port, get("/en/return/"))
    csrf = _CSRF_TOKEN.search(page)
    if not csrf:
        return False
    cookies = cookies_of(page)
    fields = [("codename", codename), ("csrfmiddlewaretoken", csrf.group(1).decode())]
    answer = await http(port, post("/en/return/", fields, cookies))
    if not answer.startswith(b"HTTP/1.1 302"):
        return False
    cookies.update(cookies_of(answer))
    mine = await http(port, get("/en/return/complaint/", cookies))
    return mine.startswith(b"HTTP/1.1 200") and b"Argun" in mine


async def client_phase(job: dict[str, object]) -> dict[str, object]:
    port, path = int(job["port"]), str(job["path"])  # type: ignore[call-overload]
    receipt = str(job["receipt"]).encode()
    seconds = float(job["seconds"])  # type: ignore[arg-type]
    counts = {"complaints": 0, "failed_posts": 0, "pages": 0, "failed_pages": 0}

    codenames = []
    for _ in range(5 if job["returning"] else 0):
        ok, page = await file_complaint(port, path, receipt)
        assert ok, page[:500]
        words = _WORDS.findall(page.split(b'id="codename">')[1].split(b"</p>")[0])
        codenames.append(b" ".join(words).decode())
    end = time.perf_counter() + seconds

    async def filer() -> None:
        while time.perf_counter() < end:
            try:
                ok, _page = await file_complaint(port, path, receipt)
            except OSError:
                ok = False
            counts["complaints" if ok else "failed_posts"] += 1

    async def loader() -> None:
        while time.perf_counter() < end:
            try:
                ok = (await http(port, get(path))).startswith(b"HTTP/1.1 200")
            except OSError:
                ok = False
            counts["pages" if ok else "failed_pages"] += 1

    visits: list[float] = []
    failed_visits = 0

    async def returning() -> None:
        nonlocal failed_visits
        i = 0
        while time.perf_counter() < end - 1:
            start = time.perf_counter()
            ok = await return_visit(port, codenames[i % len(codenames)])
            took = time.perf_counter() - start
            if ok:
                visits.append(took)
            else:
                failed_visits += 1
            i += 1
            await asyncio.sleep(max(0.0, 1.0 - took))

    cpu0, t0 = time.process_time(), time.perf_counter()
    tasks = [filer() for _ in range(int(job["filers"]))]  # type: ignore[call-overload]
    tasks += [loader() for _ in range(int(job["loaders"]))]  # type: ignore[call-overload]
    if codenames:
        tasks.append(returning())
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - t0
    q = statistics.quantiles(visits, n=100, method="inclusive") if len(visits) > 1 else [0.0] * 99
    return {
        **counts,
        "seconds": wall,
        "client_cpu": (time.process_time() - cpu0) / wall,
        "visits": len(visits),
        "failed_visits": failed_visits,
        "visit_p50_ms": q[49] * 1000,
        "visit_p99_ms": q[98] * 1000,
        "visit_max_ms": max(visits, default=0.0) * 1000,
    }


def client_main(job_json: str) -> int:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(client_phase(json.loads(job_json)))))
    return 0


# --- the run --------------------------------------------------------------------------------


@dataclass
class Phase:
    app: str
    kind: str  # "pages" or "flood"
    complaints_per_s: float
    pages_per_s: float
    failed_posts: int
    failed_pages: int
    server_cpu: float
    client_cpu: float
    visits: int = 0
    failed_visits: int = 0
    visit_p50_ms: float = 0.0
    visit_p99_ms: float = 0.0
    visit_max_ms: float = 0.0


def run_phase(server: Server, *, kind: str, filers: int, loaders: int, seconds: float) -> Phase:
    job = {
        "port": server.port,
        "path": server.path,
        "receipt": server.receipt,
        "seconds": seconds,
        "filers": filers,
        "loaders": loaders,
        "returning": kind == "flood" and server.name == "ombuds",
    }
    cpu0 = process_tree_cpu(server.pid)
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--client", json.dumps(job)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    server_cpu = (process_tree_cpu(server.pid) - cpu0) / (time.perf_counter() - t0)
    r = json.loads(out)
    return Phase(
        app=server.name,
        kind=kind,
        complaints_per_s=r["complaints"] / r["seconds"],
        pages_per_s=r["pages"] / r["seconds"],
        failed_posts=r["failed_posts"],
        failed_pages=r["failed_pages"],
        server_cpu=server_cpu,
        client_cpu=r["client_cpu"],
        visits=r["visits"],
        failed_visits=r["failed_visits"],
        visit_p50_ms=r["visit_p50_ms"],
        visit_p99_ms=r["visit_p99_ms"],
        visit_max_ms=r["visit_max_ms"],
    )


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--client":
        return client_main(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--filers", type=int, default=32, help="clients filing complaints")
    parser.add_argument("--loaders", type=int, default=16, help="clients loading the form")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--before", help="git revision for the before-rate (merge base)")
    parser.add_argument("--cpus", help="pin servers and client to these CPUs, e.g. 0,1")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args()
    if args.cpus:
        os.sched_setaffinity(0, {int(c) for c in args.cpus.split(",")})  # children inherit it
    before = (
        args.before
        or subprocess.run(
            ["git", "merge-base", "HEAD", "main"],
            cwd=BENCH_DIR.parent,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    label = subprocess.run(
        ["git", "rev-parse", "--short", before],
        cwd=BENCH_DIR.parent,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(
        f"flood benchmark: {args.workers} gunicorn sync workers per app, "
        f"{len(os.sched_getaffinity(0))} CPUs shared by the servers and the client; "
        f"{args.filers} filers + {args.loaders} form loaders, {args.seconds:.0f} s per phase; "
        f"before = {label}; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    phases: list[Phase] = []
    data_dir = Path(tempfile.mkdtemp(prefix="ombuds-bench-flood-"))
    try:
        with servers(args.workers, data_dir, before) as apps:
            for s in apps.values():  # warm up: translations, templates, connections
                run_phase(s, kind="warmup", filers=4, loaders=4, seconds=2)
            for name in ("before", "ombuds", "baseline"):
                p = run_phase(
                    apps[name],
                    kind="pages",
                    filers=0,
                    loaders=args.filers + args.loaders,
                    seconds=args.seconds,
                )
                phases.append(p)
                print(
                    f"  form page  {name:<8}: {p.pages_per_s:7.0f} pages/s  failed "
                    f"{p.failed_pages}  (CPU: server {p.server_cpu:.2f}, client "
                    f"{p.client_cpu:.2f} cores)",
                    flush=True,
                )
            for name in ("baseline", "ombuds"):
                p = run_phase(
                    apps[name],
                    kind="flood",
                    filers=args.filers,
                    loaders=args.loaders,
                    seconds=args.seconds,
                )
                phases.append(p)
                visits = (
                    f"  returning: {p.visits} visits, p50 {p.visit_p50_ms:.0f} ms, p99 "
                    f"{p.visit_p99_ms:.0f} ms, max {p.visit_max_ms:.0f} ms, failed "
                    f"{p.failed_visits}"
                    if name == "ombuds"
                    else ""
                )
                print(
                    f"  flood      {name:<8}: {p.complaints_per_s:7.1f} complaints/s, "
                    f"{p.pages_per_s:6.1f} extra form pages/s, failed posts {p.failed_posts}, "
                    f"failed pages {p.failed_pages}  (CPU: server {p.server_cpu:.2f}, client "
                    f"{p.client_cpu:.2f} cores){visits}",
                    flush=True,
                )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    pages = {p.app: p for p in phases if p.kind == "pages"}
    flood = {p.app: p for p in phases if p.kind == "flood"}
    ratio = flood["ombuds"].complaints_per_s / flood["baseline"].complaints_per_s
    speedup = pages["ombuds"].pages_per_s / pages["before"].pages_per_s
    o = flood["ombuds"]
    failed = sum(p.failed_posts + p.failed_pages for p in phases) + o.failed_visits
    checks = [
        (f"complaints >= {TARGET_RATIO} of the baseline", f"{ratio:.2f}", ratio >= TARGET_RATIO),
        (
            f"form page >= {TARGET_FORM_SPEEDUP:.0f}x before",
            f"{speedup:.1f}x",
            speedup >= TARGET_FORM_SPEEDUP,
        ),
        ("no failed post, page or visit", str(failed), failed == 0),
        (
            f"returning p99 < {TARGET_RETURN_P99_MS:.0f} ms",
            f"{o.visit_p99_ms:.0f} ms",
            o.visit_p99_ms < TARGET_RETURN_P99_MS and o.visits > 0,
        ),
    ]
    print()
    for what, value, met in checks:
        print(f"  {what:<34} {value:>8}  {'met' if met else 'MISSED'}")
    if args.json:
        print(json.dumps([asdict(p) for p in phases], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
