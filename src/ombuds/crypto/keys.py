"""The key hierarchy of ombuds (architecture.md, "Keys").

Every function here takes and returns plain bytes or the secret types of :mod:`._secret`;
nothing touches a database or a file. The primitives are libsodium's, through PyNaCl:

* content: XChaCha20-Poly1305 (random 24-byte nonce) with associated data binding the
  ciphertext to its row, so a ciphertext moved to another complaint fails to decrypt;
* key wrapping to a public key: X25519 sealed boxes (anonymous sender);
* codename derivation: keyed BLAKE2b under a per-install key, with distinct personalisation
  for the key seed and the lookup id so one never reveals the other;
* staff private keys at rest: XSalsa20-Poly1305 under an Argon2id key derived from the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import nacl.bindings as sodium
import nacl.exceptions
import nacl.hash
import nacl.pwhash
import nacl.secret
import nacl.utils
from nacl.public import PrivateKey as _NaclPrivateKey
from nacl.public import PublicKey as _NaclPublicKey
from nacl.public import SealedBox

from ._secret import Codename, DataKey, InstallKey, PrivateKey, RotatedPrivateKey, SessionKey
from .errors import DecryptionFailed, WrongPassword

KEY_BYTES: Final = 32
_NONCE_BYTES: Final = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
_CIPHER_VERSION: Final = b"\x01"


# --- symmetric content encryption -------------------------------------------------------


def new_data_key() -> DataKey:
    """A fresh random data key (one per complaint, one per case)."""
    return DataKey(nacl.utils.random(KEY_BYTES))


def new_install_key() -> InstallKey:
    return InstallKey(nacl.utils.random(KEY_BYTES))


def encrypt(key: DataKey, plaintext: bytes, *, aad: bytes) -> bytes:
    """Encrypt ``plaintext``; ``aad`` (e.g. the row's public id) is authenticated, not hidden."""
    nonce = nacl.utils.random(_NONCE_BYTES)
    body = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, aad, nonce, key.reveal())
    return _CIPHER_VERSION + nonce + body


def decrypt(key: DataKey, ciphertext: bytes, *, aad: bytes) -> bytes:
    """Inverse of :func:`encrypt`; raises :class:`DecryptionFailed` on any mismatch."""
    if len(ciphertext) < 1 + _NONCE_BYTES or ciphertext[:1] != _CIPHER_VERSION:
        raise DecryptionFailed("not an ombuds ciphertext")
    nonce, body = ciphertext[1 : 1 + _NONCE_BYTES], ciphertext[1 + _NONCE_BYTES :]
    try:
        return bytes(
            sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(body, aad, nonce, key.reveal())
        )
    except nacl.exceptions.CryptoError as exc:
        raise DecryptionFailed("ciphertext does not authenticate") from exc


# --- public-key wrapping --------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    public_key: bytes
    private_key: PrivateKey

    def __repr__(self) -> str:
        return f"KeyPair(public_key={self.public_key.hex()[:16]}..., private_key=<hidden>)"


def generate_keypair() -> KeyPair:
    sk = _NaclPrivateKey.generate()
    return KeyPair(bytes(sk.public_key), PrivateKey(bytes(sk)))


def public_key_of(private_key: PrivateKey) -> bytes:
    return bytes(_NaclPrivateKey(private_key.reveal()).public_key)


def seal(public_key: bytes, secret: bytes) -> bytes:
    """Wrap ``secret`` so only the holder of ``public_key``'s private half can open it."""
    return bytes(SealedBox(_NaclPublicKey(public_key)).encrypt(secret))


def unseal(private_key: PrivateKey, sealed: bytes) -> bytes:
    """Open a sealed box; raises :class:`DecryptionFailed` if it was not sealed to this key.

    A :class:`RotatedPrivateKey` also opens boxes sealed to the keys it replaced.
    """
    keys = [private_key]
    if isinstance(private_key, RotatedPrivateKey):
        keys.extend(private_key.earlier)
    for key in keys:
        try:
            return bytes(SealedBox(_NaclPrivateKey(key.reveal())).decrypt(sealed))
        except nacl.exceptions.CryptoError:
            continue
    raise DecryptionFailed("sealed box does not open with this key")


def seal_data_key(public_key: bytes, key: DataKey) -> bytes:
    return seal(public_key, key.reveal())


def unseal_data_key(private_key: PrivateKey, sealed: bytes) -> DataKey:
    return DataKey(unseal(private_key, sealed))


def seal_private_key(public_key: bytes, key: PrivateKey) -> bytes:
    return seal(public_key, key.reveal())


def unseal_private_key(private_key: PrivateKey, sealed: bytes) -> PrivateKey:
    return PrivateKey(unseal(private_key, sealed))


# --- complainants ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplainantKeys:
    """What a codename yields: a lookup id to find the complaint and a key pair to read it."""

    lookup_id: bytes
    keypair: KeyPair

    def __repr__(self) -> str:
        return "ComplainantKeys(<hidden>)"


def complainant_keys(codename: Codename, install_key: InstallKey) -> ComplainantKeys:
    """Derive the complainant's lookup id and X25519 key pair from their codename.

    Keyed BLAKE2b with two personalisations: the lookup id (stored) reveals nothing about the
    key seed (never stored), and neither can be computed without the install key. No slow KDF:
    the codename is machine-made with >= 90 bits (see codenames.py).
    """
    material = codename.reveal().encode("utf-8")
    key = install_key.reveal()
    lookup = nacl.hash.blake2b(
        material, digest_size=32, key=key, person=b"ombuds.lookup", encoder=nacl.encoding.RawEncoder
    )
    seed = nacl.hash.blake2b(
        material,
        digest_size=32,
        key=key,
        person=b"ombuds.keyseed",
        encoder=nacl.encoding.RawEncoder,
    )
    sk = _NaclPrivateKey.from_seed(seed)
    return ComplainantKeys(bytes(lookup), KeyPair(bytes(sk.public_key), PrivateKey(bytes(sk))))


# --- staff private keys at rest -------------------------------------------------------------


@dataclass(frozen=True)
class PasswordCost:
    """Argon2id cost; stored beside each wrapped key so costs can rise without re-enrolment."""

    opslimit: int
    memlimit: int


#: libsodium's "moderate" profile: about 0.5 s and 256 MiB; for staff sign-in.
MODERATE: Final = PasswordCost(
    nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE
)
#: libsodium's "interactive" profile: about 0.05 s and 64 MiB.
INTERACTIVE: Final = PasswordCost(
    nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE
)
#: The lowest cost libsodium accepts; only for tests.
MINIMUM: Final = PasswordCost(nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN)


@dataclass(frozen=True)
class ProtectedPrivateKey:
    """A private key as it is stored: under the password, and under the escrow public key."""

    public_key: bytes
    salt: bytes
    cost: PasswordCost
    password_wrapped: bytes
    escrow_wrapped: bytes


def _password_key(password: str, salt: bytes, cost: PasswordCost) -> bytes:
    return bytes(
        nacl.pwhash.argon2id.kdf(
            nacl.secret.SecretBox.KEY_SIZE,
            password.encode("utf-8"),
            salt,
            opslimit=cost.opslimit,
            memlimit=cost.memlimit,
        )
    )


def protect_private_key(
    private_key: PrivateKey, *, password: str, escrow_public_key: bytes, cost: PasswordCost
) -> ProtectedPrivateKey:
    """Wrap a staff private key under the password (Argon2id) and to the escrow key."""
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    box = nacl.secret.SecretBox(_password_key(password, salt, cost))
    return ProtectedPrivateKey(
        public_key=public_key_of(private_key),
        salt=salt,
        cost=cost,
        password_wrapped=bytes(box.encrypt(private_key.reveal())),
        escrow_wrapped=seal_private_key(escrow_public_key, private_key),
    )


def unlock_private_key(protected: ProtectedPrivateKey, password: str) -> PrivateKey:
    """The private key, or :class:`WrongPassword`."""
    box = nacl.secret.SecretBox(_password_key(password, protected.salt, protected.cost))
    try:
        return PrivateKey(bytes(box.decrypt(protected.password_wrapped)))
    except nacl.exceptions.CryptoError as exc:
        raise WrongPassword("password does not unlock this key") from exc


def recover_private_key(
    escrow_private_key: PrivateKey, protected: ProtectedPrivateKey
) -> PrivateKey:
    """Recover a staff key with the offline escrow private key (lost password)."""
    return unseal_private_key(escrow_private_key, protected.escrow_wrapped)


# --- session wrapping -----------------------------------------------------------------------


def session_wrap(secret: bytes) -> tuple[SessionKey, bytes]:
    """Wrap an unlocked key for one session: the key goes to the cookie, the box to the store.

    Neither half alone yields the secret (architecture.md, "Unlocking").
    """
    cookie_key = SessionKey(nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE))
    return cookie_key, bytes(nacl.secret.SecretBox(cookie_key.reveal()).encrypt(secret))


def session_unwrap(cookie_key: SessionKey, wrapped: bytes) -> bytes:
    """Inverse of :func:`session_wrap`; raises :class:`DecryptionFailed` on any mismatch."""
    try:
        return bytes(nacl.secret.SecretBox(cookie_key.reveal()).decrypt(wrapped))
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise DecryptionFailed("session key does not unwrap") from exc
