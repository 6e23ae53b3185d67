"""Secret value types whose ``repr`` and ``str`` never show the value.

A secret that ends up in a log line, a traceback or a debugger print must not leak; these
wrappers make that the default. Get the value out only with :meth:`Secret.reveal`, at the
point where a primitive needs it.
"""

from __future__ import annotations

import hmac
from typing import Generic, TypeVar

T = TypeVar("T", bytes, str)


class Secret(Generic[T]):
    """An opaque holder. Equality is constant-time; hashing is refused."""

    __slots__ = ("_value",)

    _value: T

    def __init__(self, value: T) -> None:
        self._value = value

    def reveal(self) -> T:
        return self._value

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: hidden>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        a, b = self._value, other._value
        a_bytes = a.encode() if isinstance(a, str) else a
        b_bytes = b.encode() if isinstance(b, str) else b
        return hmac.compare_digest(a_bytes, b_bytes)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> str | tuple[object, ...]:
        # Pickling a secret would write it somewhere (a cache, a task queue): refuse.
        raise TypeError(f"{type(self).__name__} cannot be pickled")


class Codename(Secret[str]):
    """A complainant's codename: normalised words separated by single spaces."""


class DataKey(Secret[bytes]):
    """A 32-byte symmetric key for XChaCha20-Poly1305."""


class PrivateKey(Secret[bytes]):
    """A 32-byte X25519 private key."""


class RotatedPrivateKey(PrivateKey):
    """A private key with the keys it replaced (an agency key after rotations).

    ``reveal`` gives the current key; :func:`ombuds.crypto.unseal` tries it first, then each
    earlier key, newest first, so material sealed before a rotation stays readable while
    nothing new is ever sealed to an earlier key.
    """

    __slots__ = ("_earlier",)

    def __init__(self, value: bytes, earlier: tuple[PrivateKey, ...]) -> None:
        super().__init__(value)
        self._earlier = earlier

    @property
    def earlier(self) -> tuple[PrivateKey, ...]:
        return self._earlier


class InstallKey(Secret[bytes]):
    """The per-install 32-byte key under which codenames are derived."""


class SessionKey(Secret[bytes]):
    """The random key kept in a staff member's cookie that unwraps their session's keys."""
