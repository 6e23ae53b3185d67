"""The escrow key as trustees hold it: words, hex, k-of-n shares, and every way to get it wrong."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ombuds import crypto


@pytest.fixture(scope="module")
def key() -> crypto.PrivateKey:
    return crypto.generate_keypair().private_key


def test_the_words_are_33_and_give_the_key_back(key: crypto.PrivateKey) -> None:
    words = crypto.escrow_words(key)
    assert len(words.split()) == 33
    assert crypto.escrow_key_parse([words]) == key


def test_the_key_is_read_back_as_printed_with_line_numbers_comments_and_capitals(
    key: crypto.PrivateKey,
) -> None:
    printed = "\n".join(
        ["# ombuds escrow key", *crypto.escrow_words_lines(crypto.escrow_words(key))]
    )
    assert printed.splitlines()[1].lstrip().startswith("1-11 ")
    assert crypto.escrow_key_parse([printed.upper().replace("# OMBUDS", "# ombuds")]) == key


def test_the_hex_form_of_older_installs_is_still_accepted(key: crypto.PrivateKey) -> None:
    text = key.reveal().hex()
    assert crypto.escrow_key_parse([text + "\n"]) == key
    grouped = " ".join(text[i : i + 8] for i in range(0, 64, 8))
    assert crypto.escrow_key_parse([grouped]) == key


@given(position=st.integers(min_value=0, max_value=32), shift=st.integers(1, 1023))
@settings(max_examples=60, deadline=None)
def test_any_one_mistyped_word_is_caught_by_the_checksum(position: int, shift: int) -> None:
    from shamir_mnemonic.wordlist import WORD_INDEX_MAP, WORDLIST

    words = crypto.escrow_words(crypto.generate_keypair().private_key).split()
    words[position] = WORDLIST[(WORD_INDEX_MAP[words[position]] + shift) % 1024]
    with pytest.raises(crypto.EscrowKeyError, match="checksum"):
        crypto.escrow_key_parse([" ".join(words)])


def test_a_word_not_in_the_list_is_named_by_position_not_by_itself(
    key: crypto.PrivateKey,
) -> None:
    words = crypto.escrow_words(key).split()
    words[6] = "zzzzqq"
    with pytest.raises(crypto.EscrowKeyError) as caught:
        crypto.escrow_key_parse([" ".join(words)])
    assert "word 7 is not in the SLIP-39 word list" in str(caught.value)
    assert "zzzzqq" not in str(caught.value)


def test_a_missing_word_or_a_short_hex_key_says_so(key: crypto.PrivateKey) -> None:
    with pytest.raises(crypto.EscrowKeyError, match="33 words; 32 words were given"):
        crypto.escrow_key_parse([" ".join(crypto.escrow_words(key).split()[:-1])])
    with pytest.raises(crypto.EscrowKeyError, match="64 digits; this has 62"):
        crypto.escrow_key_parse([key.reveal().hex()[:-2]])
    with pytest.raises(crypto.EscrowKeyError, match="no escrow key given"):
        crypto.escrow_key_parse(["# only a comment\n"])


def test_any_threshold_of_the_shares_recovers_the_key(key: crypto.PrivateKey) -> None:
    shares = crypto.escrow_shares(key, shares=5, threshold=3)
    assert [s.number for s in shares] == [1, 2, 3, 4, 5]
    assert all(len(s.words.split()) == 33 for s in shares)
    for chosen in itertools.combinations(shares, 3):
        assert crypto.escrow_key_parse([s.words for s in chosen]) == key
    # More than enough is fine too, and so is one text holding several shares.
    assert crypto.escrow_key_parse(["\n".join(s.words for s in shares)]) == key


def test_shares_below_the_threshold_are_refused(key: crypto.PrivateKey) -> None:
    shares = crypto.escrow_shares(key, shares=5, threshold=3)
    with pytest.raises(crypto.EscrowKeyIncomplete) as caught:
        crypto.escrow_key_parse([shares[0].words, shares[3].words])
    assert (caught.value.have, caught.value.need) == (2, 3)
    assert "2 shares of the escrow key given, 3 needed" in str(caught.value)
    # The same share twice counts once.
    with pytest.raises(crypto.EscrowKeyIncomplete):
        crypto.escrow_key_parse([shares[0].words, shares[0].words, shares[1].words])


def test_shares_of_two_splits_do_not_combine(key: crypto.PrivateKey) -> None:
    first = crypto.escrow_shares(key, shares=3, threshold=2)
    second = crypto.escrow_shares(key, shares=3, threshold=2)
    with pytest.raises(crypto.EscrowKeyError, match="different splits"):
        crypto.escrow_key_parse([first[0].words, second[1].words])


def test_a_damaged_share_is_named(key: crypto.PrivateKey) -> None:
    shares = crypto.escrow_shares(key, shares=3, threshold=2)
    words = shares[1].words.split()
    words[20], words[21] = words[21], words[20]
    with pytest.raises(crypto.EscrowKeyError, match="checksum of share 2 fails"):
        crypto.escrow_key_parse([shares[0].words + "\n" + " ".join(words)])


def test_impossible_splits_are_refused(key: crypto.PrivateKey) -> None:
    for shares, threshold in ((3, 1), (2, 3), (17, 2)):
        with pytest.raises(ValueError):
            crypto.escrow_shares(key, shares=shares, threshold=threshold)


def test_another_key_is_refused_naming_the_expected_fingerprint(key: crypto.PrivateKey) -> None:
    public = crypto.public_key_of(key)
    crypto.escrow_key_check(key, public)
    other = crypto.generate_keypair().private_key
    with pytest.raises(crypto.EscrowKeyError) as caught:
        crypto.escrow_key_check(other, public)
    assert "not this install's escrow key" in str(caught.value)
    assert crypto.escrow_fingerprint(public) in str(caught.value)


def test_shares_and_errors_never_show_the_key_in_their_repr(key: crypto.PrivateKey) -> None:
    share = crypto.escrow_shares(key, shares=2, threshold=2)[0]
    assert share.words.split()[5] not in repr(share)
    assert "hidden" in repr(share)
