import pytest
from hypothesis import given
from hypothesis import strategies as st

from dunning_engine.references import (
    is_valid_rf,
    rf_reference,
)


def test_iso_11649_example():
    assert rf_reference("539007547034") == "RF18 5390 0754 7034"
    assert is_valid_rf("RF18539007547034")
    assert is_valid_rf("RF18 5390 0754 7034")
    assert is_valid_rf("rf18 5390 0754 7034")


def test_rf_with_letters():
    # check digits cross-checked with python-stdnum (iso7064.mod_97_10)
    assert rf_reference("INV2026") == "RF73 INV2 026"
    assert rf_reference("inv 2026") == "RF73 INV2 026"
    assert is_valid_rf("RF73INV2026")
    assert not is_valid_rf("RF73INV2027")
    assert rf_reference("1") == "RF74 1"


def test_rf_max_length():
    reference = rf_reference("A" * 21)
    assert reference.startswith("RF47 ")
    assert len(reference.replace(" ", "")) == 25
    assert is_valid_rf(reference)
    with pytest.raises(ValueError):
        rf_reference("A" * 22)


@pytest.mark.parametrize("base", ["", "   ", "INV-2026", "12/34", "ÉTÉ"])
def test_rf_invalid_base(base):
    with pytest.raises(ValueError):
        rf_reference(base)


@pytest.mark.parametrize(
    "reference",
    [
        "RF19539007547034",  # wrong check digits
        "RF18539007547035",  # altered base
        "RF1853900754703",  # digit dropped
        "RF18",
        "RX18539007547034",
        "18539007547034",
        "RF18-5390-0754-7034",
        "RF18" + "1" * 22,
        "",
        None,
    ],
)
def test_rf_invalid(reference):
    assert not is_valid_rf(reference)


def test_rf_check_digits_out_of_iso_range():
    # 99 is congruent to 02 modulo 97 but is never a valid check number
    assert rf_reference("36") == "RF02 36"
    assert is_valid_rf("RF0236")
    assert not is_valid_rf("RF9936")


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=21))
def test_rf_round_trip(base):
    reference = rf_reference(base)
    assert is_valid_rf(reference)
    assert reference.replace(" ", "")[4:] == base
    assert 2 <= int(reference[2:4]) <= 98
    assert all(len(group) == 4 for group in reference.split(" ")[:-1])


@given(
    st.text(alphabet="0123456789", min_size=1, max_size=21),
    st.data(),
)
def test_rf_detects_single_digit_errors(base, data):
    compact = rf_reference(base).replace(" ", "")
    position = data.draw(st.integers(2, len(compact) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != compact[position]]))
    assert not is_valid_rf(compact[:position] + wrong + compact[position + 1 :])
