import re

from hypothesis import given
from hypothesis import strategies as st

from wangge.lib.natural import SORT_KEY_LENGTH, natural_sort_key


def test_rooms_sort_by_their_number_as_a_number():
    addresses = [("1", "1", "1001"), ("1", "1", "101"), ("10", "1", "101"), ("2", "1", "101")]
    ordered = sorted(addresses, key=lambda parts: natural_sort_key(*parts))
    assert ordered == [("1", "1", "101"), ("1", "1", "1001"), ("2", "1", "101"), ("10", "1", "101")]


def test_a_shorter_part_comes_first_and_numbers_before_words():
    words = ["1A", "1", "东3", "3", "03a", "2号", "b", "A"]
    assert sorted(words, key=natural_sort_key) == ["1", "1A", "2号", "3", "03a", "A", "b", "东3"]


def test_the_parts_are_compared_in_turn():
    # Building 1 room 20 comes before building 1 unit 1: an empty unit is the smallest.
    assert natural_sort_key("1", "", "20") < natural_sort_key("1", "1", "1")
    assert natural_sort_key("1", "2", "") < natural_sort_key("1", "10", "")


@given(st.integers(0, 10**12), st.integers(0, 10**12))
def test_numbers_order_like_integers(a, b):
    if a < b:
        assert natural_sort_key(str(a)) < natural_sort_key(str(b))


@given(st.lists(st.text(max_size=60), min_size=1, max_size=3))
def test_every_key_is_lowercase_hex_that_fits_its_column(parts):
    key = natural_sort_key(*parts)
    assert re.fullmatch(r"[0-9a-f]*", key) and len(key) <= SORT_KEY_LENGTH
