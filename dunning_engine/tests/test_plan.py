from hypothesis import given
from hypothesis import strategies as st

from dunning_engine.plan import effective_days


def test_paycatch_kept_with_five_days():
    plan = effective_days([1, 7, 14, 21, 30], 5)
    assert [p.effective for p in plan] == [1, 7, 14, 21, 30]
    assert not any(p.shifted for p in plan)


def test_paycatch_shifted_with_seven_days():
    # a 7-day quiet period shifts J+7 by a day, and that shift every level
    # after it until a configured delay is far enough again
    plan = effective_days([1, 7, 14, 21, 30], 7)
    assert [p.effective for p in plan] == [1, 8, 15, 22, 30]
    assert [p.shifted for p in plan] == [False, True, True, True, False]


def test_no_minimum_keeps_everything():
    assert [p.effective for p in effective_days([1, 2, 3], 0)] == [1, 2, 3]


def test_notice_before_due_date_not_held():
    plan = effective_days([-3, 1, 3], 5)
    assert [p.effective for p in plan] == [-3, 1, 6]


@given(
    st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=8, unique=True).map(sorted),
    st.integers(min_value=0, max_value=60),
)
def test_spacing_and_never_earlier(delays, min_days):
    plan = effective_days(delays, min_days)
    for level in plan:
        assert level.effective >= level.configured
    for previous, level in zip(plan, plan[1:]):
        assert level.effective - previous.effective >= min(min_days, level.effective)
        assert level.effective - previous.effective >= max(min_days, 1) or (
            level.effective == level.configured
        )
