"""BSN: 9 digits passing the 11-proef, never 000000000; what people type is normalised."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.bsn import bsn_check_digit, is_valid_bsn, normalise_bsn


@pytest.mark.parametrize(
    "bsn", ["111222333", "123456782", "100000009", "234567892", "999999990", "011111112"]
)
def test_a_number_passing_the_11_proef_is_a_valid_bsn(bsn: str) -> None:
    assert is_valid_bsn(bsn)


@pytest.mark.parametrize(
    "bsn",
    [
        pytest.param("111222334", id="wrong-check-digit"),
        pytest.param("123456781", id="off-by-one"),
        pytest.param("12345678", id="8-digits"),
        pytest.param("1234567820", id="10-digits"),
        pytest.param("12345678a", id="letter"),
        pytest.param("000000000", id="all-zeros"),
        pytest.param("", id="empty"),
        pytest.param("123 456 782", id="spaces-not-normalised"),
        pytest.param("-12345678", id="minus-sign"),
        pytest.param("١٢٣٤٥٦٧٨٢", id="arabic-indic-digits"),
        pytest.param("１２３４５６７８２", id="full-width-digits"),
        pytest.param("12345678²", id="superscript-digit"),
    ],
)
def test_anything_else_is_not_a_valid_bsn(bsn: str) -> None:
    assert not is_valid_bsn(bsn)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("111 222 333", "111222333"),
        ("111.222.333", "111222333"),
        ("111-22-2333", "111222333"),
        ("  123456782\n", "123456782"),
        ("011 111 112", "011111112"),
    ],
)
def test_normalise_bsn_strips_spaces_dots_and_dashes(typed: str, normalised: str) -> None:
    assert normalise_bsn(typed) == normalised
    assert is_valid_bsn(normalise_bsn(typed))


def test_normalise_bsn_keeps_other_characters_for_the_check_to_refuse() -> None:
    assert normalise_bsn("12345678a") == "12345678a"


@pytest.mark.parametrize(
    ("first_eight", "bsn"), [("11122233", "111222333"), ("12345678", "123456782")]
)
def test_the_check_digit_completes_a_valid_bsn(first_eight: str, bsn: str) -> None:
    assert bsn_check_digit(first_eight) == bsn


def test_no_check_digit_exists_when_the_remainder_is_ten() -> None:
    assert bsn_check_digit("10000006") is None


def test_the_check_digit_never_makes_all_zeros() -> None:
    assert bsn_check_digit("00000000") is None


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
@settings(database=None)
def test_the_check_digit_gives_the_only_valid_completion(first_eight: str) -> None:
    completions = [first_eight + d for d in "0123456789" if is_valid_bsn(first_eight + d)]
    made = bsn_check_digit(first_eight)
    assert completions == ([] if made is None else [made])
