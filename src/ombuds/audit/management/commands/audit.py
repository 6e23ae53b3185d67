"""``ombuds audit``: verify the log, sign a checkpoint, show the public key.

* ``ombuds audit verify [--public-key HEX ...] [--expect SEQ:HASH ...]`` - chain the
  public-side entries of earlier days (as ``flush``), then exit 0 with a summary when the log
  is intact; otherwise exit 1 naming the first bad entry.
* ``ombuds audit verify --against DIGEST`` - also check a checkpoint digest kept off the
  server (``checkpoint --export``); repeatable.
* ``ombuds audit verify --file FILE`` - the same checks on an export file.
* ``ombuds audit flush`` - chain the public-side entries of earlier days, shuffled within
  each day (run daily from cron, beside ``ombuds retention``); prints how many.
* ``ombuds audit export [-o FILE]`` - the whole log as JSON lines (the export is logged).
* ``ombuds audit checkpoint`` - sign the current head now; prints the checkpoint as one JSON
  line, fit to publish outside the server. ``--export``: print its short digest instead, to
  print or mail to the auditors (``--existing``: the newest checkpoint's, signing nothing).
* ``ombuds audit public-key`` - print the checkpoint signer's public key (hex), to publish.
* ``ombuds audit init-key`` - create the signing key if missing (``ombuds init`` does this).
* ``ombuds audit rotate-signing-key`` - replace the signing key; the hand-over is an entry
  signed by both keys and checkpointed by the old one; prints the new public key to publish.
* ``ombuds audit signing-keys`` - the key history the log holds: which key signed which
  entries (``verify`` checks it).
"""

from __future__ import annotations

import json
import os
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ombuds.audit import signing
from ombuds.audit.chain import timestamp_text
from ombuds.audit.digest import CheckpointDigest, DigestFormatError
from ombuds.audit.export import ExportFormatError, audit_export, read_checkpoints, read_entries
from ombuds.audit.models import AuditCheckpoint, PendingAuditEntry
from ombuds.audit.selectors import audit_checkpoint_digest, audit_last_checkpoint
from ombuds.audit.services import (
    audit_checkpoint_create,
    audit_pending_flush,
    audit_signing_key_rotate,
)
from ombuds.audit.verification import (
    UNANCHORED,
    VerificationReport,
    audit_verify,
    signing_key_history,
    verify_records,
)


def _hex_key(value: str) -> str:
    value = value.strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise ArgumentTypeError("a public key is 64 hex digits")
    return value


def _expectation(value: str) -> tuple[int, str]:
    seq, _, digest = value.partition(":")
    try:
        return int(seq), _hex_key(digest)
    except ValueError as exc:
        raise ArgumentTypeError("expected SEQ:HASH, e.g. 1000:9f86d0...") from exc


def _digest(value: str) -> CheckpointDigest:
    try:
        return CheckpointDigest.parse(value)
    except DigestFormatError as exc:
        raise ArgumentTypeError(str(exc)) from exc


class Command(BaseCommand):
    help = "Verify the audit log, sign checkpoints, show the checkpoint public key."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="check every hash, link and checkpoint")
        verify.add_argument(
            "--public-key",
            action="append",
            type=_hex_key,
            dest="public_keys",
            help="trusted checkpoint signer (hex); repeatable. Default: this install's key",
        )
        verify.add_argument(
            "--any-signer",
            action="store_true",
            help="accept checkpoints from any key whose signature is valid",
        )
        verify.add_argument(
            "--expect",
            action="append",
            type=_expectation,
            default=[],
            help="SEQ:HASH from a published checkpoint; repeatable",
        )
        verify.add_argument(
            "--against",
            action="append",
            type=_digest,
            default=[],
            metavar="DIGEST",
            help="a checkpoint digest kept off the server (`ombuds audit checkpoint --export`); "
            "repeatable",
        )
        verify.add_argument(
            "--file",
            help="verify an export file (from `ombuds audit export`) instead of the database",
        )
        sub.add_parser(
            "flush", help="chain the public-side entries of earlier days (run daily from cron)"
        )
        export = sub.add_parser("export", help="write the log as JSON lines")
        export.add_argument("--output", "-o", help="file to write (default: standard output)")
        checkpoint = sub.add_parser("checkpoint", help="sign the current chain head now")
        checkpoint.add_argument(
            "--export",
            action="store_true",
            help="print the checkpoint's short digest, to keep off the server",
        )
        checkpoint.add_argument(
            "--existing",
            action="store_true",
            help="with --export: the newest checkpoint's digest; sign nothing",
        )
        sub.add_parser("public-key", help="print the checkpoint signer's public key")
        sub.add_parser("init-key", help="create the checkpoint signing key if missing")
        sub.add_parser(
            "rotate-signing-key",
            help="replace the checkpoint signing key, recording the hand-over in the log",
        )
        sub.add_parser("signing-keys", help="list the signing key history held in the log")

    def handle(self, *args: Any, **options: Any) -> None:
        match options["subcommand"]:
            case "verify":
                self._verify(options)
            case "checkpoint":
                self._checkpoint(export=options["export"], existing=options["existing"])
            case "flush":
                chained = audit_pending_flush()
                self.stdout.write(f"{chained} public-side entries of earlier days chained")
            case "export":
                self._export(options["output"])
            case "public-key":
                self.stdout.write(signing.public_key_hex(self._load_key().verify_key))
            case "init-key":
                key = signing.ensure_signing_key()
                self.stdout.write(signing.public_key_hex(key))
            case "rotate-signing-key":
                self._rotate()
            case "signing-keys":
                self._signing_keys()

    def _load_key(self) -> signing.SigningKey:
        try:
            return signing.load_signing_key()
        except signing.SigningKeyError as exc:
            raise CommandError(str(exc)) from exc

    def _verify(self, options: dict[str, Any]) -> None:
        trusted: set[str] | None
        if options["any_signer"]:
            trusted = None
        elif options["public_keys"]:
            trusted = set(options["public_keys"])
        else:
            try:
                trusted = {signing.public_key_hex(signing.load_signing_key().verify_key)}
            except signing.SigningKeyError as exc:
                self.stderr.write(
                    f"warning: {exc}. Any valid signature is accepted, so the checkpoints "
                    "prove nothing here: if this database was restored, restore the data "
                    "folder's key from the same backup (`ombuds restore` does both), or pin "
                    "the published key with --public-key"
                )
                trusted = None
        expected = dict(options["expect"])
        kept = options["against"]
        foreign_key = None
        if trusted is not None and not options["public_keys"] and not options["file"]:
            foreign_key = self._key_unknown_to_log(next(iter(trusted)))
            if foreign_key is not None:
                # Checked with any signer first: real damage is still named as such.
                trusted = None
        if options["file"]:
            report = self._verify_file(options["file"], trusted, expected, kept)
        else:
            # Entries of earlier days belong in the chain by now; today's wait (and are not
            # yet covered by it: docs/audit.md, "Public-side entries").
            audit_pending_flush()
            report = audit_verify(trusted_keys=trusted, expected=expected, kept=kept)
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        self._warn_if_key_file_is_not_the_last(report)
        first = report.first_problem
        if first is not None:
            for problem in sorted(report.problems, key=lambda p: p.seq):
                self.stderr.write(str(problem))
            if not report.tampered:
                unanchored = next(p for p in report.problems if p.kind == UNANCHORED)
                raise CommandError(f"audit log NOT ANCHORED: {unanchored.message}", returncode=1)
            raise CommandError(
                f"audit log TAMPERED: first bad entry #{first.seq}: {first.message}",
                returncode=1,
            )
        if foreign_key is not None:
            raise CommandError(foreign_key, returncode=2)
        self.stdout.write(f"audit log intact: {report.summary()}")
        for digest in kept:
            self.stdout.write(f"matches the kept checkpoint digest of #{digest.seq}")
        if not options["file"]:
            waiting = PendingAuditEntry.objects.count()
            if waiting:
                self.stdout.write(
                    f"{waiting} public-side entries of today wait to be chained after the day "
                    "(not yet tamper-evident)"
                )

    def _key_unknown_to_log(self, here: str) -> str | None:
        """Why this install's key cannot vouch for the log, if it signed none of it.

        A database restored without its data folder, then given a new key (`init-key`),
        would otherwise read as forged from the first checkpoint on.
        """
        signers = set(AuditCheckpoint.objects.values_list("public_key", flat=True).distinct())
        for rotation in signing_key_history():
            signers |= {rotation.old_public_key, rotation.new_public_key}
        if not signers or here in signers:
            return None
        theirs = ", ".join(f"{key[:16]}..." for key in sorted(signers))
        return (
            f"audit signing key MISMATCH: the log's checkpoints are signed by {theirs}, and "
            f"this install's key file ({signing.signing_key_path()}) holds {here[:16]}..., "
            "which signed none of them. The chain itself is intact. Either the database was "
            "restored without the data folder's key (restore audit-signing.key from the same "
            "backup: `ombuds restore` restores both), or the checkpoints were re-signed by "
            "someone else: check against the key you published, `ombuds audit verify "
            "--public-key HEX`"
        )

    def _warn_if_key_file_is_not_the_last(self, report: VerificationReport) -> None:
        last = report.current_signing_key
        try:
            here = signing.public_key_hex(signing.load_signing_key().verify_key)
        except signing.SigningKeyError:
            return
        if last is not None and here != last:
            self.stderr.write(
                f"warning: this install's signing key {here[:16]}... is not the last key of the "
                f"log's key history ({last[:16]}...): the key file was replaced without "
                "`ombuds audit rotate-signing-key`, and its checkpoints will not verify"
            )

    def _rotate(self) -> None:
        try:
            entry = audit_signing_key_rotate()
        except signing.SigningKeyError as exc:
            raise CommandError(str(exc)) from exc
        new = str(entry.details["new_public_key"])
        self.stdout.write(
            f"audit signing key replaced at entry #{entry.seq} (signed by both keys; "
            f"checkpointed by the old one). New public key (publish it): {new}"
        )

    def _signing_keys(self) -> None:
        rotations = signing_key_history()
        if not rotations:
            try:
                key = signing.public_key_hex(signing.load_signing_key().verify_key)
            except signing.SigningKeyError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"#1..      {key}  (never replaced)")
            return
        start = 1
        for rotation in rotations:
            span = f"#{start}..#{rotation.seq}"
            self.stdout.write(f"{span:<16}{rotation.old_public_key}")
            start = rotation.seq + 1
        self.stdout.write(f"{f'#{start}..':<16}{rotations[-1].new_public_key}  (current)")
        self.stdout.write("`ombuds audit verify` checks the signatures of this history.")

    def _verify_file(
        self,
        path: str,
        trusted: set[str] | None,
        expected: dict[int, str],
        kept: list[CheckpointDigest],
    ) -> VerificationReport:
        try:
            with open(path, encoding="utf-8") as handle:
                checkpoints = read_checkpoints(handle)
            with open(path, encoding="utf-8") as handle:
                return verify_records(
                    entries=read_entries(handle),
                    checkpoints=checkpoints,
                    trusted_keys=trusted,
                    expected=expected,
                    kept=kept,
                    # Judged at the export's own record, its newest entry: an export from
                    # last year is as anchored as the log was when it was written.
                    as_of="last entry",
                )
        except (OSError, ExportFormatError) as exc:
            raise CommandError(f"cannot read {path}: {exc}", returncode=2) from exc

    def _export(self, output: str | None) -> None:
        lines = audit_export()
        if output is None:
            for line in lines:
                self.stdout.write(line, ending="")
        else:
            # Created private: the log names staff and the records they touched.
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.writelines(lines)

    def _checkpoint(self, *, export: bool, existing: bool) -> None:
        if existing:
            if not export:
                raise CommandError("--existing goes with --export")
            last = audit_last_checkpoint()
            if last is None:
                raise CommandError("no signed checkpoint yet: run `ombuds audit checkpoint`")
            checkpoint = last
        else:
            try:
                checkpoint = audit_checkpoint_create()
            except signing.SigningKeyError as exc:
                raise CommandError(str(exc)) from exc
        if export:
            self._print_digest(checkpoint)
            return
        self.stdout.write(
            json.dumps(
                {
                    "seq": checkpoint.seq,
                    "head_hash": checkpoint.head_hash,
                    "created_at": timestamp_text(checkpoint.created_at),
                    "signature": checkpoint.signature,
                    "public_key": checkpoint.public_key,
                },
                sort_keys=True,
            )
        )

    def _print_digest(self, checkpoint: AuditCheckpoint) -> None:
        self.stdout.write(audit_checkpoint_digest(checkpoint).report(checkpoint.public_key))
