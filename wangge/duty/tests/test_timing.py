import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from wangge.duty.timing import day_bounds, gaps, occurrences, parse_time

DAY = dt.date(2026, 3, 1)
START, END = day_bounds(DAY)


def at(hour: float) -> dt.datetime:
    return START + dt.timedelta(hours=hour)


def test_three_shifts_of_eight_hours_cover_the_day():
    assert gaps([(at(0), at(8)), (at(8), at(16)), (at(16), at(24))], START, END) == []


def test_a_missing_night_shift_is_a_gap():
    assert gaps([(at(8), at(20))], START, END) == [(at(0), at(8)), (at(20), at(24))]


def test_overlapping_and_overnight_shifts_merge():
    # Last night's shift runs into the morning; two day shifts overlap.
    shifts = [(at(-4), at(6)), (at(6), at(14)), (at(12), at(18))]
    assert gaps(shifts, START, END) == [(at(18), at(24))]


def test_no_shift_is_one_gap_of_the_whole_day():
    assert gaps([], START, END) == [(START, END)]


@given(
    st.lists(
        st.tuples(st.integers(0, 23 * 60), st.integers(1, 24 * 60)).map(
            lambda pair: (pair[0], min(24 * 60, pair[0] + pair[1]))
        ),
        max_size=8,
    )
)
def test_gaps_and_shifts_partition_the_day(minutes):
    shifts = [
        (START + dt.timedelta(minutes=a), START + dt.timedelta(minutes=b)) for a, b in minutes
    ]
    holes = gaps(shifts, START, END)
    # Every minute of the day is either in a gap or in a shift, never both.
    for minute in range(0, 24 * 60, 7):
        moment = START + dt.timedelta(minutes=minute)
        in_gap = any(a <= moment < b for a, b in holes)
        in_shift = any(a <= moment < b for a, b in shifts)
        assert in_gap != in_shift
    assert holes == sorted(holes)


class Schedule:
    def __init__(self, times=(), every_hours=None, first_time=None):
        self.times = list(times)
        self.every_hours = every_hours
        self.first_time = first_time


def test_times_of_day_are_the_occurrences_in_order():
    due = occurrences(Schedule(times=["20:00", "08:00", "14:00"]), DAY)
    assert [d.hour for d in due] == [8, 14, 20]


def test_every_four_hours_from_six():
    due = occurrences(Schedule(every_hours=4, first_time=dt.time(6)), DAY)
    assert [d.hour for d in due] == [6, 10, 14, 18, 22]


def test_every_hours_and_times_do_not_repeat_a_time():
    due = occurrences(Schedule(times=["12:00", "13:30"], every_hours=12), DAY)
    assert [(d.hour, d.minute) for d in due] == [(0, 0), (12, 0), (13, 30)]


@given(st.text(max_size=8))
def test_parse_time_accepts_only_real_times(text):
    parsed = parse_time(text)
    if parsed is not None:
        assert f"{parsed:%H:%M}" == f"{parsed.hour:02d}:{parsed.minute:02d}"
        hours, _sep, minutes = text.strip().replace("：", ":").partition(":")
        assert int(hours) == parsed.hour and int(minutes) == parsed.minute


def test_parse_time_refuses_nonsense():
    assert parse_time("25:00") is None
    assert parse_time("8:5") is None
    assert parse_time("abc") is None
    assert parse_time("08：30") == dt.time(8, 30)


def test_parse_time_refuses_superscript_digits():
    assert parse_time("²:00") is None
