"""The escrow private key as trustees hold it: words with a checksum, or k-of-n shares.

The escrow key is a 32-byte X25519 private key that never stays on the server (decision 0001).
People copy it onto paper and type it back, so its written form must catch a mistyped word
and may be split so that no single trustee holds it:

* **words**: a SLIP-39 mnemonic of 33 words from a 1024-word list (Trezor's reference
  implementation, ``shamir-mnemonic``), as one share of a 1-of-1 split. Its RS1024 checksum
  catches any mistyped or swapped words up to three, and most others;
* **shares**: the same scheme, ``threshold`` of ``shares`` (2 <= threshold <= shares <= 16),
  Shamir's secret sharing over GF(256). Fewer than ``threshold`` shares reveal nothing about
  the key; each share carries its own checksum, and the combined secret a digest, so a share
  of another split or a corrupted one is refused rather than giving a wrong key;
* **hex**: 64 hexadecimal digits, the form ``ombuds init`` printed before; still accepted.

The SLIP-39 passphrase is empty: the words alone are the key, as the hex was. No Django here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import nacl.encoding
import nacl.hash
from shamir_mnemonic import MnemonicError, Share, generate_mnemonics
from shamir_mnemonic.shamir import EncryptedMasterSecret, RawShare, _recover_secret
from shamir_mnemonic.wordlist import WORD_INDEX_MAP

from ._secret import PrivateKey
from .errors import CryptoError
from .keys import KEY_BYTES, public_key_of

#: Words in one SLIP-39 mnemonic (a whole key or one share) of a 256-bit secret.
WORDS_PER_SHARE: Final = 33
#: SLIP-39 allows at most 16 shares in a group.
MAX_SHARES: Final = 16
#: Words per printed line: three lines per share.
_WORDS_PER_LINE: Final = 11
#: A line number or range a trustee may have copied with the words ("1-11", "12.", "23:").
_NUMBERING = re.compile(r"^\d+(?:-\d+)?[.:)]?$")
_HEX_SEPARATORS = re.compile(r"[\s:-]+")


class EscrowKeyError(CryptoError):
    """The text is not a usable escrow key; the message says why, for the operator."""


class EscrowKeyIncomplete(EscrowKeyError):
    """Valid shares, but fewer than the threshold: ``have`` of ``need``."""

    def __init__(self, have: int, need: int) -> None:
        super().__init__(
            f"{have} share{'s' if have != 1 else ''} of the escrow key given, {need} needed"
        )
        self.have = have
        self.need = need


@dataclass(frozen=True)
class EscrowShare:
    """One printed share: its number (1-based), the split's size, and its words."""

    number: int
    threshold: int
    shares: int
    words: str

    def __repr__(self) -> str:
        return f"EscrowShare({self.number} of {self.shares}, threshold {self.threshold}, <hidden>)"


def escrow_words(key: PrivateKey) -> str:
    """The key as 33 SLIP-39 words with a checksum (a 1-of-1 split), space separated."""
    [[mnemonic]] = generate_mnemonics(1, [(1, 1)], key.reveal(), extendable=False)
    return str(mnemonic)


def escrow_shares(key: PrivateKey, *, shares: int, threshold: int) -> list[EscrowShare]:
    """Split the key into ``shares`` SLIP-39 shares, any ``threshold`` of which recover it.

    Raises :class:`ValueError` unless 2 <= threshold <= shares <= 16.
    """
    if not 2 <= threshold <= shares <= MAX_SHARES:
        raise ValueError(
            f"need 2 <= threshold <= shares <= {MAX_SHARES}; got {threshold} of {shares}"
        )
    [group] = generate_mnemonics(1, [(threshold, shares)], key.reveal(), extendable=False)
    return [
        EscrowShare(number=i + 1, threshold=threshold, shares=shares, words=str(words))
        for i, words in enumerate(group)
    ]


def escrow_words_lines(words: str) -> list[str]:
    """Words laid out to copy by hand: numbered lines of eleven ("  1-11  word word ...")."""
    items = words.split()
    lines = []
    for start in range(0, len(items), _WORDS_PER_LINE):
        chunk = items[start : start + _WORDS_PER_LINE]
        numbers = f"{start + 1}-{start + len(chunk)}"
        lines.append(f"{numbers:>6}  {' '.join(chunk)}")
    return lines


def escrow_fingerprint(public_key: bytes) -> str:
    """A short label of the escrow *public* key, to tell installs' and old keys apart."""
    digest = nacl.hash.blake2b(
        public_key, digest_size=8, person=b"ombuds.escrowfp", encoder=nacl.encoding.HexEncoder
    ).decode()
    return "-".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def escrow_words_normalise(text: str) -> str:
    """Words as typed or copied (comments, line numbers, case, line breaks) in one form."""
    return " ".join(w.lower() for w in _strip_comments([text]).split() if not _NUMBERING.match(w))


def _strip_comments(texts: Iterable[str]) -> str:
    return "\n".join(
        line
        for text in texts
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )


def escrow_key_parse(texts: Sequence[str]) -> PrivateKey:
    """The escrow private key from what trustees hold, given as one or more texts.

    Each text is the content of a file or what was typed: 64 hex digits, the 33 words, or
    one or more shares of 33 words each (lines starting with ``#`` and line numbers such as
    ``1-11`` are ignored; case and line breaks do not matter). Shares may come from several
    texts (one file per trustee); more than the threshold are fine.

    Raises :class:`EscrowKeyIncomplete` for too few shares and :class:`EscrowKeyError` with
    an operator-readable reason for anything else. Messages name positions, never words.
    """
    text = _strip_comments(texts)
    compact = _HEX_SEPARATORS.sub("", text)
    if compact and all(c in "0123456789abcdefABCDEF" for c in compact):
        if len(compact) != 2 * KEY_BYTES:
            raise EscrowKeyError(
                f"an escrow key in hex has {2 * KEY_BYTES} digits; this has {len(compact)}"
            )
        return PrivateKey(bytes.fromhex(compact))
    words = escrow_words_normalise(text).split()
    if not words:
        raise EscrowKeyError("no escrow key given")
    if len(words) % WORDS_PER_SHARE:
        raise EscrowKeyError(
            f"an escrow key, or each share of it, has {WORDS_PER_SHARE} words; "
            f"{len(words)} words were given"
        )
    for position, word in enumerate(words, start=1):
        if word not in WORD_INDEX_MAP:
            share, at = divmod(position - 1, WORDS_PER_SHARE)
            raise EscrowKeyError(
                f"word {at + 1}{_of_share(share, len(words))} is not in the SLIP-39 word list: "
                "check its spelling"
            )
    parsed = []
    for index in range(len(words) // WORDS_PER_SHARE):
        mnemonic = " ".join(words[index * WORDS_PER_SHARE : (index + 1) * WORDS_PER_SHARE])
        try:
            parsed.append(Share.from_mnemonic(mnemonic))
        except MnemonicError:
            raise EscrowKeyError(
                f"the checksum{_of_share(index, len(words))} fails: a word is mistyped, "
                "missing or out of order"
            ) from None
    return PrivateKey(_combine(parsed))


def _of_share(index: int, word_count: int) -> str:
    return f" of share {index + 1}" if word_count > WORDS_PER_SHARE else ""


def _combine(parsed: list[Share]) -> bytes:
    first = parsed[0]
    if any(s.common_parameters() != first.common_parameters() for s in parsed):
        raise EscrowKeyError(
            "the shares come from different splits: another install's key, or an older one"
        )
    if first.group_count != 1 or first.group_threshold != 1:
        raise EscrowKeyError("shares split into several groups are not an ombuds escrow key")
    by_number: dict[int, Share] = {}
    for share in parsed:
        if share.member_threshold != first.member_threshold:
            raise EscrowKeyError("the shares come from different splits")
        seen = by_number.setdefault(share.index, share)
        if seen.value != share.value:
            raise EscrowKeyError(f"two different shares both say they are share {share.index + 1}")
    need = first.member_threshold
    if len(by_number) < need:
        raise EscrowKeyIncomplete(len(by_number), need)
    chosen = [RawShare(s.index, s.value) for s in list(by_number.values())[:need]]
    try:
        ciphertext = bytes(_recover_secret(need, chosen))
    except MnemonicError:
        # The digest over the shared secret does not match: a share is not of this split.
        raise EscrowKeyError(
            "the shares do not combine: one belongs to another split or is damaged"
        ) from None
    secret = bytes(
        EncryptedMasterSecret(
            first.identifier, first.extendable, first.iteration_exponent, ciphertext
        ).decrypt(b"")
    )
    if len(secret) != KEY_BYTES:
        raise EscrowKeyError(f"these words hold {len(secret)} bytes, not an escrow key")
    return secret


def escrow_key_check(key: PrivateKey, public_key: bytes) -> None:
    """Raise :class:`EscrowKeyError` unless ``key`` is the private half of ``public_key``."""
    if public_key_of(key) != public_key:
        raise EscrowKeyError(
            "this is not this install's escrow key (its public half differs): a key of "
            f"another install or one replaced by `ombuds escrow rotate`; this install's is "
            f"{escrow_fingerprint(public_key)}"
        )
