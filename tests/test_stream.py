import numpy as np
import pytest

import environments as env
from environments import STUDY, TEST, EventStream


def test_hand_made_stream_has_typed_readonly_arrays():
    s = EventStream(time=[0, 1.5, 1.5, 4], item=[0, 2, 0, 1], kind=[0, 0, 1, 1])
    assert len(s) == 4 and s.n_items == 3
    assert s.time.dtype == np.float64 and s.item.dtype == np.int64 and s.kind.dtype == np.int8
    assert s.task is None
    with pytest.raises(ValueError):
        s.time[0] = 3.0  # read-only: a stream cannot change under an agent
    assert env.STUDY == 0 and env.TEST == 1


def test_kind_defaults_to_study_and_task_is_int32():
    s = EventStream(time=[0, 1], item=[0, 1], task=[0, 1], n_items=5)
    assert np.all(s.kind == STUDY)
    assert s.task.dtype == np.int32 and s.n_items == 5


def test_to_dataset_labels_every_variable_and_keeps_meta():
    s = env.power_law(50, seed=3)
    ds = s.to_dataset()
    assert ds.sizes["event"] == 50
    for name in ("time", "item", "kind"):
        assert ds[name].attrs["long_name"] and "units" in ds[name].attrs
    assert ds.attrs["environment"] == "power_law"
    assert ds.attrs["environment_seed_entropy"] == "3"
    assert ds.attrs["n_items"] == s.n_items


@pytest.mark.parametrize("kwargs, field", [
    (dict(time=[0, 1, 2], item=[0, 1]), "item"),
    (dict(time=[0, 1], item=[0, 1], kind=[0]), "kind"),
    (dict(time=[0, 1], item=[0, 1], task=[0, 0, 0]), "task"),
    (dict(time=[0, np.nan], item=[0, 1]), "time"),
    (dict(time=[0, np.inf], item=[0, 1]), "time"),
    (dict(time=[2, 1], item=[0, 1]), "time"),
    (dict(time=[0, 1], item=[0, -1]), "item"),
    (dict(time=[0, 1], item=[0, 1.5]), "item"),
    (dict(time=[0, 1], item=[0, 1], kind=[0, 2]), "kind"),
    (dict(time=[0, 1], item=[0, 1], task=[0, -1]), "task"),
    (dict(time=[0, 1], item=[0, 4], n_items=3), "n_items"),
    (dict(time=[[0, 1]], item=[[0, 1]]), "time"),
    (dict(time=["a", "b"], item=[0, 1]), "time"),
])
def test_invalid_streams_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        EventStream(**kwargs)


def test_errors_report_the_offending_value():
    with pytest.raises(ValueError, match="got 1.0 after 2.0 at event 2"):
        EventStream(time=[0, 2, 1], item=[0, 0, 0])
    with pytest.raises(ValueError, match="got 7 at event 1"):
        EventStream(time=[0, 1], item=[0, 1], kind=[TEST, 7])


def test_equality_compares_contents():
    a = env.power_law(100, seed=1)
    assert a == env.power_law(100, seed=1)
    assert a != env.power_law(100, seed=2)
