import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dunning_engine.dates import apply_formula, next_run, validate_cadence, validate_formula

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "start, formula, expected",
    [
        (date(2026, 1, 31), "1M", date(2026, 2, 28)),
        (date(2028, 1, 31), "1M", date(2028, 2, 29)),
        (date(2026, 3, 31), "-1M", date(2026, 2, 28)),
        (date(2026, 12, 15), "1M", date(2027, 1, 15)),
        (date(2026, 1, 15), "-1M", date(2025, 12, 15)),
        (MONDAY, "CM+1D", date(2026, 12, 1)),
        (MONDAY, "-CM", date(2026, 11, 1)),
        (MONDAY, "CM", date(2026, 11, 30)),
        (MONDAY, "1W", date(2026, 11, 30)),
        (MONDAY, "-2W", date(2026, 11, 9)),
        (MONDAY, "10D", date(2026, 12, 3)),
        (MONDAY, "-23D", date(2026, 10, 31)),
        (MONDAY, "0D", MONDAY),
        (MONDAY, "1Q", date(2027, 2, 23)),
        (MONDAY, "CQ", date(2026, 12, 31)),
        (MONDAY, "-CQ", date(2026, 10, 1)),
        (date(2026, 5, 2), "CQ", date(2026, 6, 30)),
        (date(2026, 5, 2), "-CQ", date(2026, 4, 1)),
        (date(2026, 2, 14), "CQ", date(2026, 3, 31)),
        (MONDAY, "1Y", date(2027, 11, 23)),
        (date(2028, 2, 29), "1Y", date(2029, 2, 28)),
        (MONDAY, "CY", date(2026, 12, 31)),
        (MONDAY, "-CY", date(2026, 1, 1)),
        (MONDAY, "CW", date(2026, 11, 29)),
        (MONDAY, "-CW", MONDAY),
        (date(2026, 11, 29), "CW", date(2026, 11, 29)),
        (date(2026, 11, 29), "-CW", MONDAY),
        (MONDAY, "1WD", MONDAY),  # already a Monday: stays
        (MONDAY, "5WD", date(2026, 11, 27)),  # next Friday
        (MONDAY, "7WD", date(2026, 11, 29)),
        (MONDAY, "-5WD", date(2026, 11, 20)),  # previous Friday
        (MONDAY, "-1WD", MONDAY),
        (date(2026, 11, 27), "1WD", date(2026, 11, 30)),
        (date(2026, 1, 31), "1M+CM", date(2026, 2, 28)),
        (MONDAY, "1M-CM", date(2026, 12, 1)),
        (MONDAY, "CM+1D+5WD", date(2026, 12, 4)),
        (MONDAY, "-1Y+CY-1D", date(2025, 12, 30)),
        (MONDAY, " cm + 1d ", date(2026, 12, 1)),
        (MONDAY, "+14D", date(2026, 12, 7)),
        (MONDAY, "30D-1M", date(2026, 11, 23)),
    ],
)
def test_apply_formula(start, formula, expected):
    assert apply_formula(start, formula) == expected


def test_terms_apply_left_to_right():
    start = date(2026, 1, 31)
    assert apply_formula(start, "1M+1D") == date(2026, 3, 1)
    assert apply_formula(start, "1D+1M") == date(2026, 3, 1)
    assert apply_formula(date(2026, 1, 30), "1M+1D") == date(2026, 3, 1)
    assert apply_formula(date(2026, 1, 30), "1D+1M") == date(2026, 2, 28)


@pytest.mark.parametrize(
    "formula",
    [
        "",
        "   ",
        "abc",
        "1X",
        "D",
        "1",
        "+",
        "C",
        "CD",
        "1.5D",
        "1D1M",  # second term without sign
        "1D+",
        "--1D",
        "8WD",
        "0WD",
        "2CM",
        "1D;",
    ],
)
def test_invalid_formulas(formula):
    with pytest.raises(ValueError):
        validate_formula(formula)
    with pytest.raises(ValueError):
        apply_formula(MONDAY, formula)


def test_error_messages_are_clear():
    with pytest.raises(ValueError, match="empty"):
        validate_formula("")
    with pytest.raises(ValueError, match="weekday"):
        validate_formula("9WD")
    with pytest.raises(ValueError, match="sign"):
        validate_formula("CM1D")
    with pytest.raises(ValueError):
        validate_formula(None)  # type: ignore[arg-type]


def test_valid_formulas_return_none():
    assert validate_formula("CM+1D") is None
    assert validate_formula("-1Y + 3wd") is None


def test_out_of_range_is_value_error():
    with pytest.raises(ValueError, match="out of range"):
        apply_formula(date(9999, 12, 31), "1D")
    with pytest.raises(ValueError, match="out of range"):
        apply_formula(date(1, 1, 1), "-1M")
    with pytest.raises(ValueError):
        apply_formula(MONDAY, "99999999999D")


DATES = st.dates(date(1900, 1, 1), date(2200, 12, 31))


@given(DATES, st.integers(0, 5000))
def test_days_and_weeks(start, number):
    assert apply_formula(start, f"{number}D") == start + timedelta(days=number)
    assert apply_formula(start, f"-{number}D") == start - timedelta(days=number)
    assert apply_formula(start, f"{number}W") == start + timedelta(weeks=number)


@given(DATES)
def test_current_periods(start):
    month_end = apply_formula(start, "CM")
    assert (month_end.year, month_end.month) == (start.year, start.month)
    assert month_end.day == calendar.monthrange(start.year, start.month)[1]
    assert apply_formula(start, "-CM") == start.replace(day=1)
    assert apply_formula(start, "CM+1D") == apply_formula(start, "1M-CM")
    week_end = apply_formula(start, "CW")
    assert week_end.isoweekday() == 7 and 0 <= (week_end - start).days <= 6
    quarter_start = apply_formula(start, "-CQ")
    assert quarter_start.month in (1, 4, 7, 10) and quarter_start <= start
    assert apply_formula(start, "CQ") == apply_formula(quarter_start, "2M+CM")


@given(DATES, st.integers(1, 7))
def test_weekday(start, weekday):
    forward = apply_formula(start, f"{weekday}WD")
    backward = apply_formula(start, f"-{weekday}WD")
    assert forward.isoweekday() == weekday == backward.isoweekday()
    assert 0 <= (forward - start).days <= 6
    assert 0 <= (start - backward).days <= 6


@given(DATES, st.integers(0, 120))
def test_months_clamp(start, months):
    result = apply_formula(start, f"{months}M")
    total = start.year * 12 + start.month - 1 + months
    year, month_index = divmod(total, 12)
    assert (result.year, result.month) == (year, month_index + 1)
    assert result.day == min(start.day, calendar.monthrange(result.year, result.month)[1])
    assert apply_formula(start, f"{months}Q") == apply_formula(start, f"{3 * months}M")


# ---------------------------------------------------------------- cadences


@pytest.mark.parametrize(
    "formula, bad_start, bad_result",
    [
        # 2024-01-30 + 1 month = 29 February (leap year), - 29 days =
        # 31 January: a day later. 31 January + 1 month = 29 February, - 29
        # days = 31 January: the same day.
        ("1M-29D", date(2024, 1, 31), date(2024, 1, 31)),
        # The end of the month from a month end is the same day.
        ("CM", date(2024, 1, 31), date(2024, 1, 31)),
        ("CW", date(2024, 1, 7), date(2024, 1, 7)),  # a Sunday
        ("1WD", date(2024, 1, 1), date(2024, 1, 1)),  # a Monday
        ("0D", date(2024, 1, 1), date(2024, 1, 1)),
        ("-1D", date(2024, 1, 1), date(2023, 12, 31)),
    ],
)
def test_validate_cadence_names_the_first_failing_start(formula, bad_start, bad_result):
    with pytest.raises(ValueError) as info:
        validate_cadence(formula)
    message = str(info.value)
    assert str(bad_start) in message
    assert str(bad_result) in message
    assert "not after the last run" in message


@pytest.mark.parametrize(
    "formula", ["1D", "1W", "2W", "1M", "1Q", "1Y", "CM+1D", "1M-CM", "1W+1WD", "1D+5WD", "1M+CM"]
)
def test_validate_cadence_accepts_formulas_moving_forward(formula):
    assert validate_cadence(formula) is None


def test_validate_cadence_syntax_error():
    with pytest.raises(ValueError, match="Invalid date formula"):
        validate_cadence("3X")


def test_validate_cadence_custom_range_misses_a_month_end():
    # Checked only from mid-January, "1M-29D" looks fine: the range matters.
    assert validate_cadence("1M-29D", date(2024, 1, 10), date(2024, 1, 20)) is None


def test_next_run_refuses_to_stay_or_go_back():
    assert next_run(date(2026, 1, 15), "1M-29D") == date(2026, 1, 17)
    with pytest.raises(ValueError, match="not after the last run"):
        next_run(date(2026, 1, 31), "1M-29D")
    with pytest.raises(ValueError, match="not after the last run"):
        next_run(date(2026, 1, 31), "CM")


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.sampled_from(["1M", "CM+1D", "1W+1WD", "1Q"]))
def test_valid_cadence_always_moves_forward(start, formula):
    validate_cadence(formula)
    assert next_run(start, formula) > start
