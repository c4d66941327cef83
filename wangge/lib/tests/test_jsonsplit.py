"""The list splitter gives back each element's exact text, whatever the JSON around it."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wangge.lib.jsonsplit import SplitError, split_list

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(
    st.lists(values, max_size=6),
    st.dictionaries(st.text().filter(lambda k: k != "items"), values, max_size=3),
    st.sampled_from([None, 0, 2]),
)
def test_each_element_is_given_back_as_its_own_json(items, others, indent):
    text = json.dumps({**others, "items": items}, indent=indent, ensure_ascii=False)
    assert [json.loads(element) for element in split_list(text, "items")] == items


def test_an_element_too_deep_for_a_parser_is_still_split_off():
    deep = "[" * 10_000 + "]" * 10_000
    elements = split_list('{"items": [1, ' + deep + ', {"a": "]"}]}', "items")
    assert elements == ["1", deep, '{"a": "]"}']


@pytest.mark.parametrize(
    "text",
    ["", "[]", '{"items": 3}', '{"other": []}', '{"items": [1, 2', '{"items": [[1]', "{items: []}"],
)
def test_anything_but_an_object_with_the_list_is_refused(text):
    with pytest.raises(SplitError):
        split_list(text, "items")
