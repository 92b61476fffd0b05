import math

import numpy as np
import pytest

import environments as env
import simulator
from environments import EventStream


def brute_force_ranks(stream, decay):
    """Mid-ranks of each event's item by exact activation, count and recency, in Python."""
    ranks = np.full((3, len(stream)), np.nan)
    history = {}
    for e, (t, i) in enumerate(zip(stream.time, stream.item)):
        if i in history:
            known = list(history)
            act = {j: math.log(sum(max(t - s, 0.05) ** -decay for s in history[j])) for j in known}
            freq = {j: len(history[j]) for j in known}
            rec = {j: history[j][-1] for j in known}
            for row, score in enumerate((act, freq, rec)):
                better = sum(score[j] > score[i] for j in known)
                tied = sum(score[j] == score[i] for j in known if j != i)
                ranks[row, e] = 1 + better + tied / 2
        history.setdefault(i, []).append(t)
    return ranks


def test_ranks_match_a_brute_force_ranking():
    stream = env.power_law(400, exponent=1.0, n_items=40, seed=7)
    ds = simulator.predict_need(simulator.ACTR(decay=0.4), stream, k=5)
    np.testing.assert_allclose(ds["need_rank"].values, brute_force_ranks(stream, 0.4),
                               rtol=0, atol=1e-9)
    assert list(ds["model"].values) == ["activation", "frequency", "recency"]


def test_hand_worked_ranks_and_scores():
    # items 0 1 0 2 1 0 at t = 0..5 (decay 0.5)
    stream = EventStream(time=np.arange(6.0), item=[0, 1, 0, 2, 1, 0])
    ds = simulator.predict_need(simulator.ACTR(), stream, k=1)
    r = ds["need_rank"].values
    # event 2 (item 0): candidates 0 (count 1, last 0) and 1 (count 1, last 1):
    # activation 1^-.5... item 0 age 2 < item 1 age 1: rank 2; frequency tie: 1.5; recency 2
    np.testing.assert_array_equal(r[:, 2], [2.0, 1.5, 2.0])
    # event 4 (item 1): 0 (ages 4, 2), 1 (age 3), 2 (age 1): 3^-.5 = 0.577 < 1 < 4^-.5 + 2^-.5
    np.testing.assert_array_equal(r[:, 4], [3.0, 2.5, 3.0])
    assert np.all(np.isnan(r[:, [0, 1, 3]]))  # first occurrences are not ranked
    np.testing.assert_array_equal(ds["n_candidates"].values, [0, 1, 2, 2, 3, 3])
    ranked = r[:, [2, 4, 5]]
    np.testing.assert_allclose(ds["hit_rate"].values, (ranked <= 1).mean(axis=1))
    np.testing.assert_allclose(ds["mean_reciprocal_rank"].values, (1 / ranked).mean(axis=1))
    for name in ds.variables:
        assert ds[name].attrs["long_name"] and "units" in ds[name].attrs
    assert ds.attrs["k"] == 1 and ds.attrs["agent_decay"] == 0.5


def test_activation_beats_frequency_in_a_recency_environment():
    # Anderson & Schooler's environment: need odds fall with time since last need
    stream = env.power_law(5000, exponent=1.0, n_items=300, seed=2)
    ds = simulator.predict_need(simulator.ACTR(approximation="multiscale"), stream)
    mrr = ds["mean_reciprocal_rank"].to_series()
    assert mrr["activation"] > 2 * mrr["frequency"]
    assert 0 < ds["hit_rate"].sel(model="activation") <= 1


def test_spreading_helps_when_sessions_repeat():
    # sessions replay one of a few fixed playlists: co-occurrence predicts what comes next
    rng = np.random.default_rng(0)
    playlists = [rng.choice(60, 6, replace=False) for _ in range(8)]
    items, contexts = [], []
    for session in range(150):
        items.extend(playlists[rng.integers(8)])
        contexts.extend([session] * 6)
    stream = EventStream(time=np.arange(len(items)) * 60.0, item=items, context=contexts)
    plain = simulator.predict_need(simulator.ACTR(), stream)
    # S must exceed ln(fan) (fans here ~ 7-12) for associations to carry weight
    spread = simulator.predict_need(simulator.ACTR(max_association=4.0), stream)
    assert (spread["mean_reciprocal_rank"].sel(model="activation")
            > plain["mean_reciprocal_rank"].sel(model="activation") + 0.08)


def test_bad_arguments():
    stream = env.power_law(20, seed=1)
    with pytest.raises(ValueError, match="^k must"):
        simulator.predict_need(simulator.ACTR(), stream, k=0)
    with pytest.raises(ValueError, match="^agent must"):
        simulator.predict_need("ACTR", stream)
    with pytest.raises(ValueError, match="^stream must"):
        simulator.predict_need(simulator.ACTR(), [1, 2])
