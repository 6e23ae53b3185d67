"""A checkpoint's digest: a short text to keep off the server (no Django).

Someone who seizes the whole server holds the signing key and can rewrite and re-sign the
log; only what already left the server then shows what the log said. The digest is short
enough to print, write down or mail, and ``ombuds audit verify --against DIGEST`` checks it:

    ombuds-audit-1 #2501 2025-03-01T12:00Z head 1f0c-9a2e-77b1-04d3-e8c5-6a90-3b2f-d417-8c6e-05a1
    key 5e0a-93c1-2b7d-f468 sig 0c4e-8a17-d2b3-9f60

* ``#2501``: the checkpoint's entry, which is also how many entries the log then had;
* the time it was signed (UTC, to the minute);
* ``head``: the first 160 bits of that entry's hash (hex, in groups of four): a forger would
  need a second preimage of a 160-bit prefix of SHA-256 to rewrite the log behind it;
* ``key`` and ``sig``: the first 64 bits of the signer's public key and of the signature
  (hex), which tie the digest to one signed checkpoint by one published key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from ombuds.audit.chain import CHAIN_VERSION

HEAD_DIGITS = 40  # 160 bits of the entry's SHA-256
KEY_DIGITS = 16
SIGNATURE_DIGITS = 16
TAG = f"ombuds-audit-{CHAIN_VERSION}"

_GROUPS = r"[0-9a-f]{4}(?:-[0-9a-f]{4})*"
_FORMAT = re.compile(
    rf"{re.escape(TAG)}\s+#(?P<seq>[1-9][0-9]{{0,17}})\s+"
    r"(?P<when>\d{4}-\d\d-\d\dt\d\d:\d\dz)\s+"
    rf"head\s+(?P<head>{_GROUPS})\s+key\s+(?P<key>{_GROUPS})\s+sig\s+(?P<sig>{_GROUPS})"
)


class DigestFormatError(ValueError):
    """The text is not a checkpoint digest."""


def _grouped(digits: str) -> str:
    return "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def _minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class CheckpointDigest:
    seq: int
    signed_at: datetime  # UTC, to the minute
    head: str  # the first HEAD_DIGITS hex digits of the entry's hash
    key: str  # the first KEY_DIGITS hex digits of the signer's public key
    signature: str  # the first SIGNATURE_DIGITS hex digits of the signature

    @classmethod
    def of(
        cls, *, seq: int, head_hash: str, created_at: datetime, public_key: str, signature: str
    ) -> CheckpointDigest:
        return cls(
            seq=seq,
            signed_at=_minute(created_at),
            head=head_hash[:HEAD_DIGITS].lower(),
            key=public_key[:KEY_DIGITS].lower(),
            signature=signature[:SIGNATURE_DIGITS].lower(),
        )

    @classmethod
    def parse(cls, text: str) -> CheckpointDigest:
        """Read a digest as printed (spaces and line breaks may vary; case does not matter)."""
        match = _FORMAT.fullmatch(" ".join(text.lower().split()))
        if match is None:
            raise DigestFormatError(
                f"not a checkpoint digest: expected '{TAG} #SEQ YYYY-MM-DDTHH:MMZ head "
                "xxxx-... key xxxx-... sig xxxx-...'"
            )
        parts = {name: match[name].replace("-", "") for name in ("head", "key", "sig")}
        lengths = {"head": HEAD_DIGITS, "key": KEY_DIGITS, "sig": SIGNATURE_DIGITS}
        for name, length in lengths.items():
            if len(parts[name]) != length:
                raise DigestFormatError(
                    f"the digest's {name} has {len(parts[name])} digits, "
                    f"not {length}: was it copied whole?"
                )
        try:
            signed_at = datetime.strptime(match["when"].upper(), "%Y-%m-%dT%H:%MZ")
        except ValueError as exc:
            raise DigestFormatError("the digest's time is not a date and time") from exc
        return cls(
            seq=int(match["seq"]),
            signed_at=signed_at.replace(tzinfo=UTC),
            head=parts["head"],
            key=parts["key"],
            signature=parts["sig"],
        )

    def text(self) -> str:
        """One line (about 150 characters)."""
        return (
            f"{TAG} #{self.seq} {self.signed_at:%Y-%m-%dT%H:%MZ} head {_grouped(self.head)} "
            f"key {_grouped(self.key)} sig {_grouped(self.signature)}"
        )

    def report(self, public_key: str) -> str:
        """What ``ombuds audit checkpoint --export`` prints (and ``ombuds init``)."""
        return (
            "Audit log checkpoint: keep this off the server (print it, mail it to the "
            "auditors).\n"
            f"Entries: {self.seq} (#1..#{self.seq}), signed {self.signed_at:%Y-%m-%d %H:%M} UTC\n"
            f"Head: {_grouped(self.head)} (the start of the hash of #{self.seq})\n"
            f"Signer: {public_key}\n"
            "Digest; check it later with `ombuds audit verify --against '<digest>'`:\n"
            f"{self.text()}"
        )

    def covers_hash(self, entry_hash: str) -> bool:
        """Whether an entry's hash (hex) is the one this digest names."""
        return entry_hash.lower().startswith(self.head)

    def matches(self, *, public_key: str, signature: str, created_at: datetime) -> bool:
        """Whether a stored checkpoint is the one this digest names."""
        return (
            public_key.lower().startswith(self.key)
            and signature.lower().startswith(self.signature)
            and _minute(created_at) == self.signed_at
        )
