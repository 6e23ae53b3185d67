"""``ombuds init`` on a terminal: the escrow key is shown, the screen cleared, and the key typed
back from paper before the install is created (issue 10, item 3). Runs the console script under
a pseudo-terminal, as an operator would, on its own SQLite database."""

from __future__ import annotations

import os
import pty
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ombuds import crypto

pytestmark = pytest.mark.slow


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        OMBUDS_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="ombuds.settings",
        PYTHONPATH=os.pathsep.join(sys.path),
        TERM="dumb",
    )
    return env


class Terminal:
    """A child process on a pseudo-terminal; ``expect`` reads until a text appears."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal
            os.execve(argv[0], argv, env)  # noqa: S606 (a fixed argv, no shell)
        self.pid, self.fd, self.seen, self.mark = pid, fd, "", 0

    def expect(self, text: str, timeout: float = 60) -> str:
        """Read until ``text`` appears after the previous match; return what came since."""
        deadline = time.monotonic() + timeout
        while text not in self.seen[self.mark :]:
            assert time.monotonic() < deadline, f"waited for {text!r}; got {self.seen[-2000:]!r}"
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            self.seen += chunk.decode(errors="replace")
        at = self.seen.find(text, self.mark)
        assert at >= 0, self.seen[-2000:]
        since, self.mark = self.seen[self.mark : at + len(text)], at + len(text)
        return since

    def send(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())

    def wait(self) -> int:
        try:
            while os.read(self.fd, 4096):
                pass
        except OSError:
            pass
        _pid, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


def test_on_a_terminal_init_has_the_escrow_key_typed_back_and_commands_ask_for_it(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "ombuds.cli", "migrate", "-v", "0"], env=env, check=True)
    term = Terminal([sys.executable, "-m", "ombuds.cli", "init"], env)
    shown = term.expect("Press Enter when it is written down")
    words = " ".join(" ".join(m.split()[1:]) for m in re.findall(r"^\s+\d+-\d+\s+.*$", shown, re.M))
    assert len(words.split()) == 33
    term.send("")
    term.expect("back from paper: ")
    wrong = words.split()
    wrong[4], wrong[5] = wrong[5], wrong[4]
    term.send(" ".join(wrong))
    term.expect("That does not match (the checksum fails")
    assert (
        not sqlite3.connect(tmp_path / "ombuds.sqlite3")
        .execute("SELECT count(*) FROM staff_installation")
        .fetchone()[0]
    ), "nothing is created before the key is confirmed"
    term.send("")
    assert "\033[2J" in term.expect("back from paper: "), "the screen is cleared first"
    term.send(words.upper())  # case does not matter
    term.expect("Confirmed.")
    assert term.wait() == 0, term.seen[-2000:]
    typed_back = term.seen.split("back from paper: ")[-1]
    assert words.split()[10] not in typed_back.lower(), "what is typed is not echoed"
    [(public,)] = sqlite3.connect(tmp_path / "ombuds.sqlite3").execute(
        "SELECT escrow_public_key FROM staff_installation"
    )
    assert crypto.public_key_of(crypto.escrow_key_parse([words])) == bytes(public)

    # Any command that takes the key asks for it on a terminal: a wrong word is refused with
    # its position, and the key typed right is accepted.
    term = Terminal([sys.executable, "-m", "ombuds.cli", "escrow", "check"], env)
    term.expect("escrow key or first share: ")
    typo = words.split()
    typo[2] = "notaword"
    term.send(" ".join(typo))
    assert "word 3 is not in the SLIP-39 word list" in term.expect("escrow key or first share: ")
    term.send(words)
    term.expect("This is the install's escrow key")
    assert term.wait() == 0, term.seen[-2000:]
