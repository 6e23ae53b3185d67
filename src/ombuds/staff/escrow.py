"""The escrow key on the command line: taking it from trustees, and handing a new one over.

Every command that takes the escrow key (``createstaff``, ``staff add``, ``evidence verify``,
``escrow rotate``, ``escrow check``) declares it with :func:`add_escrow_key_argument` and reads
it with :func:`escrow_key_read`, so each accepts the same forms: 64 hex digits, the 33 words,
or shares (one ``--escrow-key-file`` per trustee, or several shares in one file, or typed at
the terminal one after another). A wrong key is a :class:`CommandError` saying why, never a
traceback. Commands that make a new escrow key (``init``, ``escrow rotate``) hand it over
with :func:`escrow_key_hand_over`. The formats are in :mod:`ombuds.crypto.escrow`.
"""

from __future__ import annotations

import getpass
import os
import sys
from argparse import ArgumentParser
from collections.abc import Sequence
from typing import TextIO

from django.core.management.base import CommandError, OutputWrapper

from ombuds import crypto

from .models import Installation

#: Attempts at typing a key or share before a command gives up.
MAX_ATTEMPTS = 5
#: ANSI: clear the screen and the scrollback, cursor home. Run before the key is typed back,
#: so that it is typed from the paper copy, which is what the confirmation checks.
_CLEAR = "\033[H\033[2J\033[3J"


def add_escrow_key_argument(parser: ArgumentParser, *, help_suffix: str = "") -> None:
    parser.add_argument(
        "--escrow-key-file",
        action="append",
        default=[],
        metavar="FILE",
        help="file holding the escrow key (64 hex digits or the 33 words) or shares of it; "
        "repeat for one file per trustee. On a terminal without it, the key is asked for"
        + help_suffix,
    )


def add_escrow_split_arguments(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--escrow-key-out",
        metavar="FILE",
        help="write the new escrow key to FILE (mode 0600, must not exist) instead of the "
        "terminal, for scripted installs; move it offline",
    )
    parser.add_argument(
        "--escrow-shares",
        type=int,
        metavar="N",
        help=f"split the escrow key into N shares for N trustees (2..{crypto.escrow.MAX_SHARES})",
    )
    parser.add_argument(
        "--escrow-threshold",
        type=int,
        metavar="K",
        help="how many of the shares recover the key (2..N); with --escrow-shares",
    )


def escrow_split(options: dict[str, object]) -> tuple[int, int] | None:
    """(shares, threshold) from the options, or ``None`` for a whole key; checked."""
    shares, threshold = options.get("escrow_shares"), options.get("escrow_threshold")
    if shares is None and threshold is None:
        return None
    if not isinstance(shares, int) or not isinstance(threshold, int):
        raise CommandError("give --escrow-shares N and --escrow-threshold K together")
    if not 2 <= threshold <= shares <= crypto.escrow.MAX_SHARES:
        raise CommandError(
            f"need 2 <= K <= N <= {crypto.escrow.MAX_SHARES}: --escrow-shares {shares} "
            f"--escrow-threshold {threshold}"
        )
    return shares, threshold


def escrow_key_out_check(path: str | None) -> None:
    """Refuse before any key is made if ``--escrow-key-out`` cannot be written."""
    if path is None:
        return
    if os.path.exists(path):
        raise CommandError(f"{path} exists: the escrow key is never written over a file")
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise CommandError(f"cannot write {path}: no such folder")


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def escrow_key_read(
    *,
    files: Sequence[str],
    stdout: OutputWrapper,
    stdin: TextIO | None = None,
    expected_public_key: bytes | None = None,
) -> crypto.PrivateKey:
    """The escrow private key, from ``files`` or, on a terminal, typed by the trustees.

    Checked against this install's escrow public key (or ``expected_public_key``). Raises
    :class:`CommandError` with the reason for a file that cannot be read, a wrong or mistyped
    key, too few shares, or no key at all when standard input is not a terminal.
    """
    stdin = stdin or sys.stdin
    public_key = (
        expected_public_key
        if expected_public_key is not None
        else bytes(Installation.current().escrow_public_key)
    )
    if files:
        texts = []
        for path in files:
            try:
                with open(path, encoding="utf-8") as handle:
                    texts.append(handle.read())
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"cannot read the escrow key from {path}: {exc}") from exc
        try:
            key = crypto.escrow_key_parse(texts)
            crypto.escrow_key_check(key, public_key)
        except crypto.EscrowKeyIncomplete as exc:
            raise CommandError(
                f"{exc}: give one --escrow-key-file per trustee, or put the shares in one file"
            ) from exc
        except crypto.EscrowKeyError as exc:
            raise CommandError(f"wrong escrow key: {exc}") from exc
        return key
    if not _is_terminal(stdin):
        raise CommandError("the escrow key is needed: give --escrow-key-file FILE")
    return _escrow_key_typed(public_key, stdout)


def _escrow_key_typed(public_key: bytes, stdout: OutputWrapper) -> crypto.PrivateKey:
    stdout.write(
        "Type the escrow key: its 33 words (or 64 hex digits) on one line, or, if it is split,"
        " one share after another. Nothing is shown as you type."
    )
    texts: list[str] = []
    for _attempt in range(MAX_ATTEMPTS):
        label = f"share {len(texts) + 1}" if texts else "escrow key or first share"
        entry = getpass.getpass(f"{label}: ")
        if not entry.strip():
            break
        try:
            key = crypto.escrow_key_parse([*texts, entry])
            crypto.escrow_key_check(key, public_key)
            return key
        except crypto.EscrowKeyIncomplete as exc:
            texts.append(entry)
            stdout.write(f"{exc}: next share, please")
        except crypto.EscrowKeyError as exc:
            stdout.write(f"not accepted: {exc}")
    raise CommandError("no usable escrow key was typed")


def _pieces(key: crypto.PrivateKey, split: tuple[int, int] | None) -> list[tuple[str, str]]:
    """(title, words) for each piece a trustee must keep."""
    if split is None:
        return [("ESCROW KEY (33 words)", crypto.escrow_words(key))]
    shares, threshold = split
    return [
        (
            f"ESCROW KEY SHARE {s.number} of {s.shares} (any {s.threshold} recover the key)",
            s.words,
        )
        for s in crypto.escrow_shares(key, shares=shares, threshold=threshold)
    ]


def escrow_key_hand_over(
    key: crypto.PrivateKey,
    *,
    split: tuple[int, int] | None,
    out: str | None,
    stdout: OutputWrapper,
    stdin: TextIO | None = None,
) -> None:
    """Give a new escrow key to its keepers: to ``out``, or shown and typed back, or printed.

    * ``out``: written to that file (mode 0600, created, never over an existing file) with
      comments saying what it is; nothing about it on the terminal.
    * On a terminal: each piece (the key, or each share) is shown, the screen is cleared once
      the keeper says it is written down, and the keeper types it back from the paper; a
      mismatch shows it again. Raises :class:`CommandError` after :data:`MAX_ATTEMPTS`.
    * Otherwise (a script without ``out``): printed once, as ``ombuds init`` always did.
    """
    stdin = stdin or sys.stdin
    pieces = _pieces(key, split)
    fingerprint = crypto.escrow_fingerprint(crypto.public_key_of(key))
    if out is not None:
        _write_out(out, pieces, fingerprint)
        stdout.write(
            f"Escrow key ({fingerprint}) written to {out} (mode 0600). Copy it offline "
            "(paper, or one share to each trustee) and delete it from this server."
        )
        return
    interactive = _is_terminal(stdin) and stdout.isatty()
    for title, words in pieces:
        _show(stdout, title, words, fingerprint)
        if interactive:
            _confirm(stdout, title, words, fingerprint)
    stdout.write(
        "Only the public half of the escrow key is kept on this server. With the key, a lost "
        "staff key or an agency's key can be recovered; keep it offline."
    )


def _show(stdout: OutputWrapper, title: str, words: str, fingerprint: str) -> None:
    stdout.write(f"{title}, escrow key {fingerprint}; write it down and keep it offline:")
    for line in crypto.escrow_words_lines(words):
        stdout.write(f"  {line}")


def _confirm(stdout: OutputWrapper, title: str, words: str, fingerprint: str) -> None:
    for _attempt in range(MAX_ATTEMPTS):
        input("Press Enter when it is written down (the screen is then cleared). ")
        stdout.write(_CLEAR, ending="")
        typed = getpass.getpass(f"Type the {title.split(' (')[0].lower()} back from paper: ")
        if crypto.escrow_words_normalise(typed) == words:
            stdout.write("Confirmed.")
            return
        try:
            crypto.escrow_key_parse([typed])
            reason = "these are other words"
        except crypto.EscrowKeyIncomplete:
            reason = "that is another share"
        except crypto.EscrowKeyError as exc:
            reason = str(exc)
        stdout.write(f"That does not match ({reason}). Here it is again:")
        _show(stdout, title, words, fingerprint)
    raise CommandError("the escrow key was not confirmed; nothing was changed")


def _write_out(path: str, pieces: list[tuple[str, str]], fingerprint: str) -> None:
    lines = [
        "# ombuds escrow private key. Keep it offline; anyone holding it (or enough shares)",
        "# can recover every staff and agency key of the install.",
        f"# Fingerprint of its public half: {fingerprint}",
    ]
    for title, words in pieces:
        lines += ["#", f"# {title}", *crypto.escrow_words_lines(words)]
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise CommandError(f"cannot write the escrow key to {path}: {exc}") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
