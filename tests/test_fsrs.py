"""FSRS-6 memory model: agreement with py-fsrs, protocol drivers, bad input."""
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

import environments as env
import simulator
from simulator.models.fsrs.model import N_WEIGHTS

fsrs = pytest.importorskip("fsrs")

DAY = 86400.0
EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
LOW = np.array([spec["low"] for name, spec in
                simulator.FSRS.parameter_specs().items() if name.startswith("w")])
HIGH = np.array([spec["high"] for name, spec in
                 simulator.FSRS.parameter_specs().items() if name.startswith("w")])


def random_histories(rng, n_cards, max_reviews):
    """Per card: review times (whole seconds) and ratings; same-day and long gaps mixed."""
    cards = []
    for _ in range(n_cards):
        n = rng.integers(1, max_reviews + 1)
        same_day = rng.random(n) < 0.3
        gaps = np.where(same_day, rng.integers(30, 20 * 3600, n),
                        rng.integers(1, 200, n) * DAY + rng.integers(0, 86400, n))
        gaps[0] = rng.integers(0, 10 * DAY)
        cards.append((np.cumsum(gaps).astype(np.float64), rng.integers(1, 5, n)))
    return cards


def reference_states(weights, cards):
    """py-fsrs: (stability, difficulty) after each review and R before the next one."""
    scheduler = fsrs.Scheduler(parameters=weights, learning_steps=(), relearning_steps=(),
                               enable_fuzzing=False)
    out = []
    for times, ratings in cards:
        card = fsrs.Card()
        rows = []
        for k, (t, g) in enumerate(zip(times, ratings)):
            when = EPOCH + timedelta(seconds=float(t))
            r_before = scheduler.get_card_retrievability(card, when) if k else 0.0
            card, _ = scheduler.review_card(card, fsrs.Rating(int(g)), review_datetime=when)
            rows.append((card.stability, card.difficulty, r_before))
        out.append(np.array(rows))
    return out


def cogmemsim_states(model, cards):
    """The same reviews replayed by simulator.predict, one stream for all cards, plus a
    final STUDY-free look at each card's state after its last review."""
    time = np.concatenate([times for times, _ in cards])
    item = np.concatenate([np.full(len(times), i) for i, (times, _) in enumerate(cards)])
    rating = np.concatenate([ratings for _, ratings in cards]).astype(np.int8)
    order = np.argsort(time, kind="stable")
    stream = env.EventStream(time=time[order], item=item[order],
                             kind=np.full(len(time), env.TEST, np.int8),
                             outcome=(rating[order] > 1).astype(float), rating=rating[order])
    pred = simulator.predict(model, stream)
    params = model.kernel_params()
    state = model.new_state(len(cards), None)
    learn = model.kernels.learn
    after = np.empty((len(time), 2))
    for e in range(len(time)):
        learn(params, state, stream.item[e], stream.time[e], stream.outcome[e],
              stream.rating[e])
        after[e] = state[0][stream.item[e]], state[1][stream.item[e]]
    out = []
    for i in range(len(cards)):
        mine = stream.item == i
        out.append(np.column_stack([after[mine], pred["retrievability"].values[mine]]))
    return out


@pytest.mark.parametrize("weights", ["default", "random"])
def test_states_agree_with_py_fsrs_to_1e9(weights):
    rng = np.random.default_rng(7 if weights == "default" else 8)
    w = (fsrs.scheduler.DEFAULT_PARAMETERS if weights == "default"
         else tuple(LOW + rng.random(N_WEIGHTS) * (HIGH - LOW)))
    cards = random_histories(rng, 150, 12)
    expected = reference_states(w, cards)
    got = cogmemsim_states(simulator.FSRS(parameters=w), cards)
    for mine, theirs in zip(got, expected):
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)
    # the histories did exercise every rule
    ratings = np.concatenate([r[1:] for _, r in cards])
    assert {1, 2, 3, 4} <= set(ratings.tolist())


def test_retrievability_is_0_9_after_one_stability_and_interval_hits_the_target():
    model = simulator.FSRS()
    state = model.new_state(1, None)
    params = model.kernel_params()
    model.kernels.learn(params, state, 0, 0.0, 1.0, 3)
    s = state[0][0]
    assert s == pytest.approx(model.w2)
    for days in (1, 3, 10):  # R(t = S) = 0.9 for any decay w20
        state[0][0] = float(days)
        assert model.kernels.predict(params, state, 0, days * DAY) == pytest.approx(0.9,
                                                                                      rel=1e-12)
    scheduler = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False,
                               desired_retention=0.85)
    for s in (0.3, 2.7, 15.0, 400.0, 1e5):
        assert model.next_interval(s, 0.85) == scheduler._next_interval(stability=s)


def test_run_and_predict_on_a_stream():
    stream = env.review_schedule(2, 20, 8, seed=3)
    ds = simulator.run(simulator.FSRS(), stream, seed=1)
    assert set(np.unique(ds["rating"].values)) <= {1, 2, 3, 4}
    assert np.all((ds["p_recall"] >= 0) & (ds["p_recall"] <= 1))
    assert ds["stability"].attrs["units"] == "day"
    observed = simulator.simulate_answers(simulator.FSRS(), stream, seed=2)
    pred = simulator.predict(simulator.FSRS(), observed)
    tested = observed.kind == env.TEST
    np.testing.assert_array_equal(pred["rating"].values[tested], observed.rating[tested])


def test_simulated_ratings_follow_the_given_probabilities():
    model = simulator.FSRS(hard_prob=0.2, easy_prob=0.3)
    u = np.random.default_rng(0).random(20000)
    ratings = np.array([model.kernels.rate(model.kernel_params(), True, x) for x in u])
    assert np.mean(ratings == 2) == pytest.approx(0.2, abs=0.01)
    assert np.mean(ratings == 4) == pytest.approx(0.3, abs=0.01)
    assert model.kernels.rate(model.kernel_params(), False, 0.99) == 1


def test_jitted_kernels_agree_with_pure_python(jitted_and_pure_python):
    script = """
import json, numpy as np, simulator, environments as env
ds = simulator.run(simulator.FSRS(), env.review_schedule(1, 10, 6, seed=4), seed=5)
print(json.dumps({k: ds[k].values.tolist() for k in ("p_recall", "stability", "difficulty")}))
"""
    jitted, pure = jitted_and_pure_python(script)
    for key in jitted:
        np.testing.assert_allclose(jitted[key], pure[key], rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("kwargs, message", [
    (dict(parameters=[0.2] * 20), "^parameters must be 21"),
    (dict(parameters="abc"), "^parameters must be 21"),
    (dict(w20=0.9), "^w20"),
    (dict(w0=0.0), "^w0"),
    (dict(study_rating=5), "^study_rating"),
    (dict(hard_prob=0.7, easy_prob=0.4), "^hard_prob \\+ easy_prob"),
])
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulator.FSRS(**kwargs)


def test_parameters_vector_and_single_weights_are_the_same_model():
    w = list(fsrs.scheduler.DEFAULT_PARAMETERS)
    w[20] = 0.3
    assert simulator.FSRS(parameters=w) == simulator.FSRS(w20=0.3)


def test_review_log_bad_ratings_and_times_are_refused_before_any_work():
    with pytest.raises(ValueError, match="^rating must be 0 .* 1..4"):
        env.EventStream(time=[0.0, DAY], item=[0, 0], kind=[1, 1], outcome=[1.0, 1.0],
                        rating=[3, 5])
    with pytest.raises(ValueError, match="^time must be non-decreasing"):
        env.EventStream(time=[2 * DAY, DAY], item=[0, 0], kind=[1, 1],
                        outcome=[1.0, 1.0], rating=[3, 3])


# -- the FSRS scheduler: TargetRetention(target, model=FSRS(...)) -------------------------

def py_fsrs_intervals(weights, target, maximum_interval, days, ratings):
    """py-fsrs's next interval (days) after each review on the given whole days."""
    scheduler = fsrs.Scheduler(parameters=weights, desired_retention=target,
                               learning_steps=(), relearning_steps=(),
                               maximum_interval=maximum_interval, enable_fuzzing=False)
    card = fsrs.Card()
    out = []
    for day, g in zip(days, ratings):
        when = EPOCH + timedelta(days=int(day))
        card, _ = scheduler.review_card(card, fsrs.Rating(int(g)), review_datetime=when)
        out.append((card.due - when).days)
    return out


@pytest.mark.parametrize("weights", ["default", "random"])
def test_fsrs_scheduler_intervals_equal_py_fsrs(weights):
    rng = np.random.default_rng(11 if weights == "default" else 12)
    for case in range(40):
        w = (fsrs.scheduler.DEFAULT_PARAMETERS if weights == "default"
             else tuple(LOW + rng.random(N_WEIGHTS) * (HIGH - LOW)))
        target = float(rng.uniform(0.7, 0.97))
        maximum = int(rng.choice([36500, 30, 200]))
        model = simulator.FSRS(parameters=w, study_rating=int(rng.integers(1, 5)))
        scheduler = simulator.TargetRetention(target, model=model, maximum_interval=maximum)
        introduce, priority, review = scheduler.kernels
        params, state = scheduler.kernel_params(), scheduler.new_state(1)
        n = int(rng.integers(2, 12))
        # reviews on the due day, earlier (same day included) or later
        ratings = [model.study_rating] + list(rng.integers(1, 5, n))
        introduce(params, state, 0, 0.0, 0)
        days, mine = [0], [state[3][0]]
        for g in ratings[1:]:
            day = days[-1] + max(0, int(state[3][0]) + int(rng.integers(-3, 4)))
            assert priority(params, state, 0, float(day), np.nan) == (
                state[0][0] if state[0][0] <= day else pytest.approx(np.nan, nan_ok=True))
            review(params, state, 0, float(day), g > 1, int(g))
            days.append(day)
            mine.append(state[3][0])
            assert state[0][0] == day + state[3][0]
        assert mine == py_fsrs_intervals(w, target, maximum, days, ratings)


def test_fsrs_schedule_reviews_fall_on_py_fsrs_due_days():
    learner = simulator.FSRS()
    scheduler = simulator.TargetRetention(0.85, model=simulator.FSRS(w20=0.3))
    ds = simulator.simulate_schedule(scheduler, learner, 30, 120, seed=4, events=True)
    assert ds.attrs["scheduler_model"] == "FSRS" and ds.attrs["scheduler_model_w20"] == 0.3
    day = (ds["time"].values // DAY).astype(int)
    tested = ds["kind"].values == env.TEST
    checked = 0
    for i in range(30):
        mine = tested & (ds["item"].values == i)
        review_days = [int(day[ds["item"].values == i][0])] + list(day[mine])
        ratings = [3] + list(ds["rating"].values[mine])
        expected = py_fsrs_intervals(scheduler.model.weights, 0.85, 36500, review_days,
                                     ratings)
        # every review came on the day py-fsrs set after the previous one
        np.testing.assert_array_equal(np.diff(review_days), expected[:-1])
        checked += len(expected) - 1
    assert checked > 100


def test_fsrs_fuzz_is_py_fsrs_fuzz_and_seeded(monkeypatch):
    from simulator.scheduling._interval_kernels import fuzzed_interval
    rng = np.random.default_rng(5)
    for maximum in (36500, 60):
        scheduler = fsrs.Scheduler(maximum_interval=maximum)
        for interval in list(range(1, 80)) + [150, 999, 20000, 36500]:
            interval = min(interval, maximum)
            for u in list(rng.random(5)) + [0.0, 0.999999]:
                monkeypatch.setattr(fsrs.scheduler, "random", lambda: u)
                theirs = scheduler._get_fuzzed_interval(interval=timedelta(days=interval))
                assert fuzzed_interval(float(interval), float(maximum), u) == theirs.days
    fuzzy = simulator.TargetRetention(0.9, model=simulator.FSRS(), fuzz=True)
    a, b, c = (simulator.simulate_schedule(fuzzy, simulator.FSRS(), 40, 90, seed=s)
               for s in (1, 1, 2))
    np.testing.assert_array_equal(a.reviews.values, b.reviews.values)
    assert not np.array_equal(a.reviews.values, c.reviews.values)


def test_fsrs_scheduler_bad_input():
    with pytest.raises(ValueError, match="^maximum_interval"):
        simulator.TargetRetention(0.9, model=simulator.FSRS(), maximum_interval=0)
    with pytest.raises(ValueError, match="^model must be a memory model whose state"):
        simulator.TargetRetention(0.9, model=simulator.ACTR())
