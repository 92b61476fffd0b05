import numpy as np
import pytest

import environments as env


def need_probability_slope(items, lags):
    """Log-log slope of P(item needed now | last needed `lag` steps ago)."""
    n = len(items)
    gap_to_next = np.full(n, np.inf)
    last = {}
    for t, i in enumerate(items):
        if i in last:
            gap_to_next[last[i]] = t - last[i]
        last[i] = t
    start = np.arange(n)
    probabilities = []
    for lag in lags:
        at_risk = (gap_to_next >= lag) & (start + lag < n)
        probabilities.append(np.mean(gap_to_next[at_risk] == lag))
    return np.polyfit(np.log(lags), np.log(probabilities), 1)[0]


@pytest.mark.parametrize("exponent", [0.5, 1.0])
def test_need_probability_falls_as_the_chosen_power(exponent):
    stream = env.power_law(300_000, exponent=exponent, seed=11)
    lags = np.unique(np.geomspace(5, 500, 10).astype(int))
    assert need_probability_slope(stream.item, lags) == pytest.approx(-exponent, abs=0.1)


def test_new_items_arrive_at_the_chosen_rate():
    stream = env.power_law(100_000, new_item_prob=0.1, seed=5)
    first_sight = len(np.unique(stream.item))
    # binomial(99_999, 0.1) plus the first event: 4 sd is about 380
    assert abs(first_sight - 10_000) < 400
    assert np.array_equal(np.unique(stream.item), np.arange(first_sight))


def test_item_pool_caps_the_items_and_times_follow_the_step():
    stream = env.power_law(5000, n_items=20, time_step=2.5, seed=1)
    assert stream.n_items == 20 and stream.item.max() < 20
    assert np.allclose(np.diff(stream.time), 2.5)
    assert stream.meta["generator"] == "power_law" and stream.meta["n_items"] == 20


def test_same_seed_same_stream_different_seed_different_stream():
    a = env.power_law(10_000, seed=7)
    assert a == env.power_law(10_000, seed=7)
    assert not np.array_equal(a.item, env.power_law(10_000, seed=8).item)
    seq = np.random.SeedSequence(123)
    assert env.power_law(500, seed=seq) == env.power_law(500, seed=np.random.SeedSequence(123))


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_events=0), "n_events"),
    (dict(n_events=2.5), "n_events"),
    (dict(n_events=10, exponent=-0.5), "exponent"),
    (dict(n_events=10, exponent=np.nan), "exponent"),
    (dict(n_events=10, new_item_prob=1.5), "new_item_prob"),
    (dict(n_events=10, n_items=0), "n_items"),
    (dict(n_events=10, time_step=0), "time_step"),
    (dict(n_events=10, seed=-1), "seed"),
    (dict(n_events=10, seed="abc"), "seed"),
])
def test_bad_arguments_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        env.power_law(**kwargs)
