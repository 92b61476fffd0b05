"""simulator.scheduling.schedulers: published scheduling rules, the closed loop, limits, seeds."""
import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis
import simulator
from environments import EventStream
from environments.seeding import generator, seed_sequence
from simulator.scheduling.schedulers import DAY

# Pavlik & Anderson's (2005) fit, psychological time between days
PAVLIK = dict(spacing_scale=0.217, spacing_intercept=0.177, threshold=-0.704, noise=0.255,
              intersession_scale=0.025)


def test_leitner_moves_up_one_box_on_success_and_back_to_the_first_on_error():
    leitner = simulator.Leitner(boxes=4, intervals=(1, 3, 7, 20))
    answers = [True, True, True, True, False, True, False, False]
    # after the first study: box 0; then up, up, up, stays at the top, back to 0, ...
    expected = [1, 3, 7, 20, 20, 1, 3, 1, 1]
    np.testing.assert_array_equal(leitner.intervals_after(answers), expected)


def test_sm2_intervals_follow_wozniaks_rules():
    # q = 4 keeps EF at 2.5: I = 1, 6, ceil(6 * 2.5) = 15, ceil(15 * 2.5) = 38, 95
    np.testing.assert_array_equal(simulator.SM2().intervals_after([True] * 4),
                                  [1, 6, 15, 38, 95])
    # q = 5 raises EF by 0.1 per review: 6 * 2.6 -> 16, 16 * 2.7 -> 44, 44 * 2.8 -> 124
    np.testing.assert_array_equal(simulator.SM2(correct_grade=5).intervals_after([True] * 4),
                                  [1, 6, 16, 44, 124])
    # q = 1: restart at I(1) and EF 2.5 - 0.54 = 1.96; then 6, ceil(6 * 1.96) = 12, 24
    np.testing.assert_array_equal(simulator.SM2().intervals_after([False, True, True, True]),
                                  [1, 1, 6, 12, 24])
    # three failures push EF to its floor 1.3: 6, ceil(6 * 1.3) = 8, ceil(8 * 1.3) = 11
    np.testing.assert_array_equal(
        simulator.SM2().intervals_after([False] * 3 + [True] * 3), [1, 1, 1, 1, 6, 8, 11])


def test_view_batch_ignores_answers():
    vb = simulator.ViewBatch(views=3, recall_interval=4)
    np.testing.assert_array_equal(vb.intervals_after([True, False, True]), [4, 4, 4, 4])
    with pytest.raises(ValueError, match="TargetRetention"):
        simulator.TargetRetention().intervals_after([True])


def _events(ds):
    return EventStream(time=ds["time"].values, item=ds["item"].values,
                       kind=ds["kind"].values, n_items=ds.attrs["schedule_n_items"])


@pytest.mark.parametrize("approximation", ["exact", "multiscale"])
def test_closed_loop_activations_are_those_of_simulator_run(approximation):
    learner = simulator.ACTR(approximation=approximation, **PAVLIK)
    ds = simulator.simulate_schedule(simulator.SM2(), learner, 30, 40, reviews_per_day=12,
                                     new_per_day=5, seed=3, events=True)
    again = simulator.run(learner, _events(ds), seed=0)
    np.testing.assert_allclose(ds["p_recall"].values, again["p_recall"].values,
                               rtol=1e-10, atol=1e-12)
    assert ds["kind"].values.sum() == ds["reviews"].sum()


def test_target_retention_reviews_when_predicted_recall_reaches_the_target():
    learner = simulator.ACTR(**PAVLIK)
    target = 0.8
    days = 60
    ds = simulator.simulate_schedule(simulator.TargetRetention(target), learner, 20, days,
                                     new_per_day=4, seed=5, events=True)
    stream = _events(ds)
    # the learner's own recall probability just before each day's session
    probe_times = np.arange(1, days) * DAY - 1e-3
    rng = generator(seed_sequence(0))
    predicted = learner.simulate(stream, rng, probe_times)["probe_recall"]
    test = stream.kind == 1
    for day in range(1, days):
        on_day = (stream.time >= day * DAY) & (stream.time < (day + 1) * DAY)
        reviewed = set(stream.item[on_day & test].tolist())
        introduced = set(stream.item[stream.time < day * DAY].tolist())
        due = {i for i in introduced if predicted[day - 1, i] <= target}
        assert reviewed == due, day
    assert ds["reviews"].sum() > 0


@pytest.mark.parametrize("scheduler", [simulator.Leitner(), simulator.SM2()])
def test_closed_loop_reviews_on_the_days_the_rule_sets(scheduler):
    # no limits: every review falls on the day the rule set from the earlier answers
    ds = simulator.simulate_schedule(scheduler, simulator.ACTR(**PAVLIK), 12, 200,
                                     new_per_day=3, seed=2, events=True)
    stream = _events(ds)
    recalled = ds["recalled"].values
    for i in range(12):
        mine = stream.item == i
        first_day = stream.time[mine][0] // DAY
        tests = mine & (stream.kind == 1)
        test_days = stream.time[tests] // DAY
        expected = first_day + np.cumsum(scheduler.intervals_after(recalled[tests]))
        np.testing.assert_array_equal(test_days, expected[:len(test_days)])
        assert expected[len(test_days)] >= 200  # the next review falls after the end


def test_view_batch_reviews_every_recall_interval_with_views_presentations():
    ds = simulator.simulate_schedule(simulator.ViewBatch(views=3, recall_interval=5),
                                     simulator.ACTR(), 4, 21, seed=0, events=True)
    stream = _events(ds)
    for i in range(4):
        mine = stream.item == i
        test_days = stream.time[mine & (stream.kind == 1)] // DAY
        np.testing.assert_array_equal(test_days, [5, 10, 15, 20])
        assert mine.sum() == 3 + 4 * (1 + 3)  # three views, then test + three views x 4


@settings(deadline=None, max_examples=15)
@given(reviews=st.integers(0, 6), new=st.integers(0, 4), days=st.integers(1, 30),
       which=st.integers(0, 3), seed=st.integers(0, 2**32))
def test_daily_limits_are_never_exceeded(reviews, new, days, which, seed):
    scheduler = [simulator.ViewBatch(2, 1.0), simulator.Leitner(), simulator.SM2(),
                 simulator.TargetRetention(0.95)][which]
    ds = simulator.simulate_schedule(scheduler, simulator.ACTR(**PAVLIK), 15, days,
                                     reviews_per_day=reviews, new_per_day=new, seed=seed,
                                     events=True)
    assert ds["reviews"].max() <= reviews
    assert ds["new_items"].max() <= new
    tests_per_day = np.bincount((ds["time"].values[ds["kind"].values == 1] // DAY)
                                .astype(int), minlength=days)
    np.testing.assert_array_equal(tests_per_day, ds["reviews"].values)
    np.testing.assert_array_equal(ds["items_learned"], np.cumsum(ds["new_items"]))
    # mean_recall is taken at the day's start, over the items learned before it
    before = np.r_[0, ds["items_learned"].values[:-1]]
    p = ds["mean_recall"].values
    assert np.all((p[before > 0] >= 0) & (p[before > 0] <= 1))
    assert np.all(np.isnan(p[before == 0]))


def test_same_seed_same_dataset_and_seeds_matter():
    args = (simulator.Leitner(), simulator.ACTR(permanent_noise=0.3, **PAVLIK), 40, 30)
    kw = dict(reviews_per_day=10, new_per_day=5, events=True)
    a = simulator.simulate_schedule(*args, seed=11, **kw)
    b = simulator.simulate_schedule(*args, seed=11, **kw)
    c = simulator.simulate_schedule(*args, seed=12, **kw)
    xr.testing.assert_identical(a, b)
    assert not np.array_equal(a["recalled"].values, c["recalled"].values)
    assert a.attrs["seed_entropy"] == "11"


def test_units_and_long_names_and_netcdf(tmp_path):
    ds = simulator.simulate_schedule(simulator.Leitner(), simulator.ACTR(), 5, 3, seed=0)
    analysis.save(ds, tmp_path / "schedule.nc")
    xr.testing.assert_identical(analysis.load(tmp_path / "schedule.nc").load(), ds)
    ds = simulator.simulate_schedule(simulator.SM2(), simulator.ACTR(), 5, 3, seed=0)
    for name in ds.variables:
        assert ds[name].attrs["long_name"] and ds[name].attrs["units"], name
    assert set(ds.dims) == {"day", "test_delay"}
    assert ds.attrs["scheduler"] == "SM2" and ds.attrs["scheduler_correct_grade"] == 4


JIT_SCRIPT = """
import json
import simulator
learner = simulator.ACTR(spacing_scale=0.217, threshold=-0.704, noise=0.255,
                         intersession_scale=0.025, permanent_noise=0.2)
ds = simulator.simulate_schedule(simulator.TargetRetention(0.85), learner, 12, 20,
                                 reviews_per_day=6, new_per_day=3, seed=7, events=True)
out = {k: ds[k].values.tolist() for k in
       ("p_recall", "recalled", "item", "mean_recall", "retention")}
out["spacing"] = simulator.optimal_interval(learner, [3e5, 3e6])["optimal_gap"].values.tolist()
print(json.dumps(out))
"""


def test_jitted_kernels_agree_with_pure_python(jitted_and_pure_python):
    jitted, python = jitted_and_pure_python(JIT_SCRIPT)
    for name in ("recalled", "item"):
        np.testing.assert_array_equal(jitted[name], python[name])
    for name in ("p_recall", "mean_recall", "retention", "spacing"):
        np.testing.assert_allclose(jitted[name], python[name], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("make, name", [
    (lambda: simulator.ViewBatch(views=0), "views"),
    (lambda: simulator.ViewBatch(recall_interval=0), "recall_interval"),
    (lambda: simulator.Leitner(boxes=3, intervals=(1, 2)), "intervals"),
    (lambda: simulator.Leitner(boxes=0), "boxes"),
    (lambda: simulator.SM2(correct_grade=2), "correct_grade"),
    (lambda: simulator.SM2(fail_grade=3), "fail_grade"),
    (lambda: simulator.SM2(initial_ease=1.0), "initial_ease"),
    (lambda: simulator.TargetRetention(target=1.0), "target"),
])
def test_bad_scheduler_parameters_raise(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_items=0), "n_items"),
    (dict(days=0), "days"),
    (dict(reviews_per_day=-1), "reviews_per_day"),
    (dict(new_per_day=1.5), "new_per_day"),
    (dict(test_delays=(0.0,)), "test_delays"),
    (dict(presentation_time=0.0), "presentation_time"),
    (dict(presentation_time=3600.0), "presentation_time"),
    (dict(learner=object()), "learner"),
    (dict(learner=simulator.ACTR(max_association=1.0)), "max_association"),
    (dict(scheduler="sm2"), "scheduler"),
])
def test_bad_schedule_arguments_raise(kwargs, name):
    args = dict(scheduler=simulator.SM2(), learner=simulator.ACTR(), n_items=50, days=5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        simulator.simulate_schedule(**args)



def sm2_reference(answers, correct_grade=4, fail_grade=1, initial_ease="2.5"):
    """SM-2 intervals in exact rational arithmetic (Wozniak 1990)."""
    from fractions import Fraction
    ease, interval, n = Fraction(initial_ease), 1, 0
    out = [1]
    for recalled in answers:
        q = correct_grade if recalled else fail_grade
        if q >= 3:
            n += 1
            interval = 6 if n == 1 else math.ceil(interval * ease)
        else:
            n, interval = 0, 1
        ease = max(ease + Fraction(1, 10) - (5 - q) * (Fraction(8, 100) + (5 - q) * Fraction(2, 100)),
                   Fraction(13, 10))
        out.append(interval)
    return out


@settings(deadline=None, max_examples=200)
@given(st.lists(st.booleans(), min_size=1, max_size=25), st.integers(3, 5), st.integers(0, 2))
def test_sm2_matches_exact_arithmetic(answers, correct, fail):
    scheduler = simulator.SM2(correct_grade=correct, fail_grade=fail)
    assert scheduler.intervals_after(answers).tolist() == sm2_reference(answers, correct, fail)


def test_sm2_rejects_an_ease_beyond_two_decimals():
    with pytest.raises(ValueError, match="initial_ease must be a multiple of 0.01"):
        simulator.SM2(initial_ease=2.505)


@pytest.mark.parametrize("approximation", ["exact", "multiscale"])
def test_shared_scheduler_model_gives_the_same_schedule_as_its_own_copy(approximation,
                                                                       monkeypatch):
    # A scheduler model equal to a learner whose fresh state is not random shares the
    # learner's predictions (computed once); forcing a separate state must not change
    # a single bit.
    learner = simulator.ACTR(approximation=approximation, spacing_scale=0.217,
                             spacing_intercept=0.177, threshold=-0.704, noise=0.255,
                             intersession_scale=0.025)
    run = dict(scheduler=simulator.TargetRetention(0.9), learner=learner, n_items=40,
               days=40, reviews_per_day=15, new_per_day=4, seed=3, events=True)
    shared = simulator.simulate_schedule(**run)
    monkeypatch.setattr(simulator.ACTR, "state_is_random", lambda self: True)
    own = simulator.simulate_schedule(**run)
    xr.testing.assert_identical(shared, own)
    assert int(shared["reviews"].sum()) > 50
