"""Checking the audit log: the chain, the chain head and the signed checkpoints.

:func:`audit_verify` reads the whole log in ``seq`` order and recomputes every hash. It
writes nothing, so it can run against a replica or a restored backup.

What each kind of tampering looks like to it:

* an entry **edited** in place: its contents no longer match its ``entry_hash``;
* an entry edited *and* re-hashed: the next entry's ``prev_hash`` no longer matches;
* an entry **deleted**: a gap in ``seq`` (and a ``prev_hash`` mismatch after it);
* an entry **inserted** or two **reordered**: ``seq`` and ``prev_hash`` no longer line up, and
  the hashes cover ``seq``, so renumbering does not help;
* the whole history **rewritten** consistently from some point: the signed checkpoints after
  that point no longer match the entries they signed;
* entries **cut from the end**: the chain head or a checkpoint names an entry that is gone
  (cutting the end *and* the head and checkpoints is caught only by a checkpoint kept
  outside the server: ``--expect`` or ``--against``, docs/audit.md);
* entries **not anchored**: an entry more than a day old lies past the last signed
  checkpoint (the scheduler signs one at least twice a day, and the flush one for what it
  chains): whoever can write the database could have rewritten and re-hashed it, and no
  signature would show it. This fails too ("not anchored"), since no check can vouch for it;
* the **signing key history** altered: each ``audit_signing_key_rotated`` entry must be signed
  by the outgoing and the incoming key over its own place in the chain and continue from the
  key then valid; each checkpoint must be signed by the key valid at its entry (the key
  before a rotation up to and including the rotation's entry, the new one after it); and at
  least one key of that history must be trusted (pinned).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from django.db import connections, router
from nacl.exceptions import BadSignatureError
from nacl.exceptions import ValueError as NaclValueError
from nacl.signing import VerifyKey

from ombuds.audit import guards
from ombuds.audit.chain import (
    GENESIS_HASH,
    EntryFields,
    checkpoint_message,
    key_rotation_message,
    timestamp_text,
)
from ombuds.audit.digest import CheckpointDigest
from ombuds.audit.models import AuditAction, AuditChainHead, AuditCheckpoint, AuditEntry

#: In the order of EntryFields, then the stored hash.
ENTRY_COLUMNS = (
    "seq",
    "created_at",
    "action",
    "actor_id",
    "actor_username",
    "agency_id",
    "subject",
    "details",
    "prev_hash",
    "entry_hash",
)


#: An entry older than this past the last signed checkpoint fails verification.
UNANCHORED_LIMIT = timedelta(days=1)
#: ``Problem.kind`` of entries nobody can vouch for (not anchored), not shown to be altered.
UNANCHORED = "unanchored"


@dataclass(frozen=True, slots=True)
class Problem:
    seq: int  # the first entry that is bad, or where the damage starts
    message: str
    kind: str = "tampered"  # or UNANCHORED

    def __str__(self) -> str:
        return f"entry #{self.seq}: {self.message}"


@dataclass
class VerificationReport:
    entries: int = 0
    last_seq: int = 0
    head_hash: str = GENESIS_HASH
    checkpoints: int = 0
    last_checkpoint_seq: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: The signing key history found in the log (valid rotations only), oldest first.
    rotations: list[KeyRotation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def tampered(self) -> bool:
        """Some problem shows an alteration (not only entries left unanchored)."""
        return any(p.kind != UNANCHORED for p in self.problems)

    @property
    def first_problem(self) -> Problem | None:
        return min(self.problems, key=lambda p: p.seq) if self.problems else None

    def summary(self) -> str:
        rotated = ", ".join(f"#{r.seq}" for r in self.rotations)
        return (
            f"{self.entries} entries (#1..#{self.last_seq}), head {self.head_hash[:16]}..., "
            f"{self.checkpoints} signed checkpoints (last at #{self.last_checkpoint_seq})"
            + (f", signing key replaced at {rotated}" if rotated else "")
        )

    @property
    def current_signing_key(self) -> str | None:
        """The key the history hands over to last (``None`` if it was never replaced)."""
        return self.rotations[-1].new_public_key if self.rotations else None


@dataclass(frozen=True, slots=True)
class KeyRotation:
    """One hand-over of the checkpoint signing key, at entry ``seq``."""

    seq: int
    old_public_key: str  # hex; valid up to and including ``seq``
    new_public_key: str  # hex; valid after ``seq``


def _rotation_in(fields: EntryFields) -> tuple[KeyRotation | None, str]:
    """The rotation an entry records if both keys signed it, else (None, what is wrong)."""
    details = fields.details
    try:
        old, new = str(details["old_public_key"]), str(details["new_public_key"])
        message = key_rotation_message(
            seq=fields.seq, prev_hash=fields.prev_hash, old_public_key=old, new_public_key=new
        )
        for key, signature in ((old, "old_signature"), (new, "new_signature")):
            VerifyKey(bytes.fromhex(key)).verify(message, bytes.fromhex(str(details[signature])))
    except (KeyError, BadSignatureError, NaclValueError, ValueError, TypeError):
        return None, (
            "its signing key rotation is not signed by both keys for this place in the log: "
            "the key history was altered"
        )
    return KeyRotation(fields.seq, old, new), ""


def key_valid_at(rotations: list[KeyRotation], seq: int) -> str | None:
    """The signing key the history says was valid at entry ``seq`` (None: no history)."""
    for rotation in rotations:
        if seq <= rotation.seq:
            return rotation.old_public_key
    return rotations[-1].new_public_key if rotations else None


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    seq: int
    head_hash: str
    created_at: datetime
    signature: str  # hex
    public_key: str  # hex

    def to_json(self) -> dict[str, object]:
        return {
            "type": "checkpoint",
            "seq": self.seq,
            "head_hash": self.head_hash,
            "created_at": timestamp_text(self.created_at),
            "signature": self.signature,
            "public_key": self.public_key,
        }


#: One stored entry: the fields its hash covers, and the hash stored beside them.
EntryRecord = tuple[EntryFields, str]


def _checkpoint_problems(
    checkpoint: CheckpointRecord,
    trusted_keys: Collection[str] | None,
    rotations: list[KeyRotation],
) -> list[Problem]:
    problems = []
    try:
        VerifyKey(bytes.fromhex(checkpoint.public_key)).verify(
            checkpoint_message(
                seq=checkpoint.seq,
                head_hash=checkpoint.head_hash,
                created_at=checkpoint.created_at,
            ),
            bytes.fromhex(checkpoint.signature),
        )
    except (BadSignatureError, NaclValueError, ValueError, TypeError):
        problems.append(Problem(checkpoint.seq, "its checkpoint signature is invalid"))
    valid = key_valid_at(rotations, checkpoint.seq)
    if valid is not None:
        # With a key history, the history decides which key signs where; whether the
        # history itself is trusted is checked once (verify_records).
        if checkpoint.public_key != valid:
            problems.append(
                Problem(
                    checkpoint.seq,
                    f"its checkpoint is signed by {checkpoint.public_key[:16]}..., but the "
                    f"key history says {valid[:16]}... signed then",
                )
            )
    elif trusted_keys is not None and checkpoint.public_key not in trusted_keys:
        problems.append(
            Problem(
                checkpoint.seq,
                f"its checkpoint is signed by an untrusted key {checkpoint.public_key[:16]}...",
            )
        )
    return problems


def _kept_digest_problems(
    kept: Mapping[int, CheckpointDigest],
    checkpoints: Mapping[int, CheckpointRecord],
    last_seq: int,
) -> list[Problem]:
    """What the log lacks of the checkpoints whose digests were kept off the server."""
    problems = []
    for seq, digest in sorted(kept.items()):
        if seq > last_seq:
            problems.append(
                Problem(
                    last_seq + 1,
                    f"it is missing, but a checkpoint digest kept off the server covers the log "
                    f"up to #{seq}: entries were cut from the end",
                )
            )
            continue
        checkpoint = checkpoints.get(seq)
        if checkpoint is None:
            problems.append(
                Problem(seq, "the checkpoint of the digest kept off the server is gone: deleted")
            )
        elif not digest.matches(
            public_key=checkpoint.public_key,
            signature=checkpoint.signature,
            created_at=checkpoint.created_at,
        ):
            problems.append(
                Problem(
                    seq,
                    "its checkpoint is not the one whose digest was kept off the server "
                    "(another key, signature or time): it was replaced",
                )
            )
    return problems


def _broken_link(seq: int) -> Problem:
    return Problem(
        seq,
        "its prev_hash does not match the entry before it: it was inserted, moved or rewritten",
    )


def audit_verify(
    *,
    trusted_keys: Collection[str] | None = None,
    expected: Mapping[int, str] | None = None,
    kept: Iterable[CheckpointDigest] = (),
    using: str | None = None,
    max_problems: int = 100,
    as_of: datetime | None = None,
) -> VerificationReport:
    """Verify the whole log in the database; return a report (``.ok``, ``.first_problem``).

    ``trusted_keys`` (hex Ed25519 public keys): checkpoints signed by any other key are
    problems; ``None`` accepts any key whose signature is valid (with a warning).
    ``expected`` maps ``seq`` to an ``entry_hash`` known from outside (a published
    checkpoint); a missing or different entry there is a problem. ``kept``: checkpoint
    digests kept off the server (``ombuds audit checkpoint --export``), checked likewise.
    ``as_of`` (default: now): entries more than :data:`UNANCHORED_LIMIT` older than this
    past the last signed checkpoint are a problem (not anchored).
    """
    from django.utils import timezone

    using = using or router.db_for_read(AuditEntry)
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    report = verify_records(
        entries=stored_entries(using),
        checkpoints=stored_checkpoints(using),
        head=(head.seq, head.head_hash) if head is not None else None,
        trusted_keys=trusted_keys,
        expected=expected,
        kept=kept,
        max_problems=max_problems,
        as_of=as_of or timezone.now(),
    )
    lost = guards.missing(connections[using])
    if lost:
        report.warnings.append(
            "append-only triggers missing (dropped?): " + ", ".join(sorted(lost))
        )
    return report


def stored_entries(using: str | None = None, upto: int | None = None) -> Iterator[EntryRecord]:
    """Every entry (up to ``upto``) in ``seq`` order, streamed."""
    entries = AuditEntry.objects.using(using).order_by("seq")
    if upto is not None:
        entries = entries.filter(seq__lte=upto)
    rows = entries.values_list(*ENTRY_COLUMNS)
    for row in rows.iterator(chunk_size=2000):
        yield EntryFields(*row[:9]), row[9]


def signing_key_history(using: str | None = None) -> list[KeyRotation]:
    """The signing key rotations the log records, in order, as stored (not verified)."""
    rotations = []
    entries = AuditEntry.objects.using(using).filter(action=AuditAction.AUDIT_SIGNING_KEY_ROTATED)
    for seq, details in entries.order_by("seq").values_list("seq", "details"):
        rotations.append(
            KeyRotation(seq, str(details.get("old_public_key")), str(details.get("new_public_key")))
        )
    return rotations


def stored_checkpoints(using: str | None = None, upto: int | None = None) -> list[CheckpointRecord]:
    checkpoints = AuditCheckpoint.objects.using(using).order_by("seq")
    if upto is not None:
        checkpoints = checkpoints.filter(seq__lte=upto)
    return [
        CheckpointRecord(*row)
        for row in checkpoints.values_list(
            "seq", "head_hash", "created_at", "signature", "public_key"
        )
    ]


def verify_records(
    *,
    entries: Iterable[EntryRecord],
    checkpoints: Iterable[CheckpointRecord],
    head: tuple[int, str] | None = None,
    trusted_keys: Collection[str] | None = None,
    expected: Mapping[int, str] | None = None,
    kept: Iterable[CheckpointDigest] = (),
    max_problems: int = 100,
    as_of: datetime | Literal["last entry"] | None = None,
) -> VerificationReport:
    """Verify entries given in ``seq`` order (from the database or an export file).

    ``head`` is the chain head's (seq, hash) if known. See :func:`audit_verify`. ``as_of``:
    the time the anchoring is judged at; ``"last entry"`` for an export (the time of its
    newest entry, the export's own record); ``None`` skips that check.
    """
    report = VerificationReport()
    problems = report.problems
    by_seq = {c.seq: c for c in checkpoints}
    expected = dict(expected or {})
    kept_by_seq = {d.seq: d for d in kept}
    last_good_checkpoint, problems_then = 0, 0
    pending_link: int | None = None
    # Entries past the last checkpoint: nothing signed vouches for them yet.
    anchor = max(by_seq, default=0)
    oldest_unanchored: datetime | None = None
    newest: datetime | None = None

    expected_seq, prev2_hash, prev_hash = 1, GENESIS_HASH, GENESIS_HASH
    for fields, stored_hash in entries:
        if len(problems) >= max_problems:
            report.warnings.append(f"stopped after {max_problems} problems")
            break
        seq, stored_prev = fields.seq, fields.prev_hash
        report.entries += 1
        intact = fields.digest() == stored_hash
        gap = seq != expected_seq
        if seq > expected_seq:
            problems.append(
                Problem(expected_seq, f"entries #{expected_seq}..#{seq - 1} are missing")
            )
        elif seq < expected_seq:
            problems.append(Problem(seq, "an entry out of sequence was inserted"))
        if not intact:
            problems.append(Problem(seq, "its contents do not match its hash: it was edited"))
        if pending_link is not None:
            # The entry at pending_link is self-consistent but does not link to the one
            # before it. If this entry accepts it as its predecessor, the one before was
            # rewritten and re-hashed; if not, the entry at pending_link was slipped in.
            if intact and not gap and stored_prev == prev_hash and pending_link > 1:
                problems.append(
                    Problem(
                        pending_link - 1,
                        f"it no longer matches the prev_hash of #{pending_link}: it was "
                        "rewritten and re-hashed",
                    )
                )
            else:
                problems.append(_broken_link(pending_link))
            pending_link = None
        if stored_prev != prev_hash and not gap:
            if stored_prev == prev2_hash and seq > 1:
                # The link skips one entry: that entry was slipped in.
                problems.append(Problem(seq - 1, "it was inserted: the next entry skips it"))
            elif intact:
                pending_link = seq  # decided by the next entry
            else:
                problems.append(_broken_link(seq))
        if fields.action == AuditAction.AUDIT_SIGNING_KEY_ROTATED:
            rotation, wrong = _rotation_in(fields)
            if rotation is None:
                problems.append(Problem(seq, wrong))
            elif report.rotations and report.rotations[-1].new_public_key != (
                rotation.old_public_key
            ):
                problems.append(
                    Problem(
                        seq,
                        "its signing key rotation starts from a key that was not the one then "
                        "valid: the key history was altered",
                    )
                )
            else:
                report.rotations.append(rotation)
        if seq in expected and expected.pop(seq) != stored_hash:
            problems.append(Problem(seq, "its hash differs from the one published outside"))
        digest = kept_by_seq.get(seq)
        if digest is not None and not digest.covers_hash(stored_hash):
            problems.append(
                Problem(
                    seq,
                    "its hash differs from the checkpoint digest kept off the server: the log "
                    "up to here was rewritten",
                )
            )
        if newest is None or fields.created_at > newest:
            newest = fields.created_at
        if seq > anchor and (oldest_unanchored is None or fields.created_at < oldest_unanchored):
            oldest_unanchored = fields.created_at
        checkpoint = by_seq.get(seq)
        if checkpoint is not None:
            if checkpoint.head_hash == stored_hash:
                last_good_checkpoint, problems_then = seq, len(problems)
            elif len(problems) == problems_then:
                # Every link since the last good checkpoint holds, yet this one does not
                # match: the history was rewritten and re-chained somewhere in between.
                problems.append(
                    Problem(
                        last_good_checkpoint + 1,
                        f"the signed checkpoint at #{seq} no longer matches: an entry from "
                        f"#{last_good_checkpoint + 1} to #{seq} was rewritten",
                    )
                )
            else:
                problems.append(Problem(seq, "the signed checkpoint here no longer matches"))
        expected_seq, prev2_hash, prev_hash = seq + 1, prev_hash, stored_hash
        report.last_seq, report.head_hash = seq, stored_hash

    if pending_link is not None:
        problems.append(_broken_link(pending_link))
    last_seq = report.last_seq
    for seq in sorted(expected):
        problems.append(Problem(seq, "it is missing, but a hash was published for it"))
    problems.extend(_kept_digest_problems(kept_by_seq, by_seq, last_seq))
    moment = newest if isinstance(as_of, str) else as_of
    if (
        moment is not None
        and oldest_unanchored is not None
        and moment - oldest_unanchored > UNANCHORED_LIMIT
    ):
        problems.append(
            Problem(
                anchor + 1,
                f"entries #{anchor + 1}..#{last_seq} lie past the last signed checkpoint "
                + (f"(#{anchor}) " if anchor else "(there is none) ")
                + f"and the oldest of them, of {oldest_unanchored:%Y-%m-%d %H:%M} UTC, is "
                "over a day old: nothing signed vouches for them, and whoever can write the "
                "database could have rewritten them. The scheduler's checkpoint did not run "
                "(is `ombuds scheduler` running, with the signing key?), or checkpoints were "
                "deleted. Compare them with a copy kept elsewhere before you sign them with "
                "`ombuds audit checkpoint`",
                kind=UNANCHORED,
            )
        )
    for checkpoint in by_seq.values():
        report.checkpoints += 1
        report.last_checkpoint_seq = max(report.last_checkpoint_seq, checkpoint.seq)
        problems.extend(_checkpoint_problems(checkpoint, trusted_keys, report.rotations))
        if checkpoint.seq > last_seq:
            problems.append(
                Problem(
                    last_seq + 1,
                    f"it is missing, but checkpoint #{checkpoint.seq} signed the log up to "
                    "there: entries were cut from the end",
                )
            )
    if head is not None and head != (last_seq, report.head_hash):
        head_seq, head_hash = head
        if head_seq > last_seq:
            problems.append(
                Problem(last_seq + 1, f"the chain head says #{head_seq}: entries were cut")
            )
        else:
            problems.append(
                Problem(
                    head_seq + 1 if head_seq < last_seq else last_seq,
                    f"the chain head says #{head_seq} {head_hash[:16]}..., which does not "
                    "match the log: entries were added or changed behind its back",
                )
            )
    elif head is None and last_seq:
        report.warnings.append("the chain head row is missing")

    history = {r.old_public_key for r in report.rotations} | {
        r.new_public_key for r in report.rotations
    }
    if trusted_keys is not None and history and not history & set(trusted_keys):
        problems.append(
            Problem(
                report.rotations[0].seq,
                "no key of the signing key history is trusted: it may have been swapped "
                "(pin a published key with --public-key)",
            )
        )
    if trusted_keys is None and by_seq:
        report.warnings.append("checkpoint signer not pinned: pass --public-key")
    if not by_seq and last_seq:
        report.warnings.append("no signed checkpoints yet: run `ombuds audit checkpoint`")
    elif last_seq > report.last_checkpoint_seq:
        report.warnings.append(
            f"entries #{report.last_checkpoint_seq + 1}..#{last_seq} are not yet covered by a "
            "signed checkpoint"
        )
    return report
