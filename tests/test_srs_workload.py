"""Review costs, daily time limits and rated views in simulate_schedule; the FSRS
simulator's workload; optimal retention."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import analysis
import simulator
from simulator import FSRS, Ratings, ReviewCosts, TargetRetention

DAY = 86400.0
FSRS_DAYS = FSRS(calendar_days=True)


def fsrs_schedule(n_items, days, seed, **kwargs):
    return simulator.simulate_schedule(TargetRetention(0.9, model=FSRS_DAYS), FSRS_DAYS,
                                       n_items, days, seed=seed, test_delays=(1.0,),
                                       **kwargs)


def peer_simulator():
    spec = importlib.util.find_spec("fsrs_optimizer")
    if spec is None:
        pytest.skip("fsrs-optimizer is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / "fsrs_simulator.py"
    module_spec = importlib.util.spec_from_file_location("fsrs_simulator_peer", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)  # the file alone: the package imports torch
    return module


@pytest.mark.parametrize("kwargs, message", [
    ({"learning": (1.0, 2.0, 3.0)}, "^learning must be 4 finite numbers >= 0"),
    ({"review": (1.0, -2.0, 3.0, 4.0)}, "^review must be 4 finite numbers >= 0"),
    ({"relearning": "fast"}, "^relearning must be 4 numbers"),
])
def test_review_costs_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ReviewCosts(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"first_rating_prob": (0.5, 0.5, 0.5, 0.5)}, "^first_rating_prob must be 4 probabilit"),
    ({"review_rating_prob": (0.2, 0.8)}, "^review_rating_prob must be 3 finite numbers"),
    ({"learning_steps": -1}, "^learning_steps must be"),
    ({"relearning_step_transitions": np.ones((4, 4)) / 4},
     "^relearning_step_transitions must be 3 rows"),
    ({"learning_step_transitions": [[1, 0, 0, 0], [0, 1, 0, 0], [0.5, 0.6, 0, 0]]},
     r"^learning_step_transitions\[2\] must be 4 probabilities summing to 1"),
])
def test_ratings_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Ratings(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"time_per_day": 0.0}, "^time_per_day must be"),
    ({"costs": (1, 2, 3, 4)}, "^costs must be a simulator.ReviewCosts"),
    ({"ratings": {"first_rating_prob": (1, 0, 0, 0)}}, "^ratings must be a simulator.Ratings"),
])
def test_schedule_limits_and_records_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fsrs_schedule(5, 2, 0, **kwargs)


def test_time_spent_is_the_sum_of_the_views_costs_within_the_daily_limit():
    costs = ReviewCosts()
    ds = fsrs_schedule(300, 30, 3, time_per_day=900.0, ratings=Ratings(), events=True)
    day = (ds["time"].values // DAY).astype(int)
    item, kind, rating = ds["item"].values, ds["kind"].values, ds["rating"].values
    expected = np.zeros(30)
    state = {}
    for e in range(len(item)):
        key = (day[e], item[e])
        if kind[e] == 0:  # a new card's first view, rated
            state[key] = "learning"
            expected[day[e]] += costs.learning[rating[e] - 1]
        elif key not in state:  # the day's first view of a card learned earlier
            state[key] = "relearning"
            expected[day[e]] += costs.review[rating[e] - 1]
        else:  # a learning or relearning step
            expected[day[e]] += getattr(costs, state[key])[rating[e] - 1]
    np.testing.assert_allclose(ds["time_spent"].values, expected, rtol=1e-12)
    assert ds["time_spent"].max() <= 900.0
    assert ds["time_spent"].attrs["units"] == "s"
    # the budget binds: the first days end with new cards left for the next
    assert (ds["new_items"].values[:3] > 0).all() and ds["items_learned"].values[2] < 300
    assert np.all(rating[kind == 0] >= 1)  # every view is rated
    # the memorized count is the learners' recall summed after the day's session
    assert 0 < ds["memorized"].values[-1] <= ds["items_learned"].values[-1]


def test_unrated_schedules_count_a_review_s_rating_cost_and_keep_their_draws():
    base = fsrs_schedule(40, 12, 5, new_per_day=5, events=True)
    timed = fsrs_schedule(40, 12, 5, new_per_day=5, events=True,
                          costs=ReviewCosts(review=(20, 0, 10, 0)))
    np.testing.assert_array_equal(base["rating"].values, timed["rating"].values)
    tests = timed["kind"].values == 1
    day = (timed["time"].values // DAY).astype(int)
    cost = np.where(timed["rating"].values == 1, 20.0, 10.0 * (timed["rating"].values == 3))
    expected = np.bincount(day[tests], cost[tests], minlength=12)
    expected += timed["new_items"].values * ReviewCosts().learning[2]
    np.testing.assert_allclose(timed["time_spent"].values, expected)


def test_fsrs_schedule_agrees_with_the_fsrs_simulator_on_a_small_deck():
    """500 cards x 60 days, the FSRS simulator's defaults (1800 s/day, its costs,
    rating probabilities and step transitions; its relearning steps cost time only).
    Seed-to-seed standard deviations,
    measured on 8 (peer) and 40 (cogmemsim) seeds: total reviews 42 and 94 (of
    ~2,515), mean memorized 3.3 and 4.0 (of ~406), new cards in the first 5 days 7
    and 9 (of ~167). With 4 peer seeds and 16 of ours, the standard error of the
    difference of the means is ~1.3 %, ~0.5 % and ~2.5 %: the tolerances are ~4 of
    them."""
    peer = peer_simulator()
    weights = list(FSRS().weights)
    saved = np.random.get_state()
    try:
        theirs = []
        for seed in range(4):
            _, reviews, new, memorized, _, _ = peer.simulate(weights, deck_size=500,
                                                              learn_span=60, seed=seed)
            theirs.append((reviews.sum(), memorized.mean(), new[:5].sum()))
    finally:
        np.random.set_state(saved)
    mine = []
    for seed in range(16):
        ds = fsrs_schedule(500, 60, seed, time_per_day=1800.0,
                           ratings=Ratings(relearning_updates_memory=False))
        mine.append((ds["reviews"].values.sum(), ds["memorized"].values.mean(),
                     ds["new_items"].values[:5].sum()))
    ratio = np.mean(mine, axis=0) / np.mean(theirs, axis=0) - 1.0
    assert abs(ratio[0]) < 0.05, ratio
    assert abs(ratio[1]) < 0.02, ratio
    assert abs(ratio[2]) < 0.08, ratio


def test_rated_schedule_agrees_with_pure_python(jitted_and_pure_python):
    script = """
import json, simulator
m = simulator.FSRS(calendar_days=True)
ds = simulator.simulate_schedule(simulator.TargetRetention(0.85, model=m, fuzz=True), m, 30,
                                 8, seed=2, time_per_day=600.0, ratings=simulator.Ratings(),
                                 events=True)
print(json.dumps({k: ds[k].values.tolist() for k in
                  ("time_spent", "memorized", "reviews", "item", "rating", "p_recall")}))
"""
    jitted, pure = jitted_and_pure_python(script)
    for name in jitted:
        np.testing.assert_allclose(jitted[name], pure[name], rtol=1e-12, err_msg=name)


def test_optimal_retention_minimises_time_per_item_memorized():
    learner = FSRS(calendar_days=True, w20=0.5)
    ds = analysis.optimal_retention(learner, targets=(0.6, 0.75, 0.9, 0.97), horizon=60,
                                    n_items=150, time_per_day=None, new_per_day=10,
                                    scheduler_model=learner, seed=1)
    per_item = ds["time_per_memorized"].values
    np.testing.assert_allclose(per_item, ds["time_spent"].values / ds["memorized"].values)
    assert float(ds["optimal_retention"]) == ds["target"].values[np.argmin(per_item)]
    assert float(ds["minimal_time_per_memorized"]) == per_item.min()
    # a higher target reviews more often: more time, more remembered
    assert np.all(np.diff(ds["reviews"].values) > 0)
    assert np.all(np.diff(ds["memorized"].values) > 0)
    for name in ds.variables:
        assert "long_name" in ds[name].attrs and "units" in ds[name].attrs, name
    ax = analysis.plot_optimal_retention(ds)
    assert ax.get_xlabel() == "desired retention"
    assert ax.get_ylabel() == "study time per item memorized [s]"


def test_optimal_retention_checks_its_arguments():
    with pytest.raises(ValueError, match="^targets must be at least 3"):
        analysis.optimal_retention(FSRS_DAYS, targets=(0.8, 0.9))
    with pytest.raises(ValueError, match="^horizon must be"):
        analysis.optimal_retention(FSRS_DAYS, horizon=0)
