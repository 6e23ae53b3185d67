"""For tests that start a real ``ombuds serve``: wait until it listens, or fail with its log."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path


def wait_until_listening(
    server: subprocess.Popen[bytes], port: int, log_path: Path, seconds: float
) -> None:
    """Return once 127.0.0.1:``port`` accepts a connection; fail with the server's log if it
    exits first, or if it is not listening within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        assert server.poll() is None, log_path.read_text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
