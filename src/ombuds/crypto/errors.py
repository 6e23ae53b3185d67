"""Errors raised by :mod:`ombuds.crypto`."""


class CryptoError(Exception):
    """Base class of every error raised by this package."""


class DecryptionFailed(CryptoError):
    """A ciphertext did not authenticate under the given key (wrong key or altered data)."""


class WrongPassword(CryptoError):
    """The password does not unlock this private key."""


class InvalidCodename(CryptoError):
    """The text cannot be a codename (empty, too long, not words)."""
