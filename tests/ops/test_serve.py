"""``ombuds serve`` as deployed (issue 12: "three 500s left the server log empty, not even a
start-up line"): it logs a start-up line, every unhandled error with its traceback and nothing
the client sent, and answers ``/healthz`` on loopback with ``OMBUDS_HTTPS=1``.

The server runs the example environment of deploy/ombuds.env.example (on SQLite in a fresh
data folder) with one extra view that fails (tests/ops/serve_settings.py).
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
from pathlib import Path

import ombuds
from tests.deploy.test_check_deploy import ROOT, example_environment
from tests.serving import wait_until_listening

CANARY = "CANARY-9b2e77"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(
    port: int, method: str, path: str, body: str = "", proxied: bool = False
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"User-Agent": f"agent-{CANARY}", "Host": f"127.0.0.1:{port}"}
    if proxied:  # as nginx passes a request on (deploy/nginx/ombuds.conf)
        headers["X-Forwarded-Proto"] = "https"
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def test_serve_logs_its_start_errors_with_tracebacks_and_answers_healthz(tmp_path: Path) -> None:
    env = example_environment(tmp_path / "data")
    env["OMBUDS_ALLOWED_HOSTS"] = f"127.0.0.1:{(port := _free_port())},127.0.0.1"
    env.update(DJANGO_SETTINGS_MODULE="tests.ops.serve_settings", PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "ombuds.cli"]
    migrated = subprocess.run(
        [*command, "migrate", "-v", "0"], env=env, cwd=ROOT, capture_output=True, timeout=300
    )
    assert migrated.returncode == 0, migrated.stderr
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*command, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_listening(server, port, log_path, 90)
            health = _request(port, "GET", "/healthz")
            errors = [
                _request(
                    port, "POST", f"/failing/x-{CANARY}/?q={CANARY}", f"account={CANARY}", True
                )
                for _ in range(3)
            ]
            page = _request(port, "GET", "/ru/")
        finally:
            server.terminate()
            server.wait(timeout=60)
    output = log_path.read_text(errors="replace")

    # /healthz over plain HTTP on loopback, with OMBUDS_HTTPS=1: the JSON, no redirect.
    status, body = health
    assert status == 503, body  # no worker runs here
    assert json.loads(body)["database"] == "ok"
    assert page[0] == 301, "other pages still go to HTTPS"

    assert f"ombuds {ombuds.__version__} starting: gunicorn on 127.0.0.1:" in output, output
    assert "sqlite database; health at /healthz" in output
    assert [e[0] for e in errors] == [500, 500, 500]
    assert output.count("Unhandled exception in failing (status 500)") == 3, output
    assert output.count("Traceback (most recent call last):") >= 3
    assert "in failing_view" in output and "builtins.ValueError" in output
    assert CANARY not in output, output
    assert "127.0.0.1:" + str(port) not in output.replace(f"gunicorn on 127.0.0.1:{port}", "")
