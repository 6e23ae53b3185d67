"""``ombuds serve`` writes no client address and no part of a refused request to its log.

gunicorn's own error log once wrote ``Invalid request from ip=127.0.0.1: Request Line is too
large``. The server runs as deployed, on a free port; the client connects from its own
loopback address (127.0.0.3, not the 127.0.0.1 the server listens on and names when it
starts) so any line that names the client can be found.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.serving import wait_until_listening

CLIENT_ADDRESS = "127.0.0.3"
CANARY = "CANARYf00d"

MANY_HEADERS = b"".join(f"X-{CANARY}{i}: y\r\n".encode() for i in range(200))
BAD_REQUESTS = [
    # a request line over gunicorn's 4094-byte limit
    f"GET /{CANARY}{'a' * 6000} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
    f"G{CANARY} / HTTP/1.1\r\nHost: x\r\n\r\n".encode(),  # an invalid method
    f"GET /{CANARY} HTTP/9.{CANARY}\r\nHost: x\r\n\r\n".encode(),  # an invalid version
    f"GET / HTTP/1.1\r\nHost: x\r\nBad{CANARY} Header: y\r\n\r\n".encode(),  # header name
    b"GET / HTTP/1.1\r\nHost: x\r\n" + MANY_HEADERS + b"\r\n",  # over the header count
    f"{CANARY}\x00\x01\x02 nonsense\r\n\r\n".encode(),
    f"GET /{CANARY} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: {CANARY}\r\n\r\n".encode(),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _send(port: int, data: bytes) -> bytes:
    with socket.socket() as s:
        s.bind((CLIENT_ADDRESS, 0))
        s.settimeout(10)
        s.connect(("127.0.0.1", port))
        s.sendall(data)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def test_bad_requests_leave_no_client_address_or_request_text_in_the_server_log(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OMBUDS_SECRET_KEY")}
    env.update(
        OMBUDS_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="ombuds.settings",
        PYTHONUNBUFFERED="1",
    )
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ombuds.cli", "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_listening(proc, port, log_path, 60)
            answers = [_send(port, request) for request in BAD_REQUESTS]
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    statuses = [a[9:12] for a in answers]
    assert all(s in (b"400", b"414", b"431", b"501") for s in statuses), answers
    assert b"414" in statuses, answers
    output = log_path.read_text(errors="replace")
    assert "Invalid request refused: Request Line is too large" in output, output
    assert CLIENT_ADDRESS not in output, output
    assert CANARY not in output, output
