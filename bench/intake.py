"""Intake benchmark: encrypted complaints per second through HTTP, against a plain form.

    .venv/bin/python bench/intake.py                      # 3 workers, 8 and 32 clients
    .venv/bin/python bench/intake.py --workers 2 --posts 6000 --clients 8 32

In one run it starts, on 127.0.0.1, two servers with the same gunicorn settings (sync workers,
no access log, one persistent SQLite connection per worker, the same SQLite build and pragmas):

- ``ombuds``: the production server, ``ombuds serve``, on a fresh demo install;
- ``baseline``: ``bench/intake_baseline``, a minimal plain Django form (the same fields, a
  formset of three persons) that saves one unencrypted row and renders a short page.

Method. For each number of concurrent clients, and for each app in turn, the client first
fetches one complaint form per post (GET: a CSRF cookie and token and, for ombuds, the signed
one-time ``form_token``), untimed, then posts them all, timed: so the numbers are *posts*
per second, the GET is excluded for both apps alike (its rate is printed on the side). Each
post is a new TCP connection (sync workers close it after the response); its latency runs from
connect to the last byte. A post counts only if it returned 200 and the receipt (for ombuds,
the codename). The client is one asyncio process on the same machine, so it competes with
the servers for the same cores: its CPU share is printed with the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
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
TARGET_RATE = 500.0
TARGET_RATIO = 0.8
TARGET_P99_MS = 50.0

#: The same fields as tests/conftest.py's COMPLAINT_FORM, with consent for the prosecutor:
#: ombuds seals the data key three times (complainant, working group, prosecutor's office).
COMPLAINT_FIELDS: list[tuple[str, str]] = [
    ("filer_role", "relative"),
    ("acts", "detention"),
    ("acts", "disappearance"),
    ("when_kind", "month"),
    ("when_value", "2017-03"),
    ("place", "Argun"),
    ("person-TOTAL_FORMS", "3"),
    ("person-INITIAL_FORMS", "0"),
    ("person-MIN_NUM_FORMS", "0"),
    ("person-MAX_NUM_FORMS", "3"),
    ("person-0-name", "Magomed D."),
    ("person-0-age", "27"),
    ("person-0-sex", "m"),
    ("person-0-role", "victim"),
    ("perpetrators", "police"),
    ("perpetrator_details", ""),
    ("held_now", "yes"),
    (
        "account",
        "My brother was taken from our home at night by men in uniform. We asked at the "
        "district police station the next morning; they said they had no record of him.",
    ),
    ("contact", ""),
    ("consent_prosecutor", "on"),
]


@dataclass(frozen=True)
class App:
    name: str
    port: int
    path: str
    receipt: bytes  # a successful post's page contains this


@dataclass
class Result:
    app: str
    clients: int
    posts: int
    ok: int
    failed: int
    seconds: float
    rate: float
    p50_ms: float
    p99_ms: float
    get_rate: float
    client_cpu: float  # cores the load client used while posting
    server_cpu: float  # cores the app's gunicorn processes used while posting


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gunicorn_argv(app: str, port: int, workers: int) -> list[str]:
    """The flags of ``ombuds serve`` (src/ombuds/staff/management/commands/serve.py)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--access-logfile",
        "/dev/null",
        "--error-logfile",
        "-",
        "--log-level",
        "warning",
        "--forwarded-allow-ips",
        "",
        "--limit-request-line",
        "4094",
        "--timeout",
        "60",
    ]


def wait_until_up(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


@contextmanager
def servers(workers: int, data_dir: Path, synchronous: str) -> Iterator[dict[str, tuple[App, int]]]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # the embedded default: SQLite
    env.pop("OMBUDS_SECRET_KEY", None)
    env.update(
        # The load is measured, not refused: the intake budget is raised past it (its count,
        # one upsert per complaint, stays on the path and in the figures).
        OMBUDS_INTAKE_COMPLAINTS_PER_HOUR="1000000000",
        OMBUDS_INTAKE_BYTES_PER_HOUR="1000000000000",
        OMBUDS_DATA_DIR=str(data_dir / "ombuds"),
        BASELINE_DATA_DIR=str(data_dir / "baseline"),
        # Faster demo setup only: staff password hashing is not on the complaint path.
        OMBUDS_PASSWORD_COST="minimum",  # noqa: S106 - a cost profile name
        PYTHONPATH=os.pathsep.join([str(BENCH_DIR), env.get("PYTHONPATH", "")]),
        BENCH_SQLITE_SYNCHRONOUS=synchronous,
    )
    if synchronous != "FULL":  # a what-if: ombuds' settings with another synchronous level
        env["DJANGO_SETTINGS_MODULE"] = "intake_baseline.ombuds_settings"
    (data_dir / "baseline").mkdir(parents=True)
    ombuds_cli = [sys.executable, "-m", "ombuds.cli"]
    subprocess.run([*ombuds_cli, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--run-syncdb", "-v", "0"],
        env=dict(env, DJANGO_SETTINGS_MODULE="intake_baseline.settings"),
        check=True,
    )
    ombuds_port, baseline_port = free_port(), free_port()
    procs = {
        "ombuds": subprocess.Popen(
            [*ombuds_cli, "serve", "--bind", f"127.0.0.1:{ombuds_port}", "--workers", str(workers)],
            env=env,
        ),
        "baseline": subprocess.Popen(
            gunicorn_argv("intake_baseline.wsgi:application", baseline_port, workers),
            env=dict(env, DJANGO_SETTINGS_MODULE="intake_baseline.settings"),
        ),
    }
    try:
        wait_until_up(ombuds_port, procs["ombuds"])
        wait_until_up(baseline_port, procs["baseline"])
        yield {
            "ombuds": (
                App("ombuds", ombuds_port, "/en/complaint/", b'id="codename"'),
                procs["ombuds"].pid,
            ),
            "baseline": (
                App("baseline", baseline_port, "/complaint/", b'id="receipt"'),
                procs["baseline"].pid,
            ),
        }
    finally:
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        return 0.0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --- the load client ------------------------------------------------------------------------

_FORM_TOKEN = re.compile(rb'name="form_token" value="([^"]+)"')
_CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_CSRF_COOKIE = re.compile(rb"(?im)^set-cookie: csrftoken=([^;]+)")


async def http(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        return await reader.read(-1)  # the server closes the connection after one response
    finally:
        writer.close()


async def fetch_form(app: App) -> bytes:
    """GET the form; return a ready POST request carrying its CSRF cookie and tokens."""
    response = await http(
        app.port,
        f"GET {app.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode(),
    )
    cookie, csrf = _CSRF_COOKIE.search(response), _CSRF_TOKEN.search(response)
    if not response.startswith(b"HTTP/1.1 200") or not cookie or not csrf:
        raise RuntimeError(f"{app.name}: bad form page: {response[:300]!r}")
    fields = [*COMPLAINT_FIELDS, ("csrfmiddlewaretoken", csrf.group(1).decode())]
    token = _FORM_TOKEN.search(response)
    if token:
        fields.append(("form_token", token.group(1).decode()))
    body = urllib.parse.urlencode(fields).encode()
    head = (
        f"POST {app.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nCookie: csrftoken={cookie.group(1).decode()}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


async def run_all(jobs: list[object], clients: int, work: object) -> list[object]:
    """Run ``work(job)`` for every job with ``clients`` concurrent workers, keeping order."""
    results: list[object] = [None] * len(jobs)
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        while next_index < len(jobs):
            i = next_index
            next_index += 1
            results[i] = await work(jobs[i])  # type: ignore[operator]

    await asyncio.gather(*(worker() for _ in range(clients)))
    return results


async def post_timed(app: App, request: bytes) -> tuple[bool, float]:
    start = time.perf_counter()
    response = await http(app.port, request)
    elapsed = time.perf_counter() - start
    return response.startswith(b"HTTP/1.1 200") and app.receipt in response, elapsed


async def measure(app: App, server_pid: int, clients: int, posts: int, warmup: int) -> Result:
    t0 = time.perf_counter()
    requests = await run_all([app] * (posts + warmup), 8, fetch_form)  # type: ignore[arg-type]
    get_rate = len(requests) / (time.perf_counter() - t0)
    await run_all(requests[:warmup], clients, lambda r: post_timed(app, r))  # type: ignore[arg-type]
    cpu0, server0 = time.process_time(), process_tree_cpu(server_pid)
    start = time.perf_counter()
    outcomes = await run_all(requests[warmup:], clients, lambda r: post_timed(app, r))  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    client_cpu = (time.process_time() - cpu0) / seconds
    server_cpu = (process_tree_cpu(server_pid) - server0) / seconds
    ok = [lat for good, lat in outcomes if good]  # type: ignore[misc]
    latencies = sorted(lat for _good, lat in outcomes)  # type: ignore[misc]
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return Result(
        app=app.name,
        clients=clients,
        posts=posts,
        ok=len(ok),
        failed=posts - len(ok),
        seconds=seconds,
        rate=len(ok) / seconds,
        p50_ms=q[49] * 1000,
        p99_ms=q[98] * 1000,
        get_rate=get_rate,
        client_cpu=client_cpu,
        server_cpu=server_cpu,
    )


# --- main -----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (3)")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--posts", type=int, default=2000, help="timed posts per app and level")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument(
        "--synchronous",
        default="FULL",
        choices=["FULL", "NORMAL"],
        help="SQLite synchronous level for both apps: FULL as deployed; NORMAL is a what-if",
    )
    parser.add_argument(
        "--cpus", help="pin servers and client to these CPUs, e.g. 0,1 (a bigger machine)"
    )
    parser.add_argument("--data-dir", help="where the temporary databases go (default: TMPDIR)")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args()
    if args.cpus:
        os.sched_setaffinity(0, {int(c) for c in args.cpus.split(",")})  # children inherit it
    try:
        import uvloop  # a leaner client, where installed

        uvloop.install()
        loop = "uvloop"
    except ImportError:
        loop = "asyncio"

    sqlite = subprocess.run(
        [sys.executable, "-c", "from ombuds import settings as s; print(s.SQLITE_VERSION)"],
        env=dict(os.environ, OMBUDS_DATA_DIR=tempfile.gettempdir()),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(
        f"intake benchmark: {args.workers} gunicorn sync workers per app, SQLite {sqlite} (WAL, "
        f"synchronous={args.synchronous}), {len(os.sched_getaffinity(0))} CPUs shared by both "
        f"servers and the {loop} client; {args.posts} timed posts per app and level, GET excluded"
    )
    results: list[Result] = []
    data_dir = Path(tempfile.mkdtemp(prefix="ombuds-bench-intake-", dir=args.data_dir))
    try:
        with servers(args.workers, data_dir, args.synchronous) as apps:
            for clients in args.clients:
                for name in ("baseline", "ombuds"):
                    app, pid = apps[name]
                    r = asyncio.run(measure(app, pid, clients, args.posts, args.warmup))
                    results.append(r)
                    print(
                        f"  {r.app:<8} {r.clients:>3} clients: {r.rate:7.0f} posts/s  "
                        f"p50 {r.p50_ms:6.1f} ms  p99 {r.p99_ms:6.1f} ms  failed {r.failed}  "
                        f"(form GETs {r.get_rate:5.0f}/s; CPU: server {r.server_cpu:.2f}, "
                        f"client {r.client_cpu:.2f} cores)",
                        flush=True,
                    )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    print()
    print(
        "| clients | ombuds complaints/s | baseline posts/s | ratio | ombuds p50 / p99 ms "
        "| baseline p50 / p99 ms |"
    )
    print("|---|---|---|---|---|---|")
    verdicts = []
    for clients in args.clients:
        o = next(r for r in results if r.app == "ombuds" and r.clients == clients)
        b = next(r for r in results if r.app == "baseline" and r.clients == clients)
        ratio = o.rate / b.rate
        print(
            f"| {clients} | {o.rate:.0f} | {b.rate:.0f} | {ratio:.2f} | "
            f"{o.p50_ms:.1f} / {o.p99_ms:.1f} | {b.p50_ms:.1f} / {b.p99_ms:.1f} |"
        )
        verdicts.append(o.rate >= TARGET_RATE and ratio >= TARGET_RATIO and not o.failed)
        if clients == 32:
            verdicts.append(o.p99_ms < TARGET_P99_MS)
    met = all(verdicts) and not any(r.failed for r in results)
    print(
        f"\ntarget (>= {TARGET_RATE:.0f}/s, >= {TARGET_RATIO} of baseline, p99 < "
        f"{TARGET_P99_MS:.0f} ms at 32 clients, no failed post): {'met' if met else 'MISSED'}"
    )
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
