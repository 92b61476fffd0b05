import numpy as np
import pytest

from environments import EventStream


def test_context_is_an_optional_readonly_int64_array():
    s = EventStream(time=[0, 1, 2], item=[0, 1, 0], context=[5, 5, 6])
    assert s.context.dtype == np.int64 and list(s.context) == [5, 5, 6]
    with pytest.raises(ValueError):
        s.context[0] = 1
    assert EventStream(time=[0], item=[0]).context is None


def test_context_in_dataset_and_equality():
    a = EventStream(time=[0, 1], item=[0, 1], context=[0, 1])
    ds = a.to_dataset()
    assert list(ds["context"].values) == [0, 1]
    assert ds["context"].attrs["long_name"] == "context" and ds["context"].attrs["units"] == "1"
    assert "context" not in EventStream(time=[0, 1], item=[0, 1]).to_dataset()
    assert a == EventStream(time=[0, 1], item=[0, 1], context=[0, 1])
    assert a != EventStream(time=[0, 1], item=[0, 1], context=[0, 0])
    assert a != EventStream(time=[0, 1], item=[0, 1])


@pytest.mark.parametrize("context, message", [
    ([0], r"^context must have the same length as time \(2\), got 1"),
    ([0, -1], r"^context must be >= 0, got -1 at event 1"),
    ([0, 0.5], r"^context must hold integers"),
])
def test_bad_context_names_itself(context, message):
    with pytest.raises(ValueError, match=message):
        EventStream(time=[0, 1], item=[0, 1], context=context)
