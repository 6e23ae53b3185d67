"""The key hierarchy: round trips, bindings, and what must fail."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ombuds import crypto


@given(st.binary(max_size=4096), st.binary(max_size=64))
def test_content_round_trips_under_its_data_key(plaintext: bytes, aad: bytes) -> None:
    key = crypto.new_data_key()
    assert crypto.decrypt(key, crypto.encrypt(key, plaintext, aad=aad), aad=aad) == plaintext


def test_ciphertext_moved_to_another_row_does_not_decrypt() -> None:
    key = crypto.new_data_key()
    box = crypto.encrypt(key, b"account", aad=b"complaint:1")
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(key, box, aad=b"complaint:2")


@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=255))
@settings(max_examples=50)
def test_any_altered_byte_is_detected(position: int, delta: int) -> None:
    key = crypto.new_data_key()
    box = bytearray(crypto.encrypt(key, b"x" * 40, aad=b"a"))
    box[position % len(box)] ^= delta or 1
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(key, bytes(box), aad=b"a")


def test_sealed_data_key_opens_only_with_its_private_key() -> None:
    alice, mallory = crypto.generate_keypair(), crypto.generate_keypair()
    key = crypto.new_data_key()
    sealed = crypto.seal_data_key(alice.public_key, key)
    assert crypto.unseal_data_key(alice.private_key, sealed) == key
    with pytest.raises(crypto.DecryptionFailed):
        crypto.unseal_data_key(mallory.private_key, sealed)


def test_codename_derives_the_same_keys_every_time_and_different_per_install() -> None:
    codename = crypto.generate_codename("ru")
    install = crypto.new_install_key()
    a = crypto.complainant_keys(codename, install)
    b = crypto.complainant_keys(crypto.parse_codename(codename.reveal().upper()), install)
    assert a.lookup_id == b.lookup_id and a.keypair.public_key == b.keypair.public_key
    other = crypto.complainant_keys(codename, crypto.new_install_key())
    assert other.lookup_id != a.lookup_id
    assert a.lookup_id != a.keypair.private_key.reveal()


@pytest.mark.parametrize("language", crypto.LANGUAGES)
def test_codenames_have_seven_words_and_at_least_ninety_bits(language: str) -> None:
    codename = crypto.generate_codename(language)
    words = codename.reveal().split()
    assert len(words) == 7
    assert all(w in crypto.wordlist(language) for w in words)
    assert crypto.codename_bits(language) >= 90


def test_codename_parsing_forgives_case_spacing_and_yo() -> None:
    assert crypto.parse_codename("  Ёлка   ДОМ\tкот ").reveal() == "елка дом кот"
    with pytest.raises(crypto.InvalidCodename):
        crypto.parse_codename("<script>")
    with pytest.raises(crypto.InvalidCodename):
        crypto.parse_codename("")


def test_secrets_hide_their_value_in_repr_str_and_refuse_pickling() -> None:
    codename = crypto.generate_codename("en")
    for text in (
        repr(codename),
        str(codename),
        repr(crypto.new_data_key()),
        repr(crypto.generate_keypair()),
    ):
        assert "hidden" in text
    assert codename.reveal().split()[0] not in repr(codename)
    with pytest.raises(TypeError):
        pickle.dumps(codename)


def test_staff_key_unlocks_with_password_and_escrow_only() -> None:
    escrow = crypto.generate_keypair()
    staff = crypto.generate_keypair()
    protected = crypto.protect_private_key(
        staff.private_key,
        password="long enough pass",
        escrow_public_key=escrow.public_key,
        cost=crypto.MINIMUM,
    )
    assert crypto.unlock_private_key(protected, "long enough pass") == staff.private_key
    with pytest.raises(crypto.WrongPassword):
        crypto.unlock_private_key(protected, "wrong password!!")
    assert crypto.recover_private_key(escrow.private_key, protected) == staff.private_key
    assert staff.private_key.reveal() not in protected.password_wrapped


def test_session_wrap_needs_both_halves() -> None:
    secret = crypto.generate_keypair().private_key
    cookie_key, wrapped = crypto.session_wrap(secret.reveal())
    assert crypto.session_unwrap(cookie_key, wrapped) == secret.reveal()
    with pytest.raises(crypto.DecryptionFailed):
        crypto.session_unwrap(crypto.SessionKey(bytes(32)), wrapped)


@pytest.mark.parametrize(
    ("language", "stems"),
    [
        ("ru", ("полиц", "пытк", "тюрь", "гей", "убий", "жалоб", "панихид", "мвд", "пидор")),
        ("en", ("police", "tortur", "prison", "gay", "kill", "complain", "funeral")),
    ],
)
def test_codename_words_would_not_look_like_evidence_on_a_seized_phone(
    language: str, stems: tuple[str, ...]
) -> None:
    words = crypto.wordlist(language)
    assert len(words) == 8192
    assert not [w for w in words if any(stem in w for stem in stems)]


def test_a_rotated_key_opens_what_was_sealed_to_it_and_to_the_keys_it_replaced_only() -> None:
    oldest, old, current, stranger = (crypto.generate_keypair() for _ in range(4))
    ring = crypto.RotatedPrivateKey(
        current.private_key.reveal(), (old.private_key, oldest.private_key)
    )
    for pair in (current, old, oldest):
        assert crypto.unseal(ring, crypto.seal(pair.public_key, b"sealed")) == b"sealed"
    with pytest.raises(crypto.DecryptionFailed):
        crypto.unseal(ring, crypto.seal(stranger.public_key, b"sealed"))
    assert crypto.public_key_of(ring) == current.public_key
    assert "hidden" in repr(ring)
    with pytest.raises(TypeError):
        pickle.dumps(ring)
